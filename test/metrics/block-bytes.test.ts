/**
 * The renderer keeps each target's lines once, as bytes in its block, and builds a changed
 * block by copying the unchanged targets' bytes: whatever the sequence of snapshots (targets
 * changed, added, removed, reordered, duplicated, shared traces, blocks shifting as the fleet
 * grows and shrinks), one long-lived renderer prints what a fresh one prints, and renders only
 * the entries it has no bytes for.
 */
import { setFlagsFromString } from "node:v8";
import { gunzipSync } from "node:zlib";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { Snapshot, TargetSnapshot, TraceView } from "../../src/snapshot/snapshot.js";
import type { TraceSummary } from "../../src/mosapi/probe-network.js";
import { targetKey } from "../../src/mosapi/target.js";
import { GzipBlocks } from "../../src/metrics/gzip-blocks.js";
import { releaseBuffer } from "../../src/metrics/release.js";
import { SnapshotRenderer } from "../../src/metrics/snapshot-renderer.js";
import { healthyEntry, registrar, stateFixture, tld } from "../helpers/fixtures.js";
import { renderWithPromClient } from "./prom-client-reference.js";

const AT = 1_795_435_230_000;
const STATES = ["state-healthy", "state-dns-down", "state-maintenance", "state-unknown"].map(
  (name) => stateFixture(name),
);

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Traces over a few probes × IPs, so that targets share some (first target wins). */
function traces(random: () => number): TraceView | null {
  if (random() < 0.5) return null;
  const list: TraceSummary[] = [];
  for (const probe of ["p1", "p2"]) {
    for (const ip of ["192.0.2.1", "192.0.2.2", "2001:db8::1"]) {
      if (random() < 0.4) {
        list.push({
          probe,
          ip,
          testTime: 1_795_435_000 + Math.floor(random() * 100),
          hops: 1 + Math.floor(random() * 20),
          reached: random() < 0.8,
          lossRatio: Math.floor(random() * 10) / 10,
          ...(random() < 0.7 ? { rttSeconds: Math.floor(random() * 1000) / 10000 } : {}),
        });
      }
    }
  }
  return { traces: list };
}

/** A new entry object for target `id`, its data drawn from `random`. */
function entryOf(id: string, random: () => number): TargetSnapshot {
  const target = id.startsWith("r") ? registrar(id.slice(1)) : tld(id);
  const state = STATES[Math.floor(random() * STATES.length)] ?? STATES[0]!;
  const entry = healthyEntry(target, state, AT + Math.floor(random() * 1000) * 1000);
  return {
    ...entry,
    up: random() < 0.9,
    alarmed: { dns: random() < 0.5, rdds: random() < 0.5 },
    downtimeMinutes: { dns: Math.floor(random() * 100) },
    traces: traces(random),
  };
}

function counting(): { renderer: SnapshotRenderer; rendered: TargetSnapshot[] } {
  const rendered: TargetSnapshot[] = [];
  // As render.ts runs it: the blocks a render replaces are given back at once, so a block
  // given back while still needed would print short.
  const renderer = new SnapshotRenderer((e) => rendered.push(e), { releaseReplaced: true });
  return { renderer, rendered };
}

const fresh = (snapshot: Snapshot) => new SnapshotRenderer().render(snapshot);

