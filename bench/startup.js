/**
 * Startup benchmark (issues 7 and 16): `node dist/main.js` spawned against the simulator (in a
 * child process) serving N fleet TLDs → time from spawn to the first 200 on /-/ready and to
 * first full data (every collector of every target answered, per the simulator's counters, then
 * checked on /metrics), and the exporter's memory: resident (VmRSS) and its high-water mark
 * (VmHWM, the peak the kernel saw) at full data and after `settleMs` more. With `latencyMs`, every
 * request is delayed that long and full data is compared with its floor: the requests the
 * simulator answered until then × latency ÷ the cap of 4 slots.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ask, forkChild, stopChild } from "./lib/child.js";
import { FLEET_ACCOUNT, FLEET_CREDENTIALS, TEMPLATE_COUNT, fleetTld } from "./lib/fleet.js";
import { fetchText } from "./lib/http-client.js";
import { mb, ms, procMemory } from "./lib/stats.js";

const SIM = fileURLToPath(new URL("./lib/sim-server.js", import.meta.url));
const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

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

const sleep = (msec) => new Promise((resolve) => setTimeout(resolve, msec));

/** Runs the startup benchmark for `n` targets; prints and returns the figures. */
export async function benchStartup(
  n,
  { timeoutMs = 60_000, latencyMs = 0, settleMs = 0, nodeArgs = [] } = {},
) {
  const { child: sim, first } = await forkChild(SIM, [String(n)]);
  if (latencyMs > 0) await ask(sim, { latency: latencyMs });
  const dir = await mkdtemp(join(tmpdir(), "mosapi-bench-"));
  const file = join(dir, "config.yml");
  await writeFile(file, config(first.url, n));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
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
    },
  );
  let stderr = "";
  exporter.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const deadline = started + timeoutMs;
  try {
    let readyMs;
    while (readyMs === undefined) {
      if (performance.now() > deadline || exporter.exitCode !== null)
        throw new Error(`exporter not ready: ${stderr}`);
      const ok = await fetchText(`${base}/-/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) readyMs = performance.now() - started;
      else await sleep(10);
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
        requests = Object.values(byTarget).reduce(
          (sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0),
          0,
        );
      } else await sleep(50);
    }
    const memory = await procMemory(exporter.pid);
    const { text } = await fetchText(`${base}/metrics`);
    const refreshed = text
      .split("\n")
      .filter((l) => l.startsWith("mosapi_last_refresh_success_timestamp_seconds{")).length;
    const failures = text
      .split("\n")
      .filter((l) => l.startsWith("mosapi_refresh_failures_total{"))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    const afterScrape = await procMemory(exporter.pid);
    const settled = [];
    for (let waited = 0; waited < settleMs; waited += 10_000) {
      await sleep(10_000);
      settled.push(await procMemory(exporter.pid));
    }
    const floorMs = latencyMs > 0 && fullMs !== undefined ? (requests * latencyMs) / 4 : undefined;
    const rssSettled = settled.map((m) => m.rss);
    const peakSettled = settled.at(-1)?.peakRss;
    console.log(
      `\n## Startup: ${n} targets (simulator without added latency, cap 4, default timeout 15 s)\n` +
        `spawn → /-/ready ${ms(readyMs)}; → first full data ` +
        (fullMs === undefined
          ? `NOT REACHED within ${ms(timeoutMs)} (${done}/${n} targets complete) `
          : `${ms(fullMs)} `) +
        `(${refreshed}/${n * 5} collector refreshes visible on /metrics${failures ? `, ${failures} failed refreshes counted` : ""})\n` +
        `exporter RSS then ${mb(memory.rss)} (peak ${mb(memory.peakRss)}); after one /metrics scrape ${mb(afterScrape.rss)}, peak ${mb(afterScrape.peakRss)}` +
        (floorMs === undefined
          ? ""
          : `\n${latencyMs} ms per request: full data vs floor ${ms(floorMs)} (${requests} requests × ${latencyMs} ms ÷ 4): ${(fullMs / floorMs).toFixed(2)}×`) +
        (settled.length === 0
          ? ""
          : `\nsettled: RSS every 10 s for ${ms(settleMs)} after full data ${rssSettled.map(mb).join(", ")}; peak RSS since spawn ${mb(peakSettled)}`),
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
      rssSettled,
      peakSettled,
    };
  } finally {
    const exited = new Promise((resolve) => exporter.once("exit", resolve));
    if (exporter.exitCode === null) exporter.kill("SIGTERM");
    await exited;
    await stopChild(sim);
    await rm(dir, { recursive: true, force: true });
  }
}
