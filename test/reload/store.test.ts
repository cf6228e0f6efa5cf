import { describe, expect, it } from "vitest";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { registrar, tld } from "../helpers/fixtures.js";

describe("SnapshotStore.retarget", () => {
  it("switches target lists in one version: kept entries stay, removed vanish, added start empty", () => {
    const store = new SnapshotStore([tld("example"), tld("gone")]);
    store.update(tld("example"), (e) => ({ ...e, up: true, stateAttempted: true }));
    const kept = store.current().targets[0];
    const version = store.current().version;
    const moved = { ...tld("example"), credentials: "new" };
    store.retarget([registrar("9999"), moved], (_target, previous) => previous);
    const after = store.current();
    expect(after.version).toBe(version + 1);
    expect(after.targets.map((t) => [t.target, t.up])).toEqual([
      [registrar("9999"), false],
      [moved, true],
    ]);
    expect(after.targets[1]).toEqual({ ...kept, target: moved });
    store.update(tld("gone"), (e) => ({ ...e, up: true }));
    expect(store.current().version).toBe(after.version);
  });

  it("starts a target afresh when carry returns undefined", () => {
    const store = new SnapshotStore([tld("example")]);
    store.update(tld("example"), (e) => ({ ...e, up: true, stateAttempted: true }));
    store.retarget([tld("example")], () => undefined);
    expect(store.current().targets[0]).toEqual({
      target: tld("example"),
      up: false,
      stateAttempted: false,
      collectors: {},
    });
  });

  it("stays ready once ready, also when a reload adds a target not yet refreshed", () => {
    const store = new SnapshotStore([tld("example")]);
    store.retarget([tld("example"), tld("test")], (_t, previous) => previous);
    expect(store.isReady()).toBe(false);
    store.update(tld("example"), (e) => ({ ...e, stateAttempted: true }));
    store.update(tld("test"), (e) => ({ ...e, stateAttempted: true }));
    expect(store.isReady()).toBe(true);
    store.retarget([tld("example"), tld("added")], (_t, previous) => previous);
    expect(store.isReady()).toBe(true);
  });
});