describe("a long-lived renderer prints what a fresh one prints", () => {
  const fleet = (n: number) => Array.from({ length: n }, (_, i) => entryOf(`t${i}`, prng(i + 1)));

  it("when the first target is removed, shifting every block, without rendering any", () => {
    const { renderer, rendered } = counting();
    const targets = fleet(30);
    renderer.render({ version: 1, targets });
    rendered.length = 0;
    for (let n = 29; n >= 20; n--) {
      const snapshot: Snapshot = { version: 31 - n, targets: targets.slice(30 - n) };
      expect(renderer.render(snapshot)).toBe(fresh(snapshot));
    }
    expect(rendered).toEqual([]);
  });

  it("when the fleet grows past a square, changing the block size, rendering only the new", () => {
    const { renderer, rendered } = counting();
    const targets = fleet(26);
    // 16 targets: blocks of 4; 17: blocks of 5; 25: 5; 26: 6.
    for (const n of [16, 17, 25, 26]) {
      rendered.length = 0;
      const snapshot: Snapshot = { version: n, targets: targets.slice(0, n) };
      expect(renderer.render(snapshot)).toBe(fresh(snapshot));
      expect(rendered).toHaveLength(n === 16 ? 16 : n === 17 ? 1 : n === 25 ? 8 : 1);
    }
  });

  it("when targets are reordered (a reload), moving them between blocks", async () => {
    const { renderer, rendered } = counting();
    const targets = fleet(20);
    renderer.render({ version: 1, targets });
    rendered.length = 0;
    const reversed: Snapshot = { version: 2, targets: [...targets].reverse() };
    expect(renderer.render(reversed)).toBe(fresh(reversed));
    expect(renderer.render(reversed)).toBe(await renderWithPromClient(reversed));
    expect(rendered).toEqual([]);
  });

  it("when a snapshot holds one target twice, and after it", () => {
    const { renderer, rendered } = counting();
    const targets = fleet(9);
    renderer.render({ version: 1, targets });
    rendered.length = 0;
    const twice: Snapshot = { version: 2, targets: [...targets, { ...targets[4]!, up: false }] };
    expect(renderer.render(twice)).toBe(fresh(twice));
    const changed = [...targets];
    changed[2] = entryOf("t2", prng(99));
    const after: Snapshot = { version: 3, targets: changed };
    expect(renderer.render(after)).toBe(fresh(after));
    expect(rendered).toEqual([changed[2]]);
  });

  it("when the targets sharing a trace swap places, so another one's values win", async () => {
    const trace = (hops: number): TraceSummary => ({
      probe: "p1",
      ip: "192.0.2.1",
      testTime: 1_795_435_000,
      hops,
      reached: true,
      lossRatio: 0,
    });
    const a = { ...healthyEntry(tld("a"), STATES[0]!, AT), traces: { traces: [trace(3)] } };
    const b = { ...healthyEntry(tld("b"), STATES[0]!, AT), traces: { traces: [trace(7)] } };
    const { renderer, rendered } = counting();
    const first: Snapshot = { version: 1, targets: [a, b] };
    const swapped: Snapshot = { version: 2, targets: [b, a] };
    expect(renderer.render(first)).toContain('mosapi_trace_hops{probe="p1",ip="192.0.2.1"} 3\n');
    const text = renderer.render(swapped);
    expect(text).toContain('mosapi_trace_hops{probe="p1",ip="192.0.2.1"} 7\n');
    expect(text).toBe(fresh(swapped));
    expect(text).toBe(await renderWithPromClient(swapped));
    expect(rendered).toEqual([a, b]);
  });
});

describe("prepare", () => {
  it("holds only the newest entry's lines per target: an older one is rendered again", () => {
    const { renderer, rendered } = counting();
    const [a, b] = [entryOf("a", prng(1)), entryOf("b", prng(2))];
    renderer.render({ version: 1, targets: [a, b] });
    const [a1, a2] = [entryOf("a", prng(3)), entryOf("a", prng(4))];
    renderer.prepare([a1]);
    renderer.prepare([a2]);
    expect(rendered).toEqual([a, b, a1, a2]);
    rendered.length = 0;
    const older: Snapshot = { version: 2, targets: [a1, b] };
    expect(renderer.render(older)).toBe(fresh(older));
    expect(rendered).toEqual([a1]);
  });

  it("holds the lines until the next render only; an entry rendered once is not prepared again", () => {
    const { renderer, rendered } = counting();
    const [a, b] = [entryOf("a", prng(1)), entryOf("b", prng(2))];
    renderer.render({ version: 1, targets: [a] });
    renderer.prepare([b]);
    renderer.prepare([a]);
    expect(rendered).toEqual([a, b]);
    rendered.length = 0;
    // b's prepared lines are dropped by a render that does not need them...
    renderer.render({ version: 2, targets: [a] });
    const both: Snapshot = { version: 3, targets: [a, b] };
    expect(renderer.render(both)).toBe(fresh(both));
    expect(rendered).toEqual([b]);
    // ...and, once in a block, b's bytes are found there.
    rendered.length = 0;
    renderer.prepare([b]);
    expect(renderer.render({ version: 4, targets: [b, a] })).toBe(
      fresh({ version: 4, targets: [b, a] }),
    );
    expect(rendered).toEqual([]);
  });

  it("leaves out an entry that fails to render, for the render, and prepares the rest of its batch", () => {
    const { renderer, rendered } = counting();
    const [a, b, c] = [entryOf("a", prng(1)), entryOf("b", prng(2)), entryOf("c", prng(3))];
    renderer.render({ version: 1, targets: [a, b, c] });
    const [a2, c2] = [entryOf("a", prng(4)), entryOf("c", prng(5))];
    // It fails half-way, after its first series were written: none of them may reach c2.
    const broken = Object.defineProperty({ ...entryOf("b", prng(6)) }, "state", {
      get: () => {
        throw new Error("unrenderable");
      },
    });
    rendered.length = 0;
    renderer.prepare([a2, broken, c2]);
    expect(rendered).toEqual([a2, c2]);
    rendered.length = 0;
    const ready: Snapshot = { version: 2, targets: [c2, b, a2] };
    expect(renderer.render(ready)).toBe(fresh(ready));
    expect(rendered).toEqual([]);
    expect(() => renderer.render({ version: 3, targets: [a2, broken, c2] })).toThrow(
      "unrenderable",
    );
  });
});

