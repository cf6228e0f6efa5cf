/**
 * Startup benchmark (issues 7 and 16): `node dist/main.js` spawned against the simulator (in a
 * child process) serving N fleet TLDs, with every collector on at the default intervals. It
 * reports, in one run:
 *
 * - the time from spawn to the first 200 on /-/ready and to first full data (every collector of
 *   every target answered, per the simulator's counters, then checked on /metrics);
 * - with `latencyMs`, full data against its floor, two ways: the nominal floor (the requests the
 *   simulator answered until then × latency ÷ the cap of 4 slots), and the floor measured in
 *   the same run: a bare client replaying those requests against the same simulator, 4 at a
 *   time, doing nothing with the answers (see lib/replay.js); with the exporter's and the
 *   simulator's CPU time and the mean request time the exporter saw;
 * - the exporter's memory: resident (VmRSS) and its high-water mark since spawn (VmHWM, the peak
 *   the kernel saw) at full data, then every 10 s for `settleMs` (the settled RSS is the median
 *   of those samples);
 * - the upstream budget: requests (logins included) per target-hour over the settle window.
 *
 * From /-/ready on, /metrics is scraped with `Accept-Encoding: gzip` every `scrapeEveryMs`, as
 * the bundled Prometheus does (deploy/prometheus.yml, every 15 s): a scrape builds and
 * compresses the body, and the renderer times its work by the scrapes, so memory and CPU
 * without them would describe an exporter nobody runs.
 *
 * `nodeArgs` are the exporter's Node.js flags and `env` further environment variables, e.g. the
 * image's NODE_OPTIONS and GLIBC_TUNABLES (see {@link imageRuntime}).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ask, forkChild, stopChild } from "./lib/child.js";
import { FLEET_ACCOUNT, FLEET_CREDENTIALS, TEMPLATE_COUNT, fleetTld } from "./lib/fleet.js";
import { fetchText, scraper } from "./lib/http-client.js";
import { replay } from "./lib/replay.js";
import { systemClock } from "../dist/util/clock.js";
import { mb, median, ms, procCpuSeconds, procMemory } from "./lib/stats.js";

const SIM = fileURLToPath(new URL("./lib/sim-server.js", import.meta.url));
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const DOCKERFILE = fileURLToPath(new URL("../Dockerfile", import.meta.url));

/**
 * How the container image runs the exporter, from the Dockerfile's runtime stage (the Helm
 * chart and the systemd unit set the same): `nodeArgs`, its `NODE_OPTIONS` split into
 * arguments, and `env`, its `GLIBC_TUNABLES` (glibc's allocator settings) when it sets them.
 * The benchmark measures the exporter as it is shipped.
 */
export async function imageRuntime() {
  const text = await readFile(DOCKERFILE, "utf8");
  const quoted = (name) => new RegExp(`${name}="([^"]*)"`).exec(text)?.[1];
  const tunables = quoted("GLIBC_TUNABLES");
  return {
    nodeArgs: (quoted("NODE_OPTIONS") ?? "").split(/\s+/).filter(Boolean),
    env: tunables === undefined ? {} : { GLIBC_TUNABLES: tunables },
  };
}

