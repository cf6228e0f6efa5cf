/**
 * One deadline per client operation: a single AbortSignal that fires after `timeoutMs` on the
 * injected clock or when the caller's signal aborts, whichever comes first. Slot waits, login,
 * requests, bodies and retry waits all observe it, so `timeoutMs` bounds the whole operation.
 */
import type { Clock } from "../util/clock.js";

/** The abort reason of a deadline that passed (as opposed to a caller that cancelled). */
export class DeadlineExceeded extends Error {
  constructor(readonly timeoutMs: number) {
    super(`deadline of ${timeoutMs} ms exceeded`);
    this.name = "DeadlineExceeded";
  }
}

/** A running deadline; `dispose()` it when the operation ends so its timer goes away. */
export interface Deadline {
  /** Aborts with `DeadlineExceeded` when time is up, or with the caller's reason. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Milliseconds left (0 once passed). */
  remainingMs(): number;
  /** True when the signal aborted because time was up (not because the caller cancelled). */
  exceeded(): boolean;
  dispose(): void;
}

/** Starts a deadline of `timeoutMs` on `clock`, combined with the caller's `signal` if any. */
export function startDeadline(clock: Clock, timeoutMs: number, signal?: AbortSignal): Deadline {
  const startedAt = clock.now();
  const timer = new AbortController();
  const disposer = new AbortController();
  clock.sleep(timeoutMs, disposer.signal).then(
    () => {
      timer.abort(new DeadlineExceeded(timeoutMs));
    },
    () => undefined,
  );
  const combined = signal === undefined ? timer.signal : AbortSignal.any([timer.signal, signal]);
  return {
    signal: combined,
    timeoutMs,
    remainingMs: () => Math.max(0, timeoutMs - (clock.now() - startedAt)),
    exceeded: () => combined.aborted && combined.reason instanceof DeadlineExceeded,
    dispose: () => {
      disposer.abort();
    },
  };
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
