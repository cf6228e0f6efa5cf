/**
 * The single writer of the {@link Snapshot}: every update replaces the whole value (copy on
 * write), so readers can hold a snapshot without locks and renderers can cache per version.
 */
import { targetKey, type Target } from "../mosapi/target.js";
import type { Snapshot, TargetSnapshot } from "./snapshot.js";

function emptyTarget(target: Target): TargetSnapshot {
  return { target, up: false, stateAttempted: false, collectors: {} };
}

/**
 * How {@link SnapshotStore.retarget} treats a target that was configured before: the entry to
 * keep (its last good data), or `undefined` to start it afresh.
 */
export type CarryOver = (target: Target, previous: TargetSnapshot) => TargetSnapshot | undefined;

/** Holds the current snapshot and replaces it on every change. */
export class SnapshotStore {
  #snapshot: Snapshot;
  /** Readiness is reached once and then kept: a reload adding a target does not flap it. */
  #ready = false;

  constructor(targets: readonly Target[]) {
    this.#snapshot = { version: 0, targets: targets.map(emptyTarget) };
  }

  /** The current snapshot; immutable, safe to keep. */
  current(): Snapshot {
    return this.#snapshot;
  }

  /**
   * Replaces the entry of `target` with `change(entry)` and returns the entry it replaced.
   * A target that is no longer configured is ignored (its refresh finished after a reload
   * removed it) and `undefined` is returned.
   */
  update(
    target: Target,
    change: (entry: TargetSnapshot) => TargetSnapshot,
  ): TargetSnapshot | undefined {
    const key = targetKey(target);
    const index = this.#snapshot.targets.findIndex((entry) => targetKey(entry.target) === key);
    const previous = this.#snapshot.targets[index];
    if (previous === undefined) return undefined;
    const targets = [...this.#snapshot.targets];
    targets[index] = change(previous);
    this.#replace(targets);
    return previous;
  }

  /**
   * Switches to a new target list in one step (a reload): targets no longer listed vanish,
   * new ones start empty, and a target listed before keeps the entry `carry` returns for it
   * (always re-pointed at the new `Target` object) or starts empty when it returns undefined.
   */
  retarget(targets: readonly Target[], carry: CarryOver): void {
    const before = new Map(this.#snapshot.targets.map((entry) => [targetKey(entry.target), entry]));
    this.#replace(
      targets.map((target) => {
        const previous = before.get(targetKey(target));
        const kept = previous === undefined ? undefined : carry(target, previous);
        return kept === undefined ? emptyTarget(target) : { ...kept, target };
      }),
    );
  }

  #replace(targets: readonly TargetSnapshot[]): void {
    this.#snapshot = { version: this.#snapshot.version + 1, targets };
    this.#ready ||= targets.every((entry) => entry.stateAttempted);
  }

  /** The current entry of `target`, or undefined when it is not configured. */
  entry(target: Target): TargetSnapshot | undefined {
    const key = targetKey(target);
    return this.#snapshot.targets.find((entry) => targetKey(entry.target) === key);
  }

  /**
   * True once every target's first `state` refresh has finished, successfully or not; stays
   * true afterwards, also when a reload adds targets that have not been refreshed yet.
   */
  isReady(): boolean {
    return this.#ready;
  }
}