/** All requests the simulator counted, logins included. */
function totalRequests(byTarget) {
  return Object.values(byTarget).reduce(
    (sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0),
    0,
  );
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function config(url, n) {
  const targets = Array.from(
    { length: n },
    (_, i) => `  - { tld: ${fleetTld(i)}, credentials: ${FLEET_CREDENTIALS} }`,
  );
  return [
    "mosapi:",
    `  url: ${url}`,
    "  version: 2",
    "  max_concurrency: 4",
    "credentials:",
    `  ${FLEET_CREDENTIALS}:`,
    `    basic: { username: ${FLEET_ACCOUNT.username}, password: ${FLEET_ACCOUNT.password} }`,
    "targets:",
    ...targets,
    "",
  ].join("\n");
}

/** Fleet members with an active incident need a measurement list and a measurement. */
function complete(counts, i) {
  if (counts === undefined) return false;
  const incident = i % TEMPLATE_COUNT === 1 || i % TEMPLATE_COUNT === 2;
  return (
    (counts.state ?? 0) >= 1 &&
    (counts.alarmed ?? 0) >= 5 &&
    (counts.downtime ?? 0) >= 5 &&
    (counts["metrica-latest"] ?? 0) >= 1 &&
    (!incident || (counts.measurement ?? 0) >= 1)
  );
}

/** Seconds of CPU in a `process.cpuUsage()` value. */
const cpuSeconds = ({ user, system }) => (user + system) / 1e6;

const sleep = (msec) => new Promise((resolve) => setTimeout(resolve, msec));

/** How often the benchmark scrapes, as deploy/prometheus.yml's `scrape_interval`. */
export const SCRAPE_EVERY_MS = 15_000;

/**
 * Scrapes `url` with gzip every `everyMs` until `stop()`, which resolves with the scrapes'
 * times to the last byte (ms).
 */
function scrapeEvery(url, everyMs) {
  const client = scraper({ gzip: true });
  const stopped = new AbortController();
  const times = [];
  const loop = (async () => {
    for (;;) {
      const woke = await systemClock.sleep(everyMs, stopped.signal).then(
        () => true,
        () => false,
      );
      if (!woke) return;
      const { status, ms: took } = await client.get(url);
      if (status !== 200) throw new Error(`/metrics answered ${status}`);
      times.push(took);
    }
  })();
  // Handled by stop(); until then a failed scrape must not crash the benchmark unreported.
  loop.catch(() => undefined);
  return {
    async stop() {
      stopped.abort();
      await loop.finally(() => client.close());
      return times;
    },
  };
}

/** Runs the startup benchmark for `n` targets; prints and returns the figures. */
export async function benchStartup(
  n,
  {
    timeoutMs = 60_000,
    latencyMs = 0,
    settleMs = 0,
    nodeArgs = [],
    env = {},
    scrapeEveryMs = SCRAPE_EVERY_MS,
  } = {},
) {
  const { child: sim, first } = await forkChild(
    SIM,
    latencyMs > 0 ? [String(n), "--log"] : [String(n)],
  );
  if (latencyMs > 0) await ask(sim, { latency: latencyMs });
  const dir = await mkdtemp(join(tmpdir(), "mosapi-bench-"));
  const file = join(dir, "config.yml");
  await writeFile(file, config(first.url, n));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const simCpuBefore = (await ask(sim, "usage")).cpu;
  const started = performance.now();
  const exporter = spawn(
    process.execPath,
    [
      ...nodeArgs,
      MAIN,
      "--config.file",
      file,
      "--web.listen-address",
      `127.0.0.1:${port}`,
      "--log.level",
      "error",
    ],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...env },
    },
  );
  const exited = new Promise((resolve) => exporter.once("exit", resolve));
  const stopExporter = async () => {
    if (exporter.exitCode === null && exporter.signalCode === null) exporter.kill("SIGTERM");
    await exited;
  };
  let stderr = "";
  exporter.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const deadline = started + timeoutMs;
  let scrapes;
  try {
    let readyMs;
    while (readyMs === undefined) {
      if (performance.now() > deadline || exporter.exitCode !== null)
        throw new Error(`exporter not ready: ${stderr}`);
      const ok = await fetchText(`${base}/-/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) {
        readyMs = performance.now() - started;
        scrapes = scrapeEvery(`${base}/metrics`, scrapeEveryMs);
      } else await sleep(10);
    }
    let fullMs;
    let done = 0;
    let requests = 0;
    while (fullMs === undefined && performance.now() < deadline) {
      const { byTarget } = await ask(sim, "stats");
      done = Array.from({ length: n }, (_, i) => complete(byTarget[`ry/${fleetTld(i)}`], i)).filter(
        Boolean,
      ).length;
      if (done === n) {
        fullMs = performance.now() - started;
        requests = totalRequests(byTarget);
      } else await sleep(50);
    }
    const memory = await procMemory(exporter.pid);
    const cpu = {
      exporter: await procCpuSeconds(exporter.pid),
      simulator: cpuSeconds((await ask(sim, "usage")).cpu) - cpuSeconds(simCpuBefore),
    };
    const answered = latencyMs > 0 ? (await ask(sim, "log")).log.slice(0, requests) : [];
    const { text } = await fetchText(`${base}/metrics`);
    const refreshed = text
      .split("\n")
      .filter((l) => l.startsWith("mosapi_last_refresh_success_timestamp_seconds{")).length;
    const sumOf = (prefix) =>
      text
        .split("\n")
        .filter((l) => l.startsWith(prefix))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    const meanRequestMs =
      (1000 * sumOf("mosapi_request_duration_seconds_sum")) /
      sumOf("mosapi_request_duration_seconds_count");
    const failures = sumOf("mosapi_refresh_failures_total{");
    const afterScrape = await procMemory(exporter.pid);
    const settled = [];
    const settleStart = performance.now();
    const requestsBefore = totalRequests((await ask(sim, "stats")).byTarget);
    for (let waited = 0; waited < settleMs; waited += 10_000) {
      await sleep(Math.min(10_000, settleMs - waited));
      settled.push(await procMemory(exporter.pid));
    }
    const settleHours = (performance.now() - settleStart) / 3_600_000;
    const perTargetHour =
      settled.length === 0
        ? undefined
        : (totalRequests((await ask(sim, "stats")).byTarget) - requestsBefore) / n / settleHours;
    const floorMs = latencyMs > 0 && fullMs !== undefined ? (requests * latencyMs) / 4 : undefined;
    const scrapeMs = await scrapes.stop();
    // The replay needs the simulator to itself, and the exporter's sessions logged out.
    await stopExporter();
    const replayed =
      floorMs === undefined ? undefined : await replay(first.url, answered, FLEET_ACCOUNT);
    const simMsPerRequest = answered.reduce((sum, e) => sum + e.ms, 0) / answered.length;
    const rssSettled = settled.map((m) => m.rss);
    const peakSettled = settled.at(-1)?.peakRss;
    const settings = [
      ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
      ...nodeArgs,
    ];
    const flags = settings.length === 0 ? "Node.js and glibc defaults" : settings.join(" ");
    console.log(
      `\n## Startup: ${n} targets (${latencyMs > 0 ? `${latencyMs} ms per request` : "simulator without added latency"}, cap 4, default timeout 15 s, ${flags})\n` +
        `spawn → /-/ready ${ms(readyMs)}; → first full data ` +
        (fullMs === undefined
          ? `NOT REACHED within ${ms(timeoutMs)} (${done}/${n} targets complete) `
          : `${ms(fullMs)} `) +
        `(${refreshed}/${n * 6} collector refreshes visible on /metrics${failures ? `, ${failures} failed refreshes counted` : ""})\n` +
        `exporter RSS then ${mb(memory.rss)} (peak ${mb(memory.peakRss)}); after one /metrics scrape ${mb(afterScrape.rss)}, peak ${mb(afterScrape.peakRss)}` +
        `\ngzip scrapes every ${ms(scrapeEveryMs)} from /-/ready to the end: ${scrapeMs.length}` +
        (scrapeMs.length === 0
          ? ""
          : `, median ${ms(median(scrapeMs))}, slowest ${ms(Math.max(...scrapeMs))}`) +
        (floorMs === undefined
          ? ""
          : `\nfull data vs nominal floor: ${ms(fullMs)} against ${ms(floorMs)} (${requests} requests × ${latencyMs} ms ÷ 4): ${(fullMs / floorMs).toFixed(2)}×` +
            `\nfull data vs floor measured in this run: a bare client replaying the ${replayed.requests} requests against this simulator, 4 at a time, took ${ms(replayed.ms)} (${((4 * replayed.ms) / replayed.requests).toFixed(1)} ms per request${replayed.failed ? `, ${replayed.failed} not 2xx` : ""}): ${(fullMs / replayed.ms).toFixed(2)}×` +
            `\nuntil full data: exporter CPU ${cpu.exporter.toFixed(1)} s (${((100 * cpu.exporter * 1000) / fullMs).toFixed(0)} % of a core), simulator CPU ${cpu.simulator.toFixed(1)} s; mean request ${meanRequestMs.toFixed(1)} ms as the exporter saw it, ${simMsPerRequest.toFixed(1)} ms inside the simulator`) +
        (settled.length === 0
          ? ""
          : `\nsettled: RSS every 10 s for ${ms(settleMs)} after full data ${rssSettled.map(mb).join(", ")}` +
            `\nsettled RSS ${mb(median(rssSettled))} (median), peak RSS since spawn ${mb(peakSettled)}` +
            `\nupstream: ${perTargetHour.toFixed(1)} requests per target-hour over the ${ms(settleMs)} after full data`),
    );
    return {
      n,
      readyMs,
      fullMs,
      done,
      refreshed,
      failures,
      rss: memory.rss,
      rssAfterScrape: afterScrape.rss,
      peakRss: afterScrape.peakRss,
      requests,
      floorMs,
      replayMs: replayed?.ms,
      scrapeMs,
      cpu,
      rssSettled,
      peakSettled,
      perTargetHour,
    };
  } finally {
    await scrapes?.stop().catch(() => undefined);
    await stopExporter();
    await stopChild(sim);
    await rm(dir, { recursive: true, force: true });
  }
}
