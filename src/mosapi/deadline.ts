/**
 * Deadlines of client operations: one AbortSignal per operation that fires when a time bound
 * passes on the injected clock or when the caller's signal aborts, whichever comes first.
 *
 * - {@link startDeadline}: one bound over everything the operation does, slot waits included
 *   (closing the client: every logout within one `timeout`).
 * - {@link startOperation}: two bounds measured apart. `timeoutMs` bounds the time spent on
 *   MoSAPI (requests, bodies, retry waits); `queueTimeoutMs` bounds the time spent waiting for
 *   concurrency slots. A burst queued behind a credential's few slots therefore does not eat
 *   the upstream timeout, while a request that really hangs still times out after `timeoutMs`.
 */
import type { Clock } from "../util/clock.js";

/** The abort reason of a deadline that passed (as opposed to a caller that cancelled). */
export class DeadlineExceeded extends Error {
  /** The bound that passed. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message = `deadline of ${timeoutMs} ms exceeded`) {
    super(message);
    this.timeoutMs = timeoutMs;
    this.name = new.target.name;
  }
}

/** The abort reason of an operation that waited longer than its queue bound for a slot. */
export class SlotWaitExceeded extends DeadlineExceeded {
  constructor(queueTimeoutMs: number) {
    super(queueTimeoutMs, `no concurrency slot within ${queueTimeoutMs} ms`);
  }
}

/** A running deadline; `dispose()` it when the operation ends so its timer goes away. */
export interface Deadline {
  /** Aborts with a `DeadlineExceeded` when a bound passed, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** The bound on the time spent on MoSAPI. */
  readonly timeoutMs: number;
  /** Milliseconds of `timeoutMs` left (0 once passed); time spent in `queued`/`aside` excluded. */
  remainingMs(): number;
  /** True when the signal aborted because a bound passed (not because the caller cancelled). */
  exceeded(): boolean;
  /**
   * Runs `wait`, a wait for concurrency slots, with `signal`. Under {@link startOperation} the
   * time counts against the queue bound instead of `timeoutMs`.
   *
   * @throws whatever `wait` throws (the signal's reason when a bound passes or the caller aborts).
   */
  queued<T>(wait: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Runs `wait`, a wait for work that has bounds of its own (a login shared by several
   * operations). Under {@link startOperation} the time counts against neither bound.
   *
   * @throws whatever `wait` throws.
   */
  aside<T>(wait: () => Promise<T>): Promise<T>;
  dispose(): void;
}

/** The two bounds of {@link startOperation}. */
export interface OperationLimits {
  /** Time spent on MoSAPI: requests, bodies, retry waits. */
  readonly timeoutMs: number;
  /** Time spent waiting for concurrency slots, summed over the operation. */
  readonly queueTimeoutMs: number;
  /**
   * Count slot waits against `timeoutMs` instead (urgent operations: `state`), so the
   * operation fails within `timeoutMs` whether MoSAPI hangs or its slots are all held by
   * requests that hang. Waits {@link Deadline.aside} still count against neither.
   */
  readonly slotWaitsCount?: boolean;
}

/**
 * Starts one deadline of `timeoutMs` on `clock` over everything, slot waits included,
 * combined with the caller's `signal` if any.
 */
export function startDeadline(clock: Clock, timeoutMs: number, signal?: AbortSignal): Deadline {
  return new Timers(clock, timeoutMs, undefined, signal);
}

/**
 * Starts the deadline of one client operation: `limits.timeoutMs` on the time spent on MoSAPI,
 * `limits.queueTimeoutMs` on the time spent in {@link Deadline.queued}, combined with the
 * caller's `signal` if any. The whole operation ends within the sum of both, plus what
 * {@link Deadline.aside} waits for.
 */
export function startOperation(
  clock: Clock,
  limits: OperationLimits,
  signal?: AbortSignal,
): Deadline {
  return new Timers(clock, limits.timeoutMs, limits.queueTimeoutMs, signal, limits.slotWaitsCount);
}

type Phase = "work" | "queue" | "aside";

/**
 * The reason a phase timer is cancelled with. Never seen outside (its sleep's rejection is
 * dropped); given so that `abort()` does not build a DOMException, stack and all, every time.
 */
const DISARMED = Symbol("deadline timer disarmed");

/**
 * The budgets of one operation, watched by at most one timer. The timer is set for the moment
 * the running phase's budget runs out and is not moved when the phase changes to one that runs
 * out later (the usual case: a work bound of 15 s, then a queue bound of 60 s, then work
 * again): when it fires it checks the phase then running and, if no bound has passed, sets
 * itself again for the rest. One timer per operation instead of one per phase change matters
 * when 1,000 refreshes start at once.
 */
class Timers implements Deadline {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly #clock: Clock;
  readonly #queueTimeoutMs: number | undefined;
  readonly #slotWaitsCount: boolean;
  readonly #bounds = new AbortController();
  #phase: Phase = "work";
  #since: number;
  readonly #used: Record<Phase, number> = { work: 0, queue: 0, aside: 0 };
  #timer: AbortController | undefined;
  /** Clock time at which the timer fires; Infinity when none is set. */
  #firesAt = Infinity;
  #disposed = false;
  /** Stops following the caller's signal. */
  #unfollow: () => void = () => undefined;

