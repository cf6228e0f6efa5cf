/**
 * The hand-written exposition writer against prom-client, the library that wrote the golden
 * files: byte-identical output for random snapshots full of hostile strings and odd numbers,
 * and incremental rendering that redoes only the targets whose entry object changed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Snapshot, TargetSnapshot } from "../../src/snapshot/snapshot.js";
import type { Target } from "../../src/mosapi/target.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { OVERALL_STATUSES, SERVICE_STATUSES, SERVICE_TYPES } from "../../src/mosapi/models.js";
import {
  escapeHelp,
  escapeLabelValue,
  FamilyWriter,
  formatSampleValue,
} from "../../src/metrics/exposition.js";
import { MetricsRenderer, PREPARE_BATCH } from "../../src/metrics/render.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { SelfMetrics } from "../../src/metrics/self-metrics.js";
import { renderSnapshot, SnapshotRenderer } from "../../src/metrics/snapshot-renderer.js";
import { Gauge, Registry } from "../../src/metrics/prom.js";
import { healthyEntry, registrar, stateFixture, tld } from "../helpers/fixtures.js";
import { renderWithPromClient } from "./prom-client-reference.js";

const SEED = 20261123;
const AT = 1_795_435_230_000;

/** Strings that break naive writers: escapes, label syntax, and prom-client's hash separators. */
const HOSTILE = [
  "",
  "\\",
  '"',
  "\n",
  "\r\n",
  'ns1.example"} evil{x="',
  "back\\slash\\n",
  "a,b",
  "a:b,",
  "code:x,",
  "x,interface:y",
  "}\n# HELP fake\nmosapi_up 1",
  "\u0000\u2028é😀",
];

const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 6 }));
const value = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 1e21, 1e-7, 0.1 + 0.2),
);
const incidentIds = fc.constantFrom("i1", "i2", "i3");

const serviceState = fc.record({
  status: fc.constantFrom(...SERVICE_STATUSES),
  rawStatus: text,
  emergencyThreshold: fc.option(value, { nil: undefined }),
  incidents: fc.array(
    fc.record({
      incidentId: incidentIds,
      startTime: value,
      endTime: fc.constant(null),
      falsePositive: fc.boolean(),
      state: fc.constantFrom("active" as const, "resolved" as const),
    }),
    { maxLength: 3 },
  ),
});

const detail = fc.record({
  incidentId: incidentIds,
  measurementId: text,
  measurement: fc.record({
    cycleCalculationDateTime: value,
    service: text,
    status: text,
    probes: fc.constant([]),
    probeCounts: fc.record({ up: value, down: value, offline: value, no_result: value }),
    testErrors: fc.array(
      fc.record({ interface: text, code: text, description: text, count: value }),
      { maxLength: 4 },
    ),
    nameServers: fc.array(fc.record({ name: text, up: fc.boolean() }), { maxLength: 4 }),
  }),
});

/** Partial per-service records, as the collectors keep them. */
const perService = <T>(arb: fc.Arbitrary<T>) =>
  fc.dictionary(fc.constantFrom(...SERVICE_TYPES), arb, { maxKeys: 5 });

const target = fc.oneof(
  fc.constantFrom("example", "test", "xn--zckzah", "a-b").map(tld),
  fc.constantFrom("9999", "1", "42").map(registrar),
);

const entry = fc
  .record(
    {
      target,
      up: fc.boolean(),
      stateAttempted: fc.boolean(),
      state: fc.record({
        version: fc.constant(2),
        lastUpdateApiDatabase: value,
        tld: fc.constant(undefined),
        registrarId: fc.constant(undefined),
        status: fc.constantFrom(...OVERALL_STATUSES),
        rawStatus: text,
        services: perService(serviceState),
      }),
      alarmed: perService(fc.boolean()),
      downtimeMinutes: perService(value),
      incidents: perService(detail),
      metrica: fc.option(
        fc.record({
          domainListDate: fc.constant("2026-11-22"),
          reportTimestamp: value,
          uniqueAbuseDomains: value,
          threats: fc.array(
            fc.record({ threatType: text, count: fc.option(value, { nil: null }) }),
            { maxLength: 4 },
          ),
        }),
        { nil: null },
      ),
      collectors: fc.dictionary(
        fc.oneof(fc.constantFrom("state", "alarmed", "metrica"), text),
        fc.record({ lastSuccessAt: value }, { requiredKeys: [] }),
        { maxKeys: 4 },
      ),
    },
    { requiredKeys: ["target", "up", "stateAttempted", "collectors"] },
  )
  // The generator is looser than the readonly, exactly-optional snapshot types.
  .map((generated) => generated as unknown as TargetSnapshot);

