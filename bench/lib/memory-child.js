/**
 * Child process of the memory benchmark (run with --expose-gc): loads N targets into a real
 * SnapshotStore the way the collectors do (one update per collector, freshly parsed data), then
 * runs 100 refresh rounds at the default intervals' proportions (state every round; alarmed,
 * downtime and incidents every 5th) with a /metrics render every 10th round. Argv: <targets>
 * <templates.json>. Sends {loaded, after} with RSS, peak RSS and heap after a full GC.
 */
import { readFile } from "node:fs/promises";
import { SnapshotStore } from "../../dist/snapshot/store.js";
import { storeRenderer } from "../../dist/metrics/render.js";
import { SelfMetrics } from "../../dist/metrics/self-metrics.js";
import { clonedSnapshot, fleetTargets } from "./fleet.js";
import { procMemory } from "./stats.js";

const [count, templatesPath] = process.argv.slice(2);
const n = Number(count);
const templates = JSON.parse(await readFile(templatesPath, "utf8"));
const clones = clonedSnapshot(templates, n).targets;
const fresh = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

const store = new SnapshotStore(fleetTargets(n));
const self = new SelfMetrics(
  { version: "b", revision: "b", nodeVersion: process.version },
  { defaultMetrics: true },
);
const renderer = storeRenderer(store, self);

function refresh(clone, collector, fields) {
  store.update(clone.target, (entry) => ({
    ...entry,
    ...Object.fromEntries(fields.map((field) => [field, fresh(clone[field])])),
    collectors: { ...entry.collectors, [collector]: { lastSuccessAt: Date.now() } },
  }));
}

async function measure() {
  globalThis.gc();
  const { rss, peakRss } = await procMemory(process.pid);
  const { heapUsed, heapTotal } = process.memoryUsage();
  return { rss, peakRss, heapUsed, heapTotal };
}

let started = performance.now();
for (const clone of clones) {
  store.update(clone.target, (entry) => ({
    ...entry,
    up: true,
    stateAttempted: true,
    state: fresh(clone.state),
  }));
  refresh(clone, "state", []);
  refresh(clone, "alarmed", ["alarmed"]);
  refresh(clone, "downtime", ["downtimeMinutes"]);
  refresh(clone, "incidents", ["incidents"]);
  refresh(clone, "metrica", ["metrica"]);
}
await renderer.render();
const loadMs = performance.now() - started;
const loaded = await measure();

started = performance.now();
const roundMs = [];
for (let round = 1; round <= 100; round++) {
  const roundStart = performance.now();
  for (const clone of clones) {
    refresh(clone, "state", ["state"]);
    if (round % 5 === 0) {
      refresh(clone, "alarmed", ["alarmed"]);
      refresh(clone, "downtime", ["downtimeMinutes"]);
      refresh(clone, "incidents", ["incidents"]);
    }
  }
  roundMs.push(performance.now() - roundStart);
  if (round % 10 === 0) await renderer.render();
}
const after = await measure();
process.send({
  loaded,
  after,
  loadMs,
  roundsMs: performance.now() - started,
  roundMs,
  version: store.current().version,
  // Used after the measurement on purpose: a renderer nothing refers to any more would be
  // collected before it, and its caches (what a running exporter holds) left out of the figures.
  chunks: (await renderer.render()).length,
});
