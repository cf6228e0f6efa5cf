/**
 * Refresh benchmark (issue 7): one `state` round over N targets against the simulator (in a
 * child process) with 50 ms latency on every request and the real client capped at 4 requests
 * in flight, against its floor N × latency ÷ cap; /metrics is scraped over HTTP throughout.
 */
import { setMaxListeners } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { stateJob } from "../dist/collectors/state.js";
import { createHttpApp, startHttpServer } from "../dist/http/server.js";
import { storeRenderer } from "../dist/metrics/render.js";
import { METRICS_CONTENT_TYPE } from "../dist/metrics/prom.js";
import { SelfMetrics } from "../dist/metrics/self-metrics.js";
import { systemClock } from "../dist/util/clock.js";
import { ask, forkChild, stopChild } from "./lib/child.js";
import { clonedSnapshot, fleetCollectors, silentLogger } from "./lib/fleet.js";
import { scraper } from "./lib/http-client.js";
import { median, ms, quantile, ratio } from "./lib/stats.js";

const SIM = fileURLToPath(new URL("./lib/sim-server.js", import.meta.url));
const SCRAPER = fileURLToPath(new URL("./lib/scraper-child.js", import.meta.url));

/** Runs one timed state round for `n` targets; prints and returns the figures. */
export async function benchRefresh(templates, n, { latencyMs = 50, cap = 4 } = {}) {
  const { child: sim, first } = await forkChild(SIM, [String(n)]);
  // The default 15 s timeout covers the time on MoSAPI only; slot waits are bounded by 60 s.
  const { targets, deps, client, store, failures } = fleetCollectors({ url: first.url }, n, {
    maxConcurrency: cap,
    timeoutMs: 15_000,
  });
  const self = new SelfMetrics(
    { version: "b", revision: "b", nodeVersion: process.version },
    { defaultMetrics: true },
  );
  const renderer = storeRenderer(store, self);
  const http = await startHttpServer(
    createHttpApp({
      renderMetrics: () => renderer.render(),
      metricsContentType: METRICS_CONTENT_TYPE,
      isReady: () => store.isReady(),
      snapshot: () => store.current(),
      info: { version: "b", revision: "b", nodeVersion: process.version, startedAt: 0 },
      clock: systemClock,
      logger: silentLogger(),
    }),
    { host: "127.0.0.1", port: 0 },
  );
  const signal = new AbortController().signal;
  // Every job of the round listens on this one signal (the scheduler gives each run its own).
  setMaxListeners(0, signal);
  try {
    // Warm-up without latency: sessions open, state known; then the other collectors' data.
    let warmStart = performance.now();
    await Promise.all(targets.map((t) => stateJob(deps, t, 60_000).run(signal)));
    const loginRoundMs = performance.now() - warmStart;
    warmStart = performance.now();
    await Promise.all(targets.map((t) => stateJob(deps, t, 60_000).run(signal)));
    const noLatencyRoundMs = performance.now() - warmStart;
    const clones = clonedSnapshot(templates, n).targets;
    for (const clone of clones) {
      store.update(clone.target, (entry) => ({
        ...entry,
        alarmed: clone.alarmed,
        downtimeMinutes: clone.downtimeMinutes,
        incidents: clone.incidents,
        metrica: clone.metrica,
        collectors: { ...clone.collectors, state: entry.collectors.state },
      }));
    }
    const idle = await scrapeFor(http.url, 5);
    await ask(sim, { latency: latencyMs });
    const round = async () => {
      const failedBefore = failures.count;
      const reasonsBefore = { ...failures.reasons };
      const started = performance.now();
      await Promise.all(targets.map((t) => stateJob(deps, t, 60_000).run(signal)));
      return {
        ms: performance.now() - started,
        failed: failures.count - failedBefore,
        reasons: Object.entries(failures.reasons)
          .filter(([reason, count]) => count > (reasonsBefore[reason] ?? 0))
          .map(([reason, count]) => `${reason} ${count - (reasonsBefore[reason] ?? 0)}`)
          .join(", "),
      };
    };
    // Round A alone: the refresh path's own cost. Round B with /metrics scraped once a second
    // (more often than an HA pair of Prometheus servers at a 15 s interval).
    const alone = await round();
    // The scraper is a process of its own, as Prometheus is: receiving the body must not cost
    // the exporter's thread. It starts scraping just before the round starts.
    const { child: scraping } = await forkChild(SCRAPER, [`${http.url}/metrics`]);
    // How long the event loop was blocked: a slow scrape with a long block means synchronous
    // work in this process (rendering, the round's bookkeeping, GC), not the network.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const scraped = await round();
    const { scrapes } = await ask(scraping, "stop");
    loopDelay.disable();
    await stopChild(scraping);
    const during = scrapes.map((scrape) => scrape.ms);
    const slowest = during.indexOf(Math.max(...during));
    const floorMs = (n * latencyMs) / cap;
    const result = {
      n,
      roundMs: alone.ms,
      scrapedRoundMs: scraped.ms,
      floorMs,
      noLatencyRoundMs,
      loginRoundMs,
      failed: alone.failed,
      scrapedFailed: scraped.failed,
      idleMedian: median(idle),
      scrapeMedian: median(during),
      scrapeP99: quantile(during, 0.99),
      scrapeMax: Math.max(...during),
      scrapes: during.length,
      slowestIndex: slowest,
      loopDelayP99: loopDelay.percentile(99) / 1e6,
      loopDelayMax: loopDelay.max / 1e6,
    };
    const failed = (r) => (r.failed ? `, ${r.failed} refreshes FAILED (${r.reasons})` : "");
    console.log(
      `\n## Refresh: ${n} targets, ${latencyMs} ms per request, cap ${cap}, default 15 s deadline\n` +
        `state round ${ms(alone.ms)} vs floor ${ms(floorMs)} (${n} × ${latencyMs} ms ÷ ${cap}): ${ratio(alone.ms, floorMs)}${failed(alone)}\n` +
        `same round without added latency ${ms(noLatencyRoundMs)} (first one, with logins: ${ms(loginRoundMs)})\n` +
        `state round while /metrics is scraped once a second ${ms(scraped.ms)}: ${ratio(scraped.ms, floorMs)}${failed(scraped)}\n` +
        `/metrics during that round: median ${ms(result.scrapeMedian)}, p99 ${ms(result.scrapeP99)}, ` +
        `max ${ms(result.scrapeMax)} over ${result.scrapes} scrapes (idle, cached: median ${ms(result.idleMedian)}); ` +
        `the slowest was scrape ${result.slowestIndex + 1}\n` +
        `event loop blocked during that round: p99 ${ms(result.loopDelayP99)}, max ${ms(result.loopDelayMax)}`,
    );
    return result;
  } finally {
    await http.close();
    await client.close();
    await stopChild(sim);
  }
}

async function scrapeFor(base, count) {
  const client = scraper();
  const latencies = [];
  for (let i = 0; i < count; i++) latencies.push((await client.get(`${base}/metrics`)).ms);
  client.close();
  return latencies;
}
