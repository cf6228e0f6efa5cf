/**
 * A counting semaphore: the client holds one slot per HTTP request in flight, per credential,
 * so ICANN's per-account session and concurrency limits are respected. Slots are taken around
 * single requests, never around whole operations, so a re-login inside an operation can always
 * get a slot.
 */
export class Semaphore {
  readonly #limit: number;
  #inFlight = 0;
  readonly #waiters: (() => void)[] = [];

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
   * Waits for a free slot (first come, first served) and returns its release function, which is
   * safe to call more than once.
   *
   * @throws the signal's reason when it aborts before a slot is free (the queue entry is removed).
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#inFlight < this.#limit) {
      this.#inFlight += 1;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(grant);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal?.reason as Error);
      };
      // The releasing caller hands its slot over directly, so #inFlight stays unchanged.
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#waiters.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next === undefined) this.#inFlight -= 1;
      else next();
    };
  }
}
