/**
 * Child process of the scrape benchmark: serves /metrics of a cloned N-target snapshot in one
 * of six ways, so the scraper (the parent) and the server never share a CPU thread:
 *   exporter          the real MetricsRenderer behind the real HTTP app (cache hit after the
 *                     first), gzipped when the scraper asks for it
 *   exporter-changing the same, wired to the store as the exporter runs it (`storeRenderer`:
 *                     changes rendered, and compressed once gzip was asked for, ahead of the
 *                     next scrape), while refreshes replace one target's entry every
 *                     {@link REFRESH_EVERY_MS}, the rate of a 1,000-target fleet
 *   exporter-change-per-scrape
 *                     one target's entry replaced inside every request, before the answer is
 *                     built: nothing can be prepared ahead (the worst case)
 *   prom-client       a bare prom-client registry with the same series, rendered per request
 *   floor             a plain node:http server returning the same bytes
 *   floor-gzip        the same, returning the same text gzipped once, whole, at zlib level 6
 * Argv: <mode> <targets> <templates.json>. Sends {ready, url, bytes}; answers "usage" messages
 * with process.cpuUsage() and memoryUsage().
 */
import http from "node:http";
import { gzipSync } from "node:zlib";
import { readFile } from "node:fs/promises";
import { SnapshotStore } from "../../dist/snapshot/store.js";
import { createHttpApp, startHttpServer } from "../../dist/http/server.js";
import { MetricsRenderer, storeRenderer } from "../../dist/metrics/render.js";
import { METRICS_CONTENT_TYPE } from "../../dist/metrics/prom.js";
import { SelfMetrics } from "../../dist/metrics/self-metrics.js";
import { systemClock } from "../../dist/util/clock.js";
import { registryFrom } from "./exposition.js";
import { clonedSnapshot, fleetTargets, silentLogger } from "./fleet.js";

const [mode, count, templatesPath] = process.argv.slice(2);

/**
 * How often a 1,000-target fleet replaces an entry with the default intervals: `state` every
 * 60 s and alarmed, downtime, incidents and measurements every 5 min per target make
 * 1,000 / 60 + 4 × 1,000 / 300 ≈ 30 replacements a second.
 */
const REFRESH_EVERY_MS = 33;
const n = Number(count);
const templates = JSON.parse(await readFile(templatesPath, "utf8"));

/** The exporter's renderer over a store loaded with the cloned snapshot. */
function exporterRenderer() {
  const store = new SnapshotStore(fleetTargets(n));
  for (const entry of clonedSnapshot(templates, n).targets) store.update(entry.target, () => entry);
  const self = new SelfMetrics(
    { version: "bench", revision: "bench", nodeVersion: process.version },
    { defaultMetrics: false },
  );
  self.onConfigLoad(true, Date.UTC(2026, 0, 1));
  const renderer =
    mode === "exporter-changing"
      ? storeRenderer(store, self)
      : new MetricsRenderer(() => store.current(), self);
  return { store, renderer };
}

async function listenPlain(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

let url;
let body;
if (["exporter", "exporter-changing", "exporter-change-per-scrape"].includes(mode)) {
  const { store, renderer } = exporterRenderer();
  const targets = store.current().targets.map((entry) => entry.target);
  // What a refresh does: one target's entry replaced (the next target each time).
  let refreshed = 0;
  const refresh = () => {
    store.update(targets[refreshed++ % targets.length], (entry) => ({ ...entry }));
  };
  const change = () => {
    if (mode === "exporter-change-per-scrape") refresh();
  };
  if (mode === "exporter-changing") setInterval(refresh, REFRESH_EVERY_MS);
  body = await renderer.renderText();
  const app = createHttpApp({
    renderMetrics: () => {
      change();
      return renderer.render();
    },
    renderMetricsGzip: () => {
      change();
      return renderer.renderGzip();
    },
    metricsContentType: METRICS_CONTENT_TYPE,
    isReady: () => true,
    snapshot: () => store.current(),
    info: { version: "bench", revision: "bench", nodeVersion: process.version, startedAt: 0 },
    clock: systemClock,
    logger: silentLogger(),
  });
  const running = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  url = `${running.url}/metrics`;
} else {
  const { renderer } = exporterRenderer();
  body = await renderer.renderText();
  if (mode === "prom-client") {
    const registry = registryFrom(body);
    url = await listenPlain(async (_req, res) => {
      const text = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(text);
    });
  } else if (mode === "floor") {
    const bytes = Buffer.from(body);
    url = await listenPlain((_req, res) => {
      res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "content-length": bytes.length });
      res.end(bytes);
    });
  } else if (mode === "floor-gzip") {
    const bytes = gzipSync(body, { level: 6 });
    url = await listenPlain((_req, res) => {
      res.writeHead(200, {
        "content-type": METRICS_CONTENT_TYPE,
        "content-encoding": "gzip",
        "content-length": bytes.length,
      });
      res.end(bytes);
    });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  url += "/metrics";
}
// Start from a collected heap so the first measurements are not a leftover of set-up.
globalThis.gc?.();
process.on("message", (message) => {
  if (message === "usage") {
    process.send({ cpu: process.cpuUsage(), memory: process.memoryUsage() });
  }
});
process.send({ ready: true, url, bytes: Buffer.byteLength(body) });