describe("what the renderer keeps alive", () => {
  it("not the entries of snapshots it rendered before (a generation of parsed data)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const renderer = new SnapshotRenderer();
    const refs = ((): WeakRef<TargetSnapshot>[] => {
      const old = Array.from({ length: 20 }, (_, i) => entryOf(`t${i}`, prng(i)));
      renderer.render({ version: 1, targets: old });
      old.slice(0, 5).forEach((entry) => {
        renderer.prepare([{ ...entry, up: !entry.up }]);
      });
      return old.map((entry) => new WeakRef(entry));
    })();
    const current = Array.from({ length: 20 }, (_, i) => entryOf(`t${i}`, prng(100 + i)));
    renderer.prepare([current[0]!]);
    const snapshot: Snapshot = { version: 2, targets: current };
    expect(renderer.render(snapshot)).toBe(fresh(snapshot));
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise(setImmediate);
    gc();
    expect(refs.filter((ref) => ref.deref() !== undefined)).toEqual([]);
  });
});

describe("giving memory back", () => {
  const fleet = Array.from({ length: 16 }, (_, i) => entryOf(`t${i}`, prng(i + 1)));
  /** `fleet` with the target at each of `indexes` replaced by a new entry object. */
  const changed = (base: readonly TargetSnapshot[], ...indexes: number[]) =>
    base.map((entry, index) => (indexes.includes(index) ? entryOf(`t${index}`, prng(99)) : entry));
  const text = (chunks: readonly Buffer[]) => Buffer.concat(chunks).toString("utf8");

  function spied(releaseReplaced: boolean) {
    const released: Buffer[] = [];
    const renderer = new SnapshotRenderer(undefined, {
      releaseReplaced,
      release: (bytes) => {
        released.push(bytes);
        releaseBuffer(bytes);
      },
    });
    return { renderer, released };
  }

  it("gives back the batches a render copied and the blocks it replaced, the rest kept whole", () => {
    const { renderer, released } = spied(true);
    const first = renderer.renderChunks({ version: 1, targets: fleet });
    expect(released).toEqual([]);
    // Blocks of four: target 5 is in the second block. Prepared, then rendered into it.
    const next = changed(fleet, 5);
    renderer.prepare([next[5]!]);
    expect(released).toEqual([]);
    const second = renderer.renderChunks({ version: 2, targets: next });
    // The batch and the replaced second block, each given back whole and emptied.
    expect(released).toHaveLength(2);
    for (const bytes of released) expect(bytes.byteLength).toBe(0);
    const viewOfReleased = (chunk: Buffer) =>
      released.some((bytes) => chunk.buffer === bytes.buffer);
    const emptied = first.filter(viewOfReleased);
    expect(emptied.length).toBeGreaterThan(0);
    for (const chunk of emptied) expect(chunk.byteLength).toBe(0);
    expect(second.some(viewOfReleased)).toBe(false);
    expect(text(second)).toBe(fresh({ version: 2, targets: next }));
  });

  it("gives each back as soon as no block left to build reads it: unread ones first", () => {
    const log: string[] = [];
    const renderer = new SnapshotRenderer((entry) => log.push(`render ${entry.target.id}`), {
      releaseReplaced: true,
      release: (bytes) => {
        log.push(oldBytes.has(bytes.buffer) ? "old block" : "batch");
        releaseBuffer(bytes);
      },
    });
    const oldBytes = new Set(
      renderer.renderChunks({ version: 1, targets: fleet }).map((c) => c.buffer),
    );
    log.length = 0;
    // Every target changed; those of the first and third blocks of four were prepared.
    const next = changed(fleet, ...fleet.keys());
    renderer.prepare(next.slice(0, 4));
    renderer.prepare(next.slice(8, 12));
    log.length = 0;
    const chunks = renderer.renderChunks({ version: 2, targets: next });
    const renders = (from: number) => [0, 1, 2, 3].map((i) => `render t${from + i}`);
    expect(log).toEqual([
      ...Array<string>(4).fill("old block"),
      "batch",
      ...renders(4),
      "batch",
      ...renders(12),
    ]);
    expect(text(chunks)).toBe(fresh({ version: 2, targets: next }));
  });

  it("forgets its blocks when a render fails after giving some back, and renders all again", () => {
    const { renderer, released } = spied(true);
    renderer.renderChunks({ version: 1, targets: fleet });
    const next = changed(fleet, 0, 1, 2, 3);
    renderer.prepare(next.slice(0, 4));
    const broken = Object.defineProperty({ ...next[9]! }, "state", {
      get: () => {
        throw new Error("unrenderable");
      },
    });
    const failing = next.map((entry, index) => (index === 9 ? broken : entry));
    expect(() => renderer.renderChunks({ version: 2, targets: failing })).toThrow("unrenderable");
    // The batch was given back once the first block was built from it.
    expect(released.length).toBeGreaterThan(0);
    for (const version of [3, 4]) {
      const snapshot: Snapshot = { version, targets: next };
      expect(text(renderer.renderChunks(snapshot))).toBe(fresh(snapshot));
    }
  });

  it("gives held blocks back when every hold ends: replaced ones then, current ones later", () => {
    const { renderer, released } = spied(true);
    const first = renderer.renderChunks({ version: 1, targets: fleet });
    const endFirst = renderer.hold();
    const endSecond = renderer.hold();
    // Blocks of four: this replaces the second block, still held twice.
    const second = changed(fleet, 5);
    renderer.renderChunks({ version: 2, targets: second });
    expect(released).toEqual([]);
    endFirst();
    expect(released).toEqual([]);
    endSecond();
    endSecond();
    expect(released).toHaveLength(1);
    const emptied = first.filter((chunk) => chunk.buffer === released[0]!.buffer);
    expect(emptied.length).toBeGreaterThan(0);
    for (const chunk of emptied) expect(chunk.byteLength).toBe(0);
    // The first block was held too and is still current: given back when a render replaces it.
    const third = changed(second, 0);
    const chunks = renderer.renderChunks({ version: 3, targets: third });
    expect(released).toHaveLength(2);
    expect(text(chunks)).toBe(fresh({ version: 3, targets: third }));
  });

  it("leaves held renders' blocks to V8, and replaced blocks unless asked to give them back", () => {
    const { renderer, released } = spied(true);
    const first = renderer.renderChunks({ version: 1, targets: fleet });
    renderer.hold();
    const second = changed(fleet, 5);
    renderer.renderChunks({ version: 2, targets: second });
    const third = changed(second, 9);
    renderer.renderChunks({ version: 3, targets: third });
    expect(released).toEqual([]);
    expect(text(first)).toBe(fresh({ version: 1, targets: fleet }));
    // The second block built after the hold is not held: replaced again, it is given back.
    renderer.renderChunks({ version: 4, targets: changed(third, 5) });
    expect(released).toHaveLength(1);

    const unasked = spied(false);
    const before = unasked.renderer.renderChunks({ version: 1, targets: fleet });
    const next = changed(fleet, 5);
    unasked.renderer.prepare([next[5]!]);
    unasked.renderer.renderChunks({ version: 2, targets: next });
    // Only the batch.
    expect(unasked.released).toHaveLength(1);
    expect(before.some((chunk) => chunk.buffer === unasked.released[0]!.buffer)).toBe(false);
    expect(text(before)).toBe(fresh({ version: 1, targets: fleet }));
  });
});