/**
 * A store wired to a renderer as `storeRenderer` does, on a fake clock, with the ids of the
 * targets rendered (in order) recorded.
 */
function storeWired(targets: readonly Target[]) {
  const store = new SnapshotStore(targets);
  const self = new SelfMetrics(
    { version: "0.1.0", revision: "r", nodeVersion: "v0" },
    { defaultMetrics: false },
  );
  const rendered: string[] = [];
  const clock = new FakeClock();
  const renderer = new MetricsRenderer(
    () => store.current(),
    self,
    new SnapshotRenderer((e) => rendered.push(e.target.id)),
    undefined,
    clock,
  );
  store.onChange((changed) => {
    renderer.prepare(changed);
  });
  return { store, self, rendered, clock, renderer };
}

describe("the exposition writer equals prom-client byte for byte", () => {
  it("on random snapshots with hostile strings, odd numbers and repeated label sets", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 6 }), async (targets) => {
        const snapshot: Snapshot = { version: 1, targets };
        expect(new SnapshotRenderer().render(snapshot)).toBe(await renderWithPromClient(snapshot));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("through one long-lived renderer over many snapshots of unique targets", async () => {
    const renderer = new SnapshotRenderer();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(entry, {
          maxLength: 6,
          selector: (e) => `${e.target.entity}/${e.target.id}`,
        }),
        async (targets) => {
          const snapshot: Snapshot = { version: 1, targets };
          expect(renderer.render(snapshot)).toBe(await renderWithPromClient(snapshot));
        },
      ),
      { seed: SEED + 1, numRuns: 200 },
    );
  });

  it("an empty snapshot, like an empty registry, is a single newline", async () => {
    const snapshot: Snapshot = { version: 1, targets: [] };
    expect(await renderSnapshot(snapshot)).toBe("\n");
    expect(await renderWithPromClient(snapshot)).toBe("\n");
  });

  it("escapes hostile label values and HELP text and formats numbers as prom-client does", async () => {
    const registry = new Registry();
    const help = 'help with \\ backslash, "quotes" and a\nnewline';
    const gauge = new Gauge({ name: "x", help, labelNames: ["a", "b"], registers: [registry] });
    const writer = new FamilyWriter("x");
    const values = [0, -0, 1.5, 1e21, 1e-7, -3, Number.NaN, Infinity, -Infinity, 0.1 + 0.2];
    HOSTILE.forEach((hostile, i) => {
      const labels = { b: hostile, a: `${i}${hostile}` };
      const sample = values[i % values.length] ?? 0;
      gauge.set(labels, sample);
      writer.set(labels, sample);
    });
    // Label sets prom-client confuses (its key is "a:…,b:…,") are one series: place of the
    // first, labels and value of the last.
    for (const [labels, sample] of [
      [{ a: "1", b: "2,b:3" }, 1],
      [{ a: "1,b:2", b: "3" }, 2],
      [{ a: "7", b: "8" }, 3],
      [{ b: "8", a: "7" }, 4],
      // Other names, fewer names, then names that begin the last set's: the writer's cached
      // order of names must not carry over from one label set to the next.
      [{ a: "7" }, 5],
      [{ a: "7", b: "8" }, 6],
      [{ a: "1,b:2", b: "3" }, 7],
      [{ a: "9" }, 8],
    ] as const) {
      gauge.set(labels, sample);
      writer.set(labels, sample);
    }
    const expected = await registry.metrics();
    expect(`# HELP x ${escapeHelp(help)}\n# TYPE x gauge\n${writer.take()}`).toBe(expected);
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(formatSampleValue(Number.NaN)).toBe("Nan");
  });
});

