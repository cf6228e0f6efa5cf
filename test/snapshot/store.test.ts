import { describe, expect, it } from "vitest";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { registrar, tld } from "../helpers/fixtures.js";

describe("SnapshotStore", () => {
  it("starts with every target not yet attempted, down, and not ready", () => {
    const store = new SnapshotStore([tld("example"), registrar("9999")]);
    const snapshot = store.current();
    expect(snapshot.version).toBe(0);
    expect(snapshot.targets.map((t) => [t.target.id, t.up, t.stateAttempted])).toEqual([
      ["example", false, false],
      ["9999", false, false],
    ]);
    expect(store.isReady()).toBe(false);
  });

  it("replaces the snapshot on update and never mutates an earlier one", () => {
    const store = new SnapshotStore([tld("example"), tld("test")]);
    const before = store.current();
    store.update(tld("test"), (entry) => ({ ...entry, up: true, stateAttempted: true }));
    const after = store.current();
    expect(after).not.toBe(before);
    expect(after.version).toBe(1);
    expect(before.targets[1]?.up).toBe(false);
    expect(after.targets[1]?.up).toBe(true);
    // Untouched entries are shared, not copied.
    expect(after.targets[0]).toBe(before.targets[0]);
  });

  it("tells its listeners which entries each change brought, until they unsubscribe", () => {
    const store = new SnapshotStore([tld("example"), tld("test")]);
    const told: string[][] = [];
    const unsubscribe = store.onChange((entries) => {
      told.push(entries.map((e) => `${e.target.id}:${String(e.up)}`));
    });
    store.update(tld("test"), (entry) => ({ ...entry, up: true }));
    store.update(tld("test"), (entry) => entry);
    store.update(tld("gone"), (entry) => ({ ...entry, up: true }));
    store.retarget([tld("test"), tld("new")], (_target, previous) => previous);
    unsubscribe();
    store.update(tld("new"), (entry) => ({ ...entry, up: true }));
    // The unchanged entry and the unknown target bring nothing; a retarget brings every entry
    // (each is re-pointed at its new Target object).
    expect(told).toEqual([["test:true"], ["test:true", "new:false"]]);
  });

  it("is ready once every target's first state refresh finished, success or failure", () => {
    const store = new SnapshotStore([tld("example"), registrar("9999")]);
    store.update(tld("example"), (e) => ({ ...e, stateAttempted: true, up: true }));
    expect(store.isReady()).toBe(false);
    store.update(registrar("9999"), (e) => ({ ...e, stateAttempted: true, up: false }));
    expect(store.isReady()).toBe(true);
  });

  it("ignores updates for a target that is not configured", () => {
    const store = new SnapshotStore([tld("example")]);
    store.update(tld("gone"), (e) => ({ ...e, up: true }));
    expect(store.current().version).toBe(0);
  });

  it("keys targets by kind and id: TLD 9999 and registrar 9999 are different targets", () => {
    const store = new SnapshotStore([tld("9999"), registrar("9999")]);
    store.update(registrar("9999"), (e) => ({ ...e, up: true }));
    expect(store.current().targets.map((t) => t.up)).toEqual([false, true]);
  });

  it("finds entries by key after a retarget reorders, adds and removes targets", () => {
    const store = new SnapshotStore([tld("a"), tld("b"), tld("c")]);
    store.update(tld("b"), (e) => ({ ...e, up: true, stateAttempted: true }));
    store.update(tld("c"), (e) => ({ ...e, up: true, stateAttempted: true }));
    store.retarget([tld("c"), tld("d"), tld("b")], (_target, previous) => previous);
    expect(store.current().targets.map((t) => [t.target.id, t.up])).toEqual([
      ["c", true],
      ["d", false],
      ["b", true],
    ]);
    expect(store.entry(tld("a"))).toBeUndefined();
    expect(store.update(tld("a"), (e) => ({ ...e, up: true }))).toBeUndefined();
    expect(store.entry(tld("b"))?.up).toBe(true);
    store.update(tld("d"), (e) => ({ ...e, up: true, stateAttempted: true }));
    expect(store.current().targets.map((t) => t.up)).toEqual([true, true, true]);
    expect(store.isReady()).toBe(true);
  });

  it("counts readiness only once every entry, including a carried-over one, was attempted", () => {
    const store = new SnapshotStore([tld("a"), tld("b")]);
    store.update(tld("a"), (e) => ({ ...e, stateAttempted: true }));
    // b's entry is started afresh by the reload, a's is kept; c is new.
    store.retarget([tld("a"), tld("b"), tld("c")], (target, previous) =>
      target.id === "a" ? previous : undefined,
    );
    store.update(tld("b"), (e) => ({ ...e, stateAttempted: true }));
    expect(store.isReady()).toBe(false);
    store.update(tld("c"), (e) => ({ ...e, stateAttempted: true }));
    expect(store.isReady()).toBe(true);
  });
});