describe("packing: blocks kept only as their chunks' gzip members", () => {
  const fleet = Array.from({ length: 16 }, (_, i) => entryOf(`t${i}`, prng(i + 1)));
  const changed = (base: readonly TargetSnapshot[], ...indexes: number[]) =>
    base.map((entry, index) => (indexes.includes(index) ? entryOf(`t${index}`, prng(98)) : entry));

  /** A GzipBlocks that counts the chunks restored from it. */
  function store() {
    const restored: Uint8Array[] = [];
    const gzip = new (class extends GzipBlocks {
      override restore(chunks: readonly Uint8Array[]): Buffer {
        restored.push(...chunks);
        return super.restore(chunks);
      }
    })();
    return { gzip, restored };
  }

  it("gives back every block whose chunks have members, and restores a block only to copy from it", () => {
    const { renderer, rendered } = counting();
    const { gzip, restored } = store();
    const first = renderer.renderChunks({ version: 1, targets: fleet });
    const bytes = first.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    gzip.join(first);
    // Headers and shared families are no blocks: what is given back is less than the body.
    const given = renderer.pack(gzip);
    expect(given).toBeGreaterThan(bytes / 2);
    expect(given).toBeLessThan(bytes);
    expect(first.filter((chunk) => chunk.byteLength === 0).length).toBeGreaterThan(0);
    expect(renderer.pack(gzip)).toBe(0);

    // Blocks of four: target 5 changes, so only the second block is restored (its 3 others
    // copied), and only target 5 is rendered.
    rendered.length = 0;
    const second = changed(fleet, 5);
    renderer.renderChunks({ version: 2, targets: second });
    expect(rendered).toEqual([second[5]]);
    expect(new Set(restored).size).toBe(restored.length);
    expect(restored.every((chunk) => first.includes(chunk as Buffer))).toBe(true);
    expect(restored.length).toBeGreaterThan(0);
    expect(restored.length).toBeLessThan(first.length / 3);
    // The text restores the packed chunks it prints; nothing more is rendered.
    expect(renderer.render({ version: 2, targets: second })).toBe(
      fresh({ version: 2, targets: second }),
    );
    expect(rendered).toEqual([second[5]]);
  });

  it("packs each block it builds into the given store before building the next", () => {
    // Every chunk kept and every Buffer given back, in order, by the ArrayBuffer it lives in.
    const events: { kind: "keep" | "release"; memory: ArrayBufferLike }[] = [];
    const renderer = new SnapshotRenderer(undefined, {
      releaseReplaced: true,
      release: (bytes) => {
        events.push({ kind: "release", memory: bytes.buffer });
        releaseBuffer(bytes);
      },
    });
    const { gzip, restored } = store();
    const kept = new (class extends GzipBlocks {
      override keep(chunk: Uint8Array): void {
        events.push({ kind: "keep", memory: chunk.buffer });
        gzip.keep(chunk);
      }
      override has(chunk: Uint8Array): boolean {
        return gzip.has(chunk);
      }
      override restore(chunks: readonly Uint8Array[]): Buffer {
        return gzip.restore(chunks);
      }
    })();
    const check = (snapshot: Snapshot, built: number) => {
      events.length = 0;
      const chunks = renderer.renderChunks(snapshot, kept);
      // Runs of a block's chunks, each followed by that block's bytes given back: one new
      // block's bytes alive at a time.
      const runs: ArrayBufferLike[] = [];
      events.forEach((event, index) => {
        if (event.kind !== "keep") return;
        if (runs.at(-1) !== event.memory) runs.push(event.memory);
        const next = events[index + 1];
        if (next?.memory !== event.memory)
          expect(next).toEqual({ kind: "release", memory: event.memory });
      });
      expect(runs).toHaveLength(built);
      expect(new Set(runs).size).toBe(built);
      const text = gunzipSync(gzip.join(chunks)).toString("utf8");
      expect(text).toBe(fresh(snapshot));
      expect(renderer.render(snapshot)).toBe(text);
    };
    // Blocks of four: all four built, then the one target 5 changed, copying its three others
    // from the packed block restored.
    check({ version: 1, targets: fleet }, 4);
    check({ version: 2, targets: changed(fleet, 5) }, 1);
    expect(restored.length).toBeGreaterThan(0);
    // Without a store, nothing is packed as it is built: the new blocks' chunks are whole.
    const before = renderer.renderChunks({ version: 2, targets: changed(fleet, 5) });
    events.length = 0;
    const snapshot = { version: 3, targets: changed(fleet, 5, 9) };
    const built = renderer.renderChunks(snapshot).filter((chunk) => !before.includes(chunk));
    expect(events.some((event) => event.kind === "keep")).toBe(false);
    expect(built.length).toBeGreaterThan(0);
    expect(built.every((chunk) => chunk.byteLength > 0)).toBe(true);
    expect(renderer.render(snapshot)).toBe(fresh(snapshot));
  });

  it("keeps held blocks, and blocks with a chunk its store lacks, whole", () => {
    const { renderer } = counting();
    const { gzip } = store();
    const first = renderer.renderChunks({ version: 1, targets: fleet });
    const end = renderer.hold();
    gzip.join(first);
    expect(renderer.pack(gzip)).toBe(0);
    end();
    expect(renderer.pack(new GzipBlocks())).toBe(0);
    expect(Buffer.concat(first).toString()).toBe(fresh({ version: 1, targets: fleet }));
    expect(renderer.pack(gzip)).toBeGreaterThan(0);
  });
});

