/**
 * Scrape benchmark (issue 7): /metrics of an N-target fleet served by the real exporter code,
 * against a bare prom-client registry with the same series and a plain node:http floor, one
 * server per child process; latency measured by the scraper (this process), CPU in the server.
 * Then the same with `Accept-Encoding: gzip` (issue 18) against a floor sending the same text
 * pre-gzipped, with the bytes on the wire.
 */
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { MetricsRenderer } from "../dist/metrics/render.js";
import { SelfMetrics } from "../dist/metrics/self-metrics.js";
import { forkChild, stopChild, usage } from "./lib/child.js";
import { clonedSnapshot } from "./lib/fleet.js";
import { scraper } from "./lib/http-client.js";
import { mb, median, ms, quantile, ratio, table } from "./lib/stats.js";

const kb = (bytes) => `${(bytes / 1e3).toFixed(1)} kB`;
const samples = (r) => `${r.samples}${r.failures ? ` (${r.failures} failed)` : ""}`;

const SERVER = fileURLToPath(new URL("./lib/scrape-server.js", import.meta.url));

/** The identity rows (the body as text), in the order they are measured. */
export const MODES = [
  "floor",
  "prom-client",
  "exporter",
  "exporter-changing",
  "exporter-change-per-scrape",
];

/**
 * The gzip rows: the scraper sends `Accept-Encoding: gzip`, as Prometheus does. The floor is a
 * server sending the same text gzipped once, whole, at zlib level 6.
 */
export const GZIP_ROWS = [
  { name: "floor-gzip", mode: "floor-gzip" },
  { name: "exporter-gzip", mode: "exporter" },
  { name: "exporter-changing-gzip", mode: "exporter-changing" },
  { name: "exporter-change-per-scrape-gzip", mode: "exporter-change-per-scrape" },
];

const cpuMs = (a, b) => (b.user - a.user + (b.system - a.system)) / 1000;

/**
 * In-process MetricsRenderer timings: first render (cold: every target rendered), cached (same
 * snapshot version), and after a change (one target's entry replaced, as a refresh does).
 */
export async function renderTimings(templates, n, repeats) {
  let snapshot = clonedSnapshot(templates, n, 1);
  const self = new SelfMetrics(
    { version: "b", revision: "b", nodeVersion: process.version },
    { defaultMetrics: false },
  );
  const renderer = new MetricsRenderer(() => snapshot, self);
  // Timed: what a scrape costs (the chunks it sends); the text is decoded only to count.
  const time = async () => {
    const started = performance.now();
    const chunks = await renderer.render();
    return { ms: performance.now() - started, chunks };
  };
  const first = await time();
  const text = Buffer.concat(first.chunks).toString("utf8");
  const cached = [];
  for (let i = 0; i < repeats; i++) cached.push((await time()).ms);
  const misses = [];
  for (let i = 0; i < repeats; i++) {
    const targets = [...snapshot.targets];
    targets[i % targets.length] = { ...targets[i % targets.length] };
    snapshot = { version: snapshot.version + 1, targets };
    misses.push((await time()).ms);
  }
  return {
    first: first.ms,
    bytes: Buffer.byteLength(text),
    series: text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length,
    cached: median(cached),
    miss: median(misses),
  };
}

/**
 * Scrapes `url` with `scrapers` concurrent keep-alive clients until each has done `perScraper`
 * scrapes or `budgetMs` has passed (at least `minPerScraper` each); returns the latencies.
 */
export async function scrapeLoad(
  url,
  { scrapers, perScraper, budgetMs, minPerScraper = 2, gzip = false },
) {
  const deadline = performance.now() + budgetMs;
  const latencies = [];
  const wire = [];
  let failures = 0;
  await Promise.all(
    Array.from({ length: scrapers }, async () => {
      const client = scraper({ gzip });
      try {
        for (let i = 0; i < perScraper; i++) {
          if (i >= minPerScraper && performance.now() > deadline) break;
          let result;
          try {
            result = await client.get(url);
          } catch (error) {
            // Counted and shown in the table ("n failed") rather than ending the whole run.
            failures += 1;
            console.error(`scrape of ${url} failed: ${error.code ?? error.message}`);
            continue;
          }
          // A gzip row answered without gzip (or the reverse) measured the wrong thing.
          const encoded = result.encoding === (gzip ? "gzip" : "identity");
          if (result.status !== 200 || !encoded) failures += 1;
          latencies.push(result.ms);
          wire.push(result.bytes);
        }
      } finally {
        client.close();
      }
    }),
  );
  return { latencies, wire, failures };
}