  constructor(
    clock: Clock,
    timeoutMs: number,
    queueTimeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    slotWaitsCount = false,
  ) {
    this.timeoutMs = timeoutMs;
    this.#clock = clock;
    this.#queueTimeoutMs = queueTimeoutMs;
    this.#slotWaitsCount = slotWaitsCount;
    this.#since = clock.now();
    this.signal = this.#bounds.signal;
    if (signal?.aborted === true) {
      this.#bounds.abort(signal.reason);
    } else if (signal !== undefined) {
      // A listener removed on dispose rather than AbortSignal.any: cheaper per operation, and
      // nothing of the operation stays attached to the caller's long-lived signal afterwards.
      const follow = (): void => {
        this.#bounds.abort(signal.reason);
      };
      signal.addEventListener("abort", follow, { once: true });
      this.#unfollow = () => {
        signal.removeEventListener("abort", follow);
      };
    }
    this.#arm();
  }

  remainingMs(): number {
    const running = this.#phase === "work" ? this.#clock.now() - this.#since : 0;
    return Math.max(0, this.timeoutMs - this.#used.work - running);
  }

  exceeded(): boolean {
    return this.signal.aborted && this.signal.reason instanceof DeadlineExceeded;
  }

  queued<T>(wait: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#slotWaitsCount) return wait(this.signal);
    return this.#during("queue", () => wait(this.signal));
  }

  aside<T>(wait: () => Promise<T>): Promise<T> {
    return this.#during("aside", wait);
  }

  dispose(): void {
    this.#disposed = true;
    this.#unfollow();
    this.#timer?.abort(DISARMED);
    this.#timer = undefined;
    this.#firesAt = Infinity;
  }

  #during<T>(phase: Phase, wait: () => Promise<T>): Promise<T> {
    // A plain deadline (no queue bound) counts every wait as part of the operation.
    if (this.#queueTimeoutMs === undefined) return wait();
    const before = this.#enter(phase);
    let promise: Promise<T>;
    try {
      promise = wait();
    } catch (error) {
      this.#enter(before);
      throw error;
    }
    // The same promise goes back, so the caller resumes no later than without the phase; this
    // handler was registered first, so the phase is restored before the caller resumes.
    const restore = (): void => {
      this.#enter(before);
    };
    promise.then(restore, restore);
    return promise;
  }

  /** Switches the running budget to `phase`; returns the phase that was running. */
  #enter(phase: Phase): Phase {
    const previous = this.#phase;
    const now = this.#clock.now();
    this.#used[previous] += now - this.#since;
    this.#since = now;
    this.#phase = phase;
    this.#arm();
    return previous;
  }

  /** Clock time at which the running phase's budget runs out; Infinity for "aside". */
  #runsOutAt(): number {
    if (this.#phase === "aside") return Infinity;
    const bound = this.#phase === "queue" ? (this.#queueTimeoutMs ?? Infinity) : this.timeoutMs;
    return this.#since + Math.max(0, bound - this.#used[this.#phase]);
  }

  /** Makes sure the timer fires no later than the running phase's budget runs out. */
  #arm(): void {
    if (this.#disposed || this.signal.aborted) return;
    const at = this.#runsOutAt();
    if (at >= this.#firesAt) return;
    this.#timer?.abort(DISARMED);
    const timer = new AbortController();
    this.#timer = timer;
    this.#firesAt = at;
    this.#clock.sleep(Math.max(0, at - this.#clock.now()), timer.signal).then(
      () => {
        this.#timer = undefined;
        this.#firesAt = Infinity;
        this.#fired();
      },
      () => undefined,
    );
  }

  /** The timer fired: abort if the running phase's budget ran out, else wait for the rest. */
  #fired(): void {
    if (this.#disposed || this.signal.aborted) return;
    if (this.#clock.now() < this.#runsOutAt()) {
      this.#arm();
      return;
    }
    // The reason is made only now: an Error captures a stack, measurable at 1,000 operations.
    this.#bounds.abort(
      this.#phase === "queue" && this.#queueTimeoutMs !== undefined
        ? new SlotWaitExceeded(this.#queueTimeoutMs)
        : new DeadlineExceeded(this.timeoutMs),
    );
  }
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as it aborts. A value that
 * arrives after the abort goes to `onAbandoned` (e.g. to release a response body); a late
 * rejection is swallowed, never left unhandled.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbandoned?: (value: T) => void,
): Promise<T> {
  const abandon = (): void => {
    promise.then(
      (value) => onAbandoned?.(value),
      () => undefined,
    );
  };
  if (signal.aborted) {
    abandon();
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      abandon();
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => {
      signal.removeEventListener("abort", onAbort);
    });
  });
}