describe("FamilyWriter", () => {
  it("merges repeats unless told its series are distinct, and starts afresh after take", () => {
    const merging = new FamilyWriter("x");
    const distinct = new FamilyWriter("x", { distinct: true });
    for (const writer of [merging, distinct]) {
      writer.set({ a: "1" }, 1);
      writer.set({ a: "2" }, 2);
      writer.set({ a: "1" }, 3);
    }
    expect(merging.take()).toBe('x{a="1"} 3\nx{a="2"} 2\n');
    expect(distinct.take()).toBe('x{a="1"} 1\nx{a="2"} 2\nx{a="1"} 3\n');
    merging.set({ a: "1" }, 4);
    merging.set({}, 5);
    expect(merging.take()).toBe('x{a="1"} 4\nx 5\n');
    expect(merging.take()).toBe("");
  });
});

describe("incremental rendering", () => {
  const entries = () => [
    healthyEntry(tld("test"), stateFixture("state-dns-down"), AT),
    healthyEntry(tld("example"), stateFixture("state-healthy"), AT),
    healthyEntry(registrar("9999"), stateFixture("state-registrar"), AT),
  ];

  it("a changed target entry is rendered again, and only it", async () => {
    const rendered: string[] = [];
    const renderer = new SnapshotRenderer((e) => rendered.push(e.target.id));
    const before = entries();
    expect(renderer.render({ version: 1, targets: before })).toBe(
      await renderWithPromClient({ version: 1, targets: before }),
    );
    expect(rendered).toEqual(["test", "example", "9999"]);

    rendered.length = 0;
    const [first, second, third] = before;
    const changed: TargetSnapshot = { ...second!, up: false };
    const after = [first!, changed, third!];
    const text = renderer.render({ version: 2, targets: after });
    expect(rendered).toEqual(["example"]);
    expect(text).toBe(await renderWithPromClient({ version: 2, targets: after }));
    expect(text).toContain('mosapi_up{tld="example"} 0\n');

    rendered.length = 0;
    renderer.render({ version: 3, targets: [third!, first!] });
    expect(rendered).toEqual([]);
  });

  it("two entries for one target are merged as prom-client merges their series", async () => {
    const rendered: string[] = [];
    const renderer = new SnapshotRenderer((e) => rendered.push(e.target.id));
    const [first, second] = entries();
    const twice: Snapshot = { version: 1, targets: [first!, second!, { ...first!, up: false }] };
    expect(renderer.render(twice)).toBe(await renderWithPromClient(twice));
    expect(rendered).toEqual([]);
  });

  it("a change joins only its block again; the other blocks are sent as the same Buffers", async () => {
    // 20 targets make 5 blocks of 5 (⌈√20⌉); every block holds every family's lines.
    const fleet = Array.from({ length: 20 }, (_, i) =>
      healthyEntry(tld(`t${i}`), stateFixture(i === 7 ? "state-dns-down" : "state-healthy"), AT),
    );
    const renderer = new SnapshotRenderer();
    const before = renderer.renderChunks({ version: 1, targets: fleet });
    const changed = [...fleet];
    changed[7] = { ...fleet[7]!, up: false };
    const snapshot: Snapshot = { version: 2, targets: changed };
    const after = renderer.renderChunks(snapshot);
    expect(Buffer.concat(after).toString("utf8")).toBe(await renderWithPromClient(snapshot));
    expect(after).toHaveLength(before.length);
    // Only the chunks of block 2 (t5–t9) are new, one per family it has lines in; the headers
    // and the other blocks' chunks are the very Buffers sent before.
    const lines = (chunk: Buffer) => chunk.toString("utf8");
    const fresh = after.filter((chunk) => !before.includes(chunk));
    expect(fresh).toEqual(after.filter((chunk) => lines(chunk).includes('tld="t7"')));
    expect(fresh.length).toBeGreaterThan(5);
    for (const chunk of fresh) {
      expect(lines(chunk)).toMatch(/^mosapi_\w+\{tld="t[5-9]"/);
      expect(lines(chunk)).not.toMatch(/tld="t(4|10)"/);
    }

    // Removing a target shifts the blocks after it: still the right text.
    const shorter: Snapshot = { version: 3, targets: changed.slice(1) };
    expect(renderer.render(shorter)).toBe(await renderWithPromClient(shorter));
  });

  it("MetricsRenderer sends the same Buffers until the snapshot version changes", async () => {
    let snapshot: Snapshot = { version: 1, targets: entries() };
    const self = new SelfMetrics(
      { version: "0.1.0", revision: "r", nodeVersion: "v0" },
      { defaultMetrics: false },
    );
    const renderer = new MetricsRenderer(() => snapshot, self);
    const derived = (chunks: readonly Buffer[]) => chunks.slice(0, -1);
    const first = await renderer.render();
    const again = await renderer.render();
    expect(derived(again)).toEqual(derived(first));
    derived(again).forEach((chunk, i) => {
      expect(chunk).toBe(first[i]);
    });
    expect(Buffer.concat(derived(first)).toString("utf8")).toBe(
      await renderWithPromClient(snapshot),
    );
    expect(first.at(-1)?.toString("utf8")).toBe(await self.render());

    snapshot = { version: 2, targets: snapshot.targets.slice(1) };
    const next = await renderer.render();
    expect(Buffer.concat(derived(next)).toString("utf8")).toBe(
      await renderWithPromClient(snapshot),
    );
  });

  it("MetricsRenderer.prepare renders changed entries ahead of the scrape, once per scrape, so the scrape renders none", async () => {
    const { store, self, rendered, clock, renderer } = storeWired([
      tld("test"),
      tld("example"),
      registrar("9999"),
    ]);
    // Two scrapes 10 s apart: the next pass is 9 s after the second.
    await renderer.render();
    clock.advance(10_000);
    await renderer.render();
    rendered.length = 0;

    const [dnsDown, healthy, rr] = entries();
    store.update(tld("test"), () => ({ ...dnsDown!, up: false }));
    store.update(tld("test"), () => dnsDown!);
    store.update(tld("example"), () => healthy!);
    store.update(registrar("9999"), () => rr!);
    // Nothing until the pass; then each target's newest entry, once.
    await clock.advanceAsync(8_900);
    expect(rendered).toEqual([]);
    await clock.advanceAsync(100);
    expect(rendered).toEqual(["test", "example", "9999"]);

    // A change after the pass waits for the scrape.
    rendered.length = 0;
    store.update(tld("example"), () => ({ ...healthy!, up: false }));
    await clock.advanceAsync(500);
    expect(rendered).toEqual([]);
    clock.advance(500);
    const text = await renderer.renderText();
    expect(rendered).toEqual(["example"]);
    expect(text).toBe((await renderWithPromClient(store.current())) + (await self.render()));
  });

  it("MetricsRenderer.prepare renders nothing ahead without scrapes", async () => {
    const { store, rendered, clock } = storeWired([tld("test")]);
    const [dnsDown] = entries();
    store.update(tld("test"), () => dnsDown!);
    await clock.advanceAsync(60_000);
    expect(rendered).toEqual([]);
    expect(clock.pending()).toEqual([]);
  });

  it("MetricsRenderer.prepare renders a reload's worth of entries in batches, one per turn", async () => {
    const targets = Array.from({ length: 150 }, (_, i) => tld(`t${i}`));
    const { store, self, rendered, clock, renderer } = storeWired(targets);
    await renderer.render();
    clock.advance(10_000);
    await renderer.render();
    rendered.length = 0;
    // A reload re-points every entry at its new Target: all 150 are new to the renderer.
    store.retarget(targets, (_target, previous) => previous);
    clock.advance(9_000);
    const turn = () => new Promise(setImmediate);
    // The pass wakes on promise callbacks: the first batch comes without a turn.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(rendered).toHaveLength(PREPARE_BATCH);
    await turn();
    expect(rendered).toHaveLength(2 * PREPARE_BATCH);
    await turn();
    expect(rendered).toHaveLength(150);
    await turn();
    expect(rendered).toHaveLength(150);
    expect(await renderer.renderText()).toBe(
      (await renderWithPromClient(store.current())) + (await self.render()),
    );
    expect(rendered).toHaveLength(150);
  });
});
