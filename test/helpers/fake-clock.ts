/**
 * A Clock driven by the test: `now()` only moves with `advance(ms)`, which resolves the sleeps
 * that fall due, in order. Aborted sleeps reject with the signal's reason and are forgotten.
 */
import type { Clock } from "../../src/util/clock.js";

interface Sleeper {
  readonly wakeAt: number;
  readonly ms: number;
  readonly resolve: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const sleeper: Sleeper = {
        wakeAt: this.#now + Math.max(0, ms),
        ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** Durations (as requested) of the sleeps still pending, in registration order. */
  pending(): number[] {
    return this.#sleepers.map((s) => s.ms);
  }

  /** Milliseconds until the earliest pending sleep falls due, or undefined when none waits. */
  msUntilNextWake(): number | undefined {
    const next = Math.min(...this.#sleepers.map((s) => s.wakeAt));
    return Number.isFinite(next) ? Math.max(0, next - this.#now) : undefined;
  }

  /** Moves time forward by `ms`, resolving every sleep due by then (earliest first). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const due = this.#sleepers
        .filter((s) => s.wakeAt <= until)
        .sort((a, b) => a.wakeAt - b.wakeAt)[0];
      if (due === undefined) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      this.#now = Math.max(this.#now, due.wakeAt);
      due.resolve();
    }
    this.#now = until;
  }

  /**
   * Like {@link advance}, but lets promise callbacks run after every wake-up, so code that
   * sleeps again once woken (a refresh loop) is rescheduled within the same advance.
   */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.#now + ms;
    await settle();
    for (;;) {
      const due = this.#sleepers
        .filter((s) => s.wakeAt <= until)
        .sort((a, b) => a.wakeAt - b.wakeAt)[0];
      if (due === undefined) break;
      this.advance(due.wakeAt - this.#now);
      await settle();
    }
    this.#now = until;
  }
}

/** Drains pending promise callbacks and one macrotask turn. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
