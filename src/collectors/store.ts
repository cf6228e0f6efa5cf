/**
 * The single writer of the {@link Snapshot}: every update replaces the whole value (copy on
 * write), so readers can hold a snapshot without locks and renderers can cache per version.
 */
import { targetKey, type Target } from "../mosapi/target.js";
import type { Snapshot, TargetSnapshot } from "./snapshot.js";

function emptyTarget(target: Target): TargetSnapshot {
  return { target, up: false, stateAttempted: false, collectors: {} };
}

/** Holds the current snapshot and replaces it on every change. */
export class SnapshotStore {
  #snapshot: Snapshot;

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
    this.#snapshot = { version: this.#snapshot.version + 1, targets };
    return previous;
  }

  /** The current entry of `target`, or undefined when it is not configured. */
  entry(target: Target): TargetSnapshot | undefined {
    const key = targetKey(target);
    return this.#snapshot.targets.find((entry) => targetKey(entry.target) === key);
  }

  /** True once every target's first `state` refresh has finished, successfully or not. */
  isReady(): boolean {
    return this.#snapshot.targets.every((entry) => entry.stateAttempted);
  }
}