describe("a randomized sequence of snapshots", () => {
  it("matches a fresh renderer at every step and renders only entries it holds no bytes for", async () => {
    const random = prng(20261206);
    const pick = (n: number) => Math.floor(random() * n);
    let nextId = 50;
    let targets = Array.from({ length: 50 }, (_, i) => entryOf(`t${i}`, random));
    const { renderer, rendered } = counting();
    // Every third step or so, the blocks are packed as render.ts packs them after a gzip join:
    // the next render restores what it copies. A PRNG of its own leaves the sequence as it was.
    const packing = prng(7);
    const gzip = new GzipBlocks();
    // About a third of the renders keep each block only compressed as they build it, as
    // render.ts's do once gzip is wanted (a PRNG of its own too).
    const building = prng(11);
    // The model: the entries of the last render that built blocks, the newest prepared entry
    // per target not consumed yet, and every entry ever rendered.
    let held = new Set<TargetSnapshot>();
    let prepared = new Map<string, TargetSnapshot>();
    const ever = new WeakSet<TargetSnapshot>();
    const replace = (index: number) => {
      const old = targets[index]!;
      const id = old.target.entity === "rr" ? `r${old.target.id}` : old.target.id;
      targets[index] = entryOf(id, random);
    };

    for (let step = 1; step <= 400; step++) {
      targets = [...targets];
      const op = random();
      if (op < 0.45) {
        for (let k = 1 + pick(4); k > 0; k--) replace(pick(targets.length));
      } else if (op < 0.6 && targets.length < 70) {
        const id = random() < 0.2 ? `r${nextId++}` : `t${nextId++}`;
        targets.splice(pick(targets.length + 1), 0, entryOf(id, random));
      } else if (op < 0.75 && targets.length > 1) {
        targets.splice(pick(targets.length), 1 + pick(3));
      } else if (op < 0.85) {
        const from = pick(targets.length);
        const [moved] = targets.splice(from, 1);
        targets.splice(pick(targets.length + 1), 0, moved!);
      } else if (op < 0.9) {
        targets.reverse();
      } else if (op < 0.93) {
        targets = targets.map((entry) => ({ ...entry }));
      }
      let snapshot: Snapshot = { version: step, targets };
      const duplicated = random() < 0.05 && targets.length > 0;
      if (duplicated) {
        const twin = targets[pick(targets.length)]!;
        snapshot = { version: step, targets: [...targets, { ...twin, up: !twin.up }] };
      }

      rendered.length = 0;
      for (const entry of targets) {
        if (held.has(entry) || random() < 0.7) continue;
        renderer.prepare([entry]);
        if (!ever.has(entry)) {
          expect(rendered.at(-1)).toBe(entry);
          ever.add(entry);
          prepared.set(targetKey(entry.target), entry);
        }
      }
      rendered.length = 0;
      const text =
        building() < 0.3
          ? gunzipSync(gzip.join(renderer.renderChunks(snapshot, gzip))).toString("utf8")
          : renderer.render(snapshot);
      expect(text, `step ${step}`).toBe(fresh(snapshot));
      if (step % 50 === 0) expect(text).toBe(await renderWithPromClient(snapshot));
      if (duplicated) {
        expect(rendered).toEqual([]);
      } else {
        const newest = new Set(prepared.values());
        expect(rendered, `step ${step}`).toEqual(
          targets.filter((entry) => !held.has(entry) && !newest.has(entry)),
        );
        for (const entry of targets) ever.add(entry);
        held = new Set(targets);
        prepared = new Map();
      }
      if (packing() < 0.3) {
        rendered.length = 0;
        gzip.join(renderer.renderChunks(snapshot));
        renderer.pack(gzip);
        expect(rendered).toEqual([]);
      }
    }
  });
});
