/**
 * The single writer of the {@link Snapshot}: every update replaces the whole value (copy on
 * write), so readers can hold a snapshot without locks and renderers can cache per version.
 * An index from target key to position makes finding a target's entry O(1).
 */
import { targetKey, type Target } from "../mosapi/target.js";
import type { Snapshot, TargetSnapshot } from "./snapshot.js";
import { keepUnchanged } from "./unchanged.js";

function emptyTarget(target: Target): TargetSnapshot {
  return { target, up: false, stateAttempted: false, collectors: {} };
}

/**
 * How {@link SnapshotStore.retarget} treats a target that was configured before: the entry to
 * keep (its last good data), or `undefined` to start it afresh.
 */
export type CarryOver = (target: Target, previous: TargetSnapshot) => TargetSnapshot | undefined;

function indexOf(targets: readonly Target[]): Map<string, number> {
  return new Map(targets.map((target, index) => [targetKey(target), index]));
}

/**
 * Told after every change which entries the new snapshot holds that the previous one did not
 * (e.g. so a renderer can render them ahead of the next scrape). Must not throw.
 */
export type ChangeListener = (entries: readonly TargetSnapshot[]) => void;

/** Holds the current snapshot and replaces it on every change. */
export class SnapshotStore {
  #snapshot: Snapshot;
  /** `targetKey` → position in `#snapshot.targets`; rebuilt only when the target list changes. */
  #index: ReadonlyMap<string, number>;
  /** How many entries have `stateAttempted` false, so readiness is O(1) per update. */
  #unattempted: number;
  /** Readiness is reached once and then kept: a reload adding a target does not flap it. */
  #ready = false;
  readonly #listeners = new Set<ChangeListener>();

  constructor(targets: readonly Target[]) {
    this.#snapshot = { version: 0, targets: targets.map(emptyTarget) };
    this.#index = indexOf(targets);
    this.#unattempted = targets.length;
  }

  /** The current snapshot; immutable, safe to keep. */
  current(): Snapshot {
    return this.#snapshot;
  }

  /**
   * Replaces the entry of `target` with `change(entry)` and returns the entry it replaced.
   * A target that is no longer configured is ignored (its refresh finished after a reload
   * removed it) and `undefined` is returned. Fields of the new entry equal to the old one's
   * keep the old objects (unchanged.ts).
   */
  update(
    target: Target,
    change: (entry: TargetSnapshot) => TargetSnapshot,
  ): TargetSnapshot | undefined {
    const index = this.#index.get(targetKey(target));
    if (index === undefined) return undefined;
    const previous = this.#snapshot.targets[index];
    if (previous === undefined) return undefined;
    const next = keepUnchanged(previous, change(previous));
    const targets = [...this.#snapshot.targets];
    targets[index] = next;
    this.#unattempted += Number(previous.stateAttempted) - Number(next.stateAttempted);
    this.#replace(targets, next === previous ? [] : [next]);
    return previous;
  }

  /**
   * Switches to a new target list in one step (a reload): targets no longer listed vanish,
   * new ones start empty, and a target listed before keeps the entry `carry` returns for it
   * (always re-pointed at the new `Target` object) or starts empty when it returns undefined.
   */
  retarget(targets: readonly Target[], carry: CarryOver): void {
    const entries = targets.map((target) => {
      const previous = this.entry(target);
      const kept = previous === undefined ? undefined : carry(target, previous);
      return kept === undefined ? emptyTarget(target) : { ...kept, target };
    });
    this.#index = indexOf(targets);
    this.#unattempted = entries.filter((entry) => !entry.stateAttempted).length;
    this.#replace(entries, entries);
  }

  /** Calls `listener` after every later change; returns the function that unsubscribes it. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #replace(targets: readonly TargetSnapshot[], added: readonly TargetSnapshot[]): void {
    this.#snapshot = { version: this.#snapshot.version + 1, targets };
    this.#ready ||= this.#unattempted === 0;
    if (added.length > 0) for (const listener of this.#listeners) listener(added);
  }

  /** The current entry of `target`, or undefined when it is not configured. */
  entry(target: Target): TargetSnapshot | undefined {
    const index = this.#index.get(targetKey(target));
    return index === undefined ? undefined : this.#snapshot.targets[index];
  }

  /**
   * True once every target's first `state` refresh has finished, successfully or not; stays
   * true afterwards, also when a reload adds targets that have not been refreshed yet.
   */
  isReady(): boolean {
    return this.#ready;
  }
}
