/**
 * A counting semaphore with priorities: the client holds one slot per HTTP request in flight,
 * per credential and per target, so ICANN's per-account session and concurrency limits are
 * respected. Slots are taken around single requests, never around whole operations, so a
 * re-login inside an operation can always get a slot.
 *
 * A freed slot goes to the most urgent waiter (lowest priority number), first come first served
 * among equals: `state` (priority 0) never queues behind the other collectors of its target or
 * credential, only behind requests already in flight.
 */

interface Waiter {
  readonly priority: number;
  readonly grant: () => void;
}

/** The most urgent priority: `state` requests, logins and logouts. */
export const URGENT = 0;

/** The priority of a caller that gives none: behind every prioritised one. */
export const LOWEST_PRIORITY = Number.MAX_SAFE_INTEGER;

export class Semaphore {
  readonly #limit: number;
  #inFlight = 0;
  /** Sorted by priority, then arrival. */
  readonly #waiters: Waiter[] = [];

  /** @throws RangeError when `limit` is not a positive integer. */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency limit must be a positive integer, got ${String(limit)}`);
    }
    this.#limit = limit;
  }

  /** Slots currently held. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Callers queued for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Waits for a free slot and returns its release function, which is safe to call more than
   * once. Waiters are served by `priority` (lower first), then in arrival order.
   *
   * @throws the signal's reason when it aborts before a slot is free (the queue entry is removed).
   */
  async acquire(signal?: AbortSignal, priority = LOWEST_PRIORITY): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#inFlight < this.#limit) {
      this.#inFlight += 1;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason as Error);
      };
      // The releasing caller hands its slot over directly, so #inFlight stays unchanged.
      const waiter: Waiter = {
        priority,
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#enqueue(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser();
  }

  /** Inserts after every waiter of the same or a more urgent priority. */
  #enqueue(waiter: Waiter): void {
    let index = this.#waiters.length;
    // Usually appended (equal priorities), so scan from the back.
    while (index > 0 && (this.#waiters[index - 1]?.priority ?? 0) > waiter.priority) index -= 1;
    this.#waiters.splice(index, 0, waiter);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next === undefined) this.#inFlight -= 1;
      else next.grant();
    };
  }
}
