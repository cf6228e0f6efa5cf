/**
 * Admission of due refreshes, per credential: at most `limit` refreshes of one credential run
 * at once, and at most one per target; the rest wait here as a small record each (the job and
 * its resolver), not as suspended requests with deadlines, headers and buffers. When a running
 * refresh ends, the most urgent waiting one (see priority.ts) whose target is idle starts,
 * first due first among equals, so the capacity left is shared fairly across targets and a
 * slow target holds at most one place.
 *
 * `state` refreshes are not admitted here: they start when due (at most one per target), and
 * the client gives their requests the next free slot.
 */
import { targetKey } from "../mosapi/target.js";
import { collectorPriority } from "./priority.js";
import type { RefreshJob } from "./scheduler.js";

interface Waiting {
  readonly priority: number;
  readonly target: string;
  readonly admit: () => void;
}

/** The places of one credential. */
class Lane {
  running = 0;
  readonly busyTargets = new Set<string>();
  /** Sorted by priority, then arrival. */
  readonly waiting: Waiting[] = [];
}

/** Per-credential admission of non-`state` refreshes. */
export class Admission {
  readonly #limit: number;
  readonly #lanes = new Map<string, Lane>();

  /** @param limit refreshes running at once per credential; Infinity for no limit. */
  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`admission limit must be ≥ 1, got ${String(limit)}`);
    this.#limit = limit;
  }

  /** Refreshes running and waiting, per credential (for tests and benchmarks). */
  counts(credentials: string): { running: number; waiting: number } {
    const lane = this.#lanes.get(credentials);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  /**
   * Resolves with a release function once `job` may run; call it when the refresh ends.
   *
   * @throws the signal's reason when it aborts first (the place in the queue is given up).
   */
  async enter(job: RefreshJob, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    const lane = this.#lane(job.target.credentials);
    const target = targetKey(job.target);
    if (lane.running < this.#limit && !lane.busyTargets.has(target)) {
      this.#take(lane, target);
      return this.#releaser(lane, target);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = lane.waiting.indexOf(waiting);
        if (index >= 0) lane.waiting.splice(index, 1);
        reject(signal.reason as Error);
      };
      const waiting: Waiting = {
        priority: collectorPriority(job.collector),
        target,
        admit: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      let index = lane.waiting.length;
      while (index > 0 && (lane.waiting[index - 1]?.priority ?? 0) > waiting.priority) index -= 1;
      lane.waiting.splice(index, 0, waiting);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.#releaser(lane, target);
  }

  #lane(credentials: string): Lane {
    let lane = this.#lanes.get(credentials);
    if (lane === undefined) {
      lane = new Lane();
      this.#lanes.set(credentials, lane);
    }
    return lane;
  }

  #take(lane: Lane, target: string): void {
    lane.running += 1;
    lane.busyTargets.add(target);
  }

  #releaser(lane: Lane, target: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.running -= 1;
      lane.busyTargets.delete(target);
      this.#admitNext(lane);
    };
  }

  /** Starts waiting refreshes while places are free, skipping targets already running one. */
  #admitNext(lane: Lane): void {
    for (let i = 0; i < lane.waiting.length && lane.running < this.#limit;) {
      const next = lane.waiting[i];
      if (next === undefined || lane.busyTargets.has(next.target)) {
        i += 1;
        continue;
      }
      lane.waiting.splice(i, 1);
      this.#take(lane, next.target);
      next.admit();
    }
  }
}
