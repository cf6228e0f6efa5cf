/**
 * Admission of due refreshes, per credential: at most `limit` refreshes of one credential run
 * at once, and at most one per target; the rest wait here as a small record each (priority,
 * target and a start callback), not as suspended requests with deadlines, headers and buffers,
 * nor as promises with abort listeners. When a running refresh ends, the most urgent waiting
 * one (see priority.ts) whose target is idle starts, first due first among equals, so the
 * capacity left is shared fairly across targets and a slow target holds at most one place.
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
  readonly start: (release: () => void) => void;
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
   * Starts `job` once it may run: calls `start` with a release function at once when the
   * credential has a free place and the target runs nothing, else queues the job as a record
   * and calls `start` when a place frees up. Call the release function when the refresh ends.
   */
  request(job: RefreshJob, start: (release: () => void) => void): void {
    const lane = this.#lane(job.target.credentials);
    const target = targetKey(job.target);
    const waiting: Waiting = { priority: collectorPriority(job.collector), target, start };
    if (lane.running < this.#limit && !lane.busyTargets.has(target)) {
      this.#admit(lane, waiting);
      return;
    }
    let index = lane.waiting.length;
    while (index > 0 && (lane.waiting[index - 1]?.priority ?? 0) > waiting.priority) index -= 1;
    lane.waiting.splice(index, 0, waiting);
  }

  /** Forgets every waiting refresh (the scheduler stops); running ones still release. */
  clear(): void {
    for (const lane of this.#lanes.values()) lane.waiting.length = 0;
  }

  #lane(credentials: string): Lane {
    let lane = this.#lanes.get(credentials);
    if (lane === undefined) {
      lane = new Lane();
      this.#lanes.set(credentials, lane);
    }
    return lane;
  }

  /** Takes a place for `waiting` and starts it. */
  #admit(lane: Lane, waiting: Waiting): void {
    lane.running += 1;
    lane.busyTargets.add(waiting.target);
    let released = false;
    waiting.start(() => {
      if (released) return;
      released = true;
      lane.running -= 1;
      lane.busyTargets.delete(waiting.target);
      this.#admitNext(lane);
    });
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
      this.#admit(lane, next);
    }
  }
}
