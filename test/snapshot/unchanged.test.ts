import { describe, expect, it } from "vitest";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { keepUnchanged } from "../../src/snapshot/unchanged.js";
import { healthyEntry, stateFixture, tld } from "../helpers/fixtures.js";

const target = tld("example");
const state = stateFixture("state-healthy");

/** A deep copy: the same data in new objects, as a refresh parses an unchanged answer. */
const copy = <T>(value: T): T => structuredClone(value);

function entry(): TargetSnapshot {
  return {
    ...healthyEntry(target, state, 1),
    alarmed: { dns: false, rdap: true },
    downtimeMinutes: { dns: 0, rdap: 12 },
    metrica: null,
  };
}

describe("keepUnchanged", () => {
  it("keeps the previous objects of every field whose data did not change", () => {
    const previous = entry();
    const next = { ...copy(previous), target: previous.target, up: true };
    const kept = keepUnchanged(previous, next);
    expect(kept).toEqual(next);
    for (const key of ["state", "alarmed", "downtimeMinutes", "collectors"] as const) {
      expect(next[key]).not.toBe(previous[key]);
      expect(kept[key]).toBe(previous[key]);
    }
    expect(kept.metrica).toBeNull();
  });

  it("takes the new objects of the fields that changed, however deep the change", () => {
    const previous = entry();
    const services = copy(previous.state!.services);
    const [service] = Object.keys(services) as (keyof typeof services)[];
    services[service!] = { ...services[service!]!, emergencyThreshold: 99.5 };
    const next: TargetSnapshot = {
      ...copy(previous),
      downtimeMinutes: { dns: 0, rdap: 13 },
      state: { ...previous.state!, services },
    };
    const kept = keepUnchanged(previous, next);
    expect(kept).toEqual(next);
    expect(kept.state).toBe(next.state);
    expect(kept.downtimeMinutes).toBe(next.downtimeMinutes);
    expect(kept.alarmed).toBe(previous.alarmed);
  });

  it("returns the new entry itself when nothing can be kept, and an unchanged entry as is", () => {
    const previous = entry();
    const next: TargetSnapshot = {
      ...previous,
      alarmed: { dns: true },
      downtimeMinutes: { dns: 1 },
    };
    expect(keepUnchanged(previous, next)).toBe(next);
    expect(keepUnchanged(previous, previous)).toBe(previous);
    const first: TargetSnapshot = { target, up: false, stateAttempted: false, collectors: {} };
    const refreshed = { ...first, state: copy(state) };
    expect(keepUnchanged(first, refreshed)).toBe(refreshed);
  });
});

describe("SnapshotStore.update", () => {
  it("keeps the objects of data a refresh found unchanged, and says the entry changed", () => {
    const store = new SnapshotStore([target]);
    const changes: TargetSnapshot[][] = [];
    store.onChange((entries) => changes.push([...entries]));
    store.update(target, () => entry());
    const before = store.entry(target)!;
    store.update(target, (current) => ({
      ...copy(current),
      target: current.target,
      collectors: { state: { lastSuccessAt: 2 } },
    }));
    const after = store.entry(target)!;
    expect(after).not.toBe(before);
    expect(after.state).toBe(before.state);
    expect(after.alarmed).toBe(before.alarmed);
    expect(after.collectors).toEqual({ state: { lastSuccessAt: 2 } });
    expect(changes.map((entries) => entries[0])).toEqual([before, after]);
  });
});