async function measureMode(mode, n, templatesPath, plan, gzip = false) {
  const { child, first } = await forkChild(SERVER, [mode, String(n), templatesPath]);
  try {
    const warm = scraper({ gzip });
    for (let i = 0; i < plan.warmup; i++) await warm.get(first.url);
    warm.close();
    // What the server spends between scrapes (exporter-changing: refreshes keep landing).
    const idleBefore = await usage(child);
    await new Promise((resolve) => setTimeout(resolve, plan.idleMs ?? 0));
    const idleAfter = await usage(child);
    const idleCpu = plan.idleMs ? cpuMs(idleBefore.cpu, idleAfter.cpu) / plan.idleMs : Number.NaN;
    const phases = {};
    for (const [name, load] of [
      ["sequential", { scrapers: 1, perScraper: plan.sequential, budgetMs: plan.budgetMs, gzip }],
      ["concurrent", { scrapers: 10, perScraper: plan.concurrent, budgetMs: plan.budgetMs, gzip }],
    ]) {
      const before = await usage(child);
      const { latencies, wire, failures } = await scrapeLoad(first.url, load);
      const after = await usage(child);
      phases[name] = {
        median: median(latencies),
        wire: median(wire),
        p99: quantile(latencies, 0.99),
        samples: latencies.length,
        failures,
        cpuPerScrape: cpuMs(before.cpu, after.cpu) / latencies.length,
        rss: after.memory.rss,
      };
    }
    return { mode, bytes: first.bytes, idleCpu, ...phases };
  } finally {
    await stopChild(child);
  }
}

/** Runs the scrape benchmark for `n` targets; prints and returns the figures. */
export async function benchScrape(templates, n, plan) {
  const templatesPath = join(tmpdir(), `mosapi-bench-templates-${process.pid}.json`);
  await writeFile(templatesPath, JSON.stringify(templates));
  const render = await renderTimings(templates, n, plan.renderRepeats);
  console.log(
    `\n## Scrape: ${n} targets × 5 services (${render.series} series, ${mb(render.bytes)})\n` +
      `MetricsRenderer in-process: first render (cache miss, cold) ${ms(render.first)}, ` +
      `cached ${ms(render.cached)}, miss after a snapshot change ${ms(render.miss)}\n`,
  );
  const results = {};
  try {
    for (const mode of MODES) results[mode] = await measureMode(mode, n, templatesPath, plan);
    for (const row of GZIP_ROWS) {
      results[row.name] = await measureMode(row.mode, n, templatesPath, plan, true);
    }
  } finally {
    await rm(templatesPath, { force: true });
  }
  for (const phase of ["sequential", "concurrent"]) {
    console.log(
      `\n${phase === "sequential" ? "1 scraper" : "10 concurrent scrapers"} over loopback HTTP:`,
    );
    table(
      [
        "server",
        "median",
        "p99",
        "CPU/scrape",
        "samples",
        "×prom-client (median)",
        "×floor (median)",
      ],
      MODES.map((mode) => {
        const r = results[mode][phase];
        return [
          mode,
          ms(r.median),
          ms(r.p99),
          ms(r.cpuPerScrape),
          samples(r),
          ratio(r.median, results["prom-client"][phase].median),
          ratio(r.median, results.floor[phase].median),
        ];
      }),
    );
    console.log(
      `\n${phase === "sequential" ? "1 scraper" : "10 concurrent scrapers"}, Accept-Encoding: gzip, vs a floor sending pre-gzipped bytes:`,
    );
    const floor = results["floor-gzip"][phase];
    table(
      [
        "server",
        "median",
        "p99",
        "CPU/scrape",
        "wire bytes",
        "samples",
        "×floor-gzip (median)",
        "×floor-gzip (wire)",
      ],
      GZIP_ROWS.map(({ name }) => {
        const r = results[name][phase];
        return [
          name,
          ms(r.median),
          ms(r.p99),
          ms(r.cpuPerScrape),
          kb(r.wire),
          samples(r),
          ratio(r.median, floor.median),
          ratio(r.wire, floor.wire),
        ];
      }),
    );
  }
  const idle = (name) => `${(results[name].idleCpu * 100).toFixed(1)} %`;
  console.log(
    `\nCPU between scrapes (${plan.idleMs} ms without a scrape, after the warm-up): ` +
      `exporter ${idle("exporter")}, exporter-changing ${idle("exporter-changing")} ` +
      `(identity scrapes only: changes rendered ahead), exporter-changing-gzip ` +
      `${idle("exporter-changing-gzip")} (gzip seen: changes compressed ahead too), ` +
      `floor-gzip ${idle("floor-gzip")}`,
  );
  return { n, render, results };
}
