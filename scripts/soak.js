/**
 * `npm run soak`: a bounded soak of the built exporter against the MoSAPI simulator, over
 * loopback only, stopping by itself.
 *
 *   node scripts/soak.js [--duration 3m] [--fault-every 5s] [--sample-every 2s]
 *                        [--tolerance 25] [--fd-slack 8] [--warmup 20]
 *
 * The simulator runs in this process (so a scenario swap can change a password); the exporter
 * runs as `node dist/main.js` in a child process with every collector at 1 s on four targets,
 * while /metrics is scraped continuously. Faults cycle: latency past the timeout, 500, 503,
 * 429 with Retry-After, malformed JSON, truncated JSON, an HTML error page, session eviction,
 * and (when at least 100 s remain, because a rejected login suspends logins for 60 s) a wrong
 * password. After each fault clears, every target must show `mosapi_up 1` again.
 *
 * Samples of the exporter process: RSS and open file descriptors and sockets (from /proc), heap
 * used and event-loop delay (its own `nodejs_heap_size_used_bytes` and
 * `nodejs_eventloop_lag_{p99,max}_seconds`, which prom-client takes from perf_hooks'
 * monitorEventLoopDelay). Verdict: after the warm-up, the last quarter's median RSS and heap are
 * within `--tolerance` % of the first quarter's, and open descriptors grew by at most
 * `--fd-slack`. Exit 0 when flat and every fault recovered, 1 otherwise.
 *
 * `runSoak` is also what test/soak/soak-short.test.ts runs, for a few seconds and in-process.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir, cpus } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Agent, request } from "undici";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The accounts the soak's targets log in with (the simulator's demo accounts). */
const TARGETS = [
  { tld: "example", username: "example_ry", password: "demo-example" },
  { tld: "test", username: "test_ry", password: "demo-test" },
  { tld: "xn--zckzah", username: "xn--zckzah_ry", password: "demo-xn--zckzah" },
  { registrar_id: "9999", username: "9999_rr", password: "demo-9999" },
];

/** The fault cycle; `wrong-password` is handled apart (it is a scenario swap, not a fault). */
const FAULTS = [
  { name: "latency 3 s (timeout)", fault: { kind: "latency", ms: 3000 } },
  { name: "HTTP 500", fault: { kind: "status", status: 500 } },
  { name: "HTTP 503 + Retry-After", fault: { kind: "status", status: 503, retryAfter: "1" } },
  { name: "HTTP 429 + Retry-After", fault: { kind: "status", status: 429, retryAfter: "1" } },
  { name: "malformed JSON", fault: { kind: "malformed" } },
  { name: "truncated JSON", fault: { kind: "truncated" } },
  { name: "HTML 502 page", fault: { kind: "html" } },
  { name: "session eviction", fault: { kind: "evict" } },
];
const WRONG_PASSWORD = "wrong password (scenario swap)";
/** A rejected login suspends logins for 60 s (LOGIN_BACKOFF): recovery needs that long. */
const LOGIN_BACKOFF_MS = 60_000;

/** `90s`, `3m`, `1500ms`, `2` (seconds) → milliseconds. */
export function parseDuration(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
  if (match === null) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? "s"];
  return Math.round(Number(match[1]) * unit);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Sum of the samples of `name` (any labels) in an exposition text. */
function sum(text, name, labelFilter = "") {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || (line[name.length] !== "{" && line[name.length] !== " "))
      continue;
    if (labelFilter !== "" && !line.includes(labelFilter)) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** `{tld="x",collector="y",…} v` lines of `name` → value by `tld=x collector=y`. */
function byCollector(text, name) {
  const values = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const target = /(tld|registrar_id)="([^"]*)"/.exec(line);
    const collector = /collector="([^"]*)"/.exec(line);
    if (target === null || collector === null) continue;
    const key = `${target[1]}=${target[2]} collector=${collector[1]}`;
    values.set(key, (values.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return values;
}

async function freePort() {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/** Open descriptors and how many are sockets, of `/proc/<pid>`. */
async function descriptors(pid) {
  const dir = `/proc/${pid}/fd`;
  const fds = await readdir(dir);
  let sockets = 0;
  for (const fd of fds) {
    const target = await readlink(path.join(dir, fd)).catch(() => "");
    if (target.startsWith("socket:")) sockets += 1;
  }
  return { fds: fds.length, sockets };
}

async function rssOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** The built exporter as a child process (`node dist/main.js`). */
export function childExporter(main = path.join(ROOT, "dist", "main.js")) {
  return async (configFile) => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, "--config.file", configFile, "--web.listen-address", `127.0.0.1:${port}`],
      { stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH ?? "" } },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      // Keep the tail only: this runs for minutes.
      stderr = (stderr + chunk.toString("utf8")).slice(-20_000);
    });
    const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    return {
      url: `http://127.0.0.1:${port}`,
      pid: child.pid,
      sample: async () => ({ rss: await rssOf(child.pid), ...(await descriptors(child.pid)) }),
      stop: async () => {
        child.kill("SIGTERM");
        // An exporter that does not stop is a finding, not a reason for the soak to hang.
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return { code, stderr };
      },
      exited,
    };
  };
}

/** The exporter in this process (for tests): `modules` are app/config/logger of src or dist. */
export function inProcessExporter({ startApp, loadConfig, createLogger }) {
  return async (configFile) => {
    const config = await loadConfig(configFile, { env: {} });
    const logger = createLogger({ level: "warn", format: "json", destination: { write() {} } });
    const app = await startApp({
      config,
      listen: { host: "127.0.0.1", port: 0 },
      logger,
      build: { version: "soak", revision: "soak", nodeVersion: process.version },
      defaultMetrics: true,
    });
    return {
      url: app.url,
      pid: process.pid,
      sample: async () => ({ rss: process.memoryUsage().rss, ...(await descriptors("self")) }),
      stop: async () => {
        await app.close();
        return { code: 0, stderr: "" };
      },
      exited: new Promise(() => {}),
    };
  };
}

function configYaml(simUrl) {
  const lines = [
    "mosapi:",
    `  url: ${simUrl}`,
    "  timeout: 2s",
    "credentials:",
    ...TARGETS.flatMap((t) => [
      `  ${t.username}:`,
      `    basic: {username: "${t.username}", password: "${t.password}"}`,
    ]),
    "targets:",
    ...TARGETS.map((t) =>
      t.tld === undefined
        ? `  - {registrar_id: "${t.registrar_id}", credentials: ${t.username}}`
        : `  - {tld: ${t.tld}, credentials: ${t.username}}`,
    ),
    "collectors: {state: 1s, alarmed: 1s, downtime: 1s, incidents: 1s, metrica: 1s, measurements: 1s}",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Runs the soak. `simulator` is `{ startSimulator, getScenario }` (src or dist); `exporter`
 * starts the exporter from a config file (see {@link childExporter}, {@link inProcessExporter}).
 * @returns samples, fault phases, the verdict, and `ok`
 */
export async function runSoak(options) {
  const {
    durationMs,
    faultEveryMs = 5000,
    sampleEveryMs = 2000,
    tolerancePercent = 25,
    fdSlack = 8,
    warmupPercent = 20,
    recoveryTimeoutMs = 20_000,
    simulator,
    exporter,
    log = () => {},
  } = options;
  const demo = simulator.getScenario("demo");
  const sim = await simulator.startSimulator({ scenario: demo });
  const dir = await mkdtemp(path.join(tmpdir(), "mosapi-soak-"));
  const configFile = path.join(dir, "soak.yml");
  await writeFile(configFile, configYaml(sim.url), { mode: 0o600 });
  const agent = new Agent({ connections: 1 });
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const exp = await exporter(configFile);
  log(
    `exporter ${exp.url} (pid ${exp.pid}), simulator ${sim.url}, ${Math.round(durationMs / 1000)} s`,
  );

  // The child needs a moment to listen; scrapes count from then on.
  for (let i = 0; ; i += 1) {
    const res = await request(`${exp.url}/-/healthy`, { dispatcher: agent }).catch(() => undefined);
    await res?.body.dump();
    if (res?.statusCode === 200) break;
    if (i >= 200) throw new Error(`the exporter did not listen at ${exp.url} within 20 s`);
    await sleep(100);
  }

  let lastMetrics = "";
  const scrapes = { ok: 0, failed: 0, errors: [] };
  const window = { p99: 0, max: 0 };
  let stopping = false;
  const scraper = (async () => {
    while (!stopping) {
      try {
        const res = await request(`${exp.url}/metrics`, { dispatcher: agent });
        const text = await res.body.text();
        if (res.statusCode === 200) {
          scrapes.ok += 1;
          lastMetrics = text;
          window.p99 = Math.max(window.p99, sum(text, "nodejs_eventloop_lag_p99_seconds"));
          window.max = Math.max(window.max, sum(text, "nodejs_eventloop_lag_max_seconds"));
        } else {
          scrapes.failed += 1;
          scrapes.errors.push(`HTTP ${res.statusCode} at ${(elapsed() / 1000).toFixed(1)} s`);
        }
      } catch (error) {
        scrapes.failed += 1;
        scrapes.errors.push(`${error.code ?? error.message} at ${(elapsed() / 1000).toFixed(1)} s`);
      }
      await sleep(100);
    }
  })();

  const samples = [];
  const sampler = (async () => {
    while (!stopping) {
      await sleep(sampleEveryMs);
      if (stopping || lastMetrics === "") continue;
      const proc = await exp.sample();
      samples.push({
        t: elapsed() / 1000,
        rss: proc.rss,
        heap: sum(lastMetrics, "nodejs_heap_size_used_bytes"),
        lagP99: window.p99,
        lagMax: window.max,
        fds: proc.fds,
        sockets: proc.sockets,
        requests: sum(lastMetrics, "mosapi_requests_total"),
        failures: sum(lastMetrics, "mosapi_refresh_failures_total"),
        scrapes: scrapes.ok,
      });
      window.p99 = 0;
      window.max = 0;
    }
  })();

  const allUp = () =>
    lastMetrics !== "" &&
    sum(lastMetrics, "mosapi_up") === TARGETS.length &&
    lastMetrics.split("\n").filter((l) => l.startsWith("mosapi_up{")).length === TARGETS.length;

  /**
   * Recovered: every target has `mosapi_up 1`, and every collector whose failures rose since
   * `failedBefore` has refreshed successfully since `clearedAt` (Unix s). Returns seconds, or
   * undefined with the collectors still failing.
   */
  const waitUp = async (timeoutMs, failedBefore = new Map(), clearedAt = 0) => {
    const from = performance.now();
    let pending = [];
    while (performance.now() - from < timeoutMs) {
      const failed = byCollector(lastMetrics, "mosapi_refresh_failures_total");
      const success = byCollector(lastMetrics, "mosapi_last_refresh_success_timestamp_seconds");
      pending = [...failed]
        .filter(([key, n]) => n > (failedBefore.get(key) ?? 0))
        .filter(([key]) => (success.get(key) ?? 0) < clearedAt)
        .map(([key]) => key);
      if (allUp() && pending.length === 0) return { seconds: (performance.now() - from) / 1000 };
      await sleep(100);
    }
    return { pending };
  };

  const phases = [];
  const firstUp = await waitUp(recoveryTimeoutMs);
  if (firstUp.seconds === undefined) phases.push({ fault: "start-up", recoveredS: undefined });
  let next = 0;
  let wrongPasswordDone = false;
  while (elapsed() + faultEveryMs < durationMs) {
    const remaining = durationMs - elapsed();
    const wrongPassword =
      !wrongPasswordDone && remaining > LOGIN_BACKOFF_MS + 40_000 && next >= FAULTS.length;
    let name;
    const failuresBefore = sum(lastMetrics, "mosapi_refresh_failures_total");
    const failedBefore = byCollector(lastMetrics, "mosapi_refresh_failures_total");
    if (wrongPassword) {
      wrongPasswordDone = true;
      name = WRONG_PASSWORD;
      // example_ry's password changes upstream, and its session goes: the re-login is refused.
      sim.setScenario({
        ...demo,
        accounts: demo.accounts.map((a) =>
          a.username === "example_ry" ? { ...a, password: "rotated-upstream" } : a,
        ),
      });
      sim.evictSessions();
    } else {
      const { name: faultName, fault } = FAULTS[next % FAULTS.length];
      name = faultName;
      next += 1;
      sim.addFault(fault);
    }
    await sleep(faultEveryMs);
    // Hold the fault until it has cost at least one counted refresh (a 3 s latency needs the
    // 2 s timeout to pass first), so every phase proves a failure and then a recovery.
    for (let waited = 0; waited < 10_000; waited += 100) {
      if (sum(lastMetrics, "mosapi_refresh_failures_total") > failuresBefore) break;
      await sleep(100);
    }
    if (wrongPassword) sim.setScenario(demo);
    else sim.clearFaults();
    const clearedAt = Date.now() / 1000;
    const recovery = await waitUp(
      wrongPassword ? LOGIN_BACKOFF_MS + recoveryTimeoutMs : recoveryTimeoutMs,
      failedBefore,
      clearedAt,
    );
    const recoveredS = recovery.seconds;
    // Failures the fault caused, counted until recovery (a held request fails after it clears).
    const failuresDuring = sum(lastMetrics, "mosapi_refresh_failures_total") - failuresBefore;
    phases.push({ fault: name, failuresDuring, recoveredS, pending: recovery.pending ?? [] });
    log(
      `${name}: ${failuresDuring} failed refreshes, ${recoveredS === undefined ? `NOT RECOVERED (still failing: ${(recovery.pending ?? []).join(", ")})` : `recovered in ${recoveredS.toFixed(1)} s`}`,
    );
    await sleep(Math.min(faultEveryMs, 2000));
  }
  while (elapsed() < durationMs) await sleep(200);

  stopping = true;
  await Promise.all([scraper, sampler]);
  const exit = await exp.stop();
  await agent.close();
  await sim.close();
  await rm(dir, { recursive: true, force: true });

  const verdict = judge(samples, { tolerancePercent, fdSlack, warmupPercent });
  const unrecovered = phases
    .filter((p) => p.recoveredS === undefined)
    .map(
      (p) => `${p.fault}${p.pending?.length ? ` (still failing: ${p.pending.join(", ")})` : ""}`,
    );
  const problems = [
    ...verdict.problems,
    ...unrecovered.map((f) => `not recovered after: ${f}`),
    ...(exit.code === 0 ? [] : [`exporter exit code ${exit.code}`]),
    ...(scrapes.failed === 0
      ? []
      : [`${scrapes.failed} scrapes failed (${scrapes.errors.slice(0, 3).join(", ")})`]),
  ];
  return { samples, phases, scrapes, verdict, exit, problems, ok: problems.length === 0 };
}

/** Compares the first and last quarter of the samples after the warm-up. */
export function judge(samples, { tolerancePercent, fdSlack, warmupPercent }) {
  const steady = samples.slice(Math.floor((samples.length * warmupPercent) / 100));
  const quarter = Math.max(1, Math.floor(steady.length / 4));
  const first = steady.slice(0, quarter);
  const last = steady.slice(-quarter);
  const m = (rows, key) => median(rows.map((r) => r[key]));
  const figures = {};
  const problems = [];
  for (const key of ["rss", "heap", "fds", "sockets", "lagP99"]) {
    figures[key] = { first: m(first, key), last: m(last, key) };
  }
  if (steady.length < 4) problems.push(`too few samples after the warm-up (${steady.length})`);
  for (const key of ["rss", "heap"]) {
    const { first: a, last: b } = figures[key];
    if (b > a * (1 + tolerancePercent / 100)) {
      problems.push(
        `${key} grew ${(((b - a) / a) * 100).toFixed(0)} % (limit ${tolerancePercent} %)`,
      );
    }
  }
  if (figures.fds.last - figures.fds.first > fdSlack) {
    problems.push(`open fds grew from ${figures.fds.first} to ${figures.fds.last}`);
  }
  return { figures, problems, flat: problems.length === 0 };
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
const msText = (seconds) => (seconds * 1000).toFixed(1);

/** The report as text: samples (at most ~40 rows), phases, verdict. */
export function formatReport(result, { durationMs }) {
  const out = [];
  const { samples, phases, verdict, scrapes } = result;
  const step = Math.max(1, Math.ceil(samples.length / 40));
  out.push(
    "| t (s) | RSS MiB | heap MiB | loop p99 ms | loop max ms | fds | sockets | upstream requests | refresh failures | scrapes |",
  );
  out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  samples.forEach((s, i) => {
    if (i % step !== 0 && i !== samples.length - 1) return;
    out.push(
      `| ${s.t.toFixed(0)} | ${mb(s.rss)} | ${mb(s.heap)} | ${msText(s.lagP99)} | ${msText(s.lagMax)} | ${s.fds} | ${s.sockets} | ${s.requests} | ${s.failures} | ${s.scrapes} |`,
    );
  });
  out.push(
    "",
    "| fault (each for the fault interval) | failed refreshes counted until recovery | mosapi_up 1 again after |",
    "|---|---:|---:|",
  );
  for (const p of phases) {
    out.push(
      `| ${p.fault} | ${p.failuresDuring ?? "-"} | ${p.recoveredS === undefined ? "NOT RECOVERED" : `${p.recoveredS.toFixed(1)} s`} |`,
    );
  }
  const f = verdict.figures;
  const last = samples.at(-1);
  out.push(
    "",
    `duration ${(durationMs / 1000).toFixed(0)} s; ${last?.requests ?? 0} upstream requests, ${last?.failures ?? 0} counted refresh failures, ${scrapes.ok} scrapes (${scrapes.failed} failed)`,
    `median first vs last quarter after warm-up: RSS ${mb(f.rss.first)} → ${mb(f.rss.last)} MiB, heap ${mb(f.heap.first)} → ${mb(f.heap.last)} MiB, fds ${f.fds.first} → ${f.fds.last}, sockets ${f.sockets.first} → ${f.sockets.last}, loop p99 ${msText(f.lagP99.first)} → ${msText(f.lagP99.last)} ms`,
    `exporter exit code ${result.exit.code}`,
    result.ok
      ? "VERDICT: flat, every fault recovered"
      : `VERDICT: FAILED — ${result.problems.join("; ")}`,
  );
  return out.join("\n");
}

function parseArgs(argv) {
  const options = {
    durationMs: 180_000,
    faultEveryMs: 5000,
    sampleEveryMs: 2000,
    tolerancePercent: 25,
    fdSlack: 8,
    warmupPercent: 20,
  };
  const keys = {
    "--duration": ["durationMs", parseDuration],
    "--fault-every": ["faultEveryMs", parseDuration],
    "--sample-every": ["sampleEveryMs", parseDuration],
    "--tolerance": ["tolerancePercent", Number],
    "--fd-slack": ["fdSlack", Number],
    "--warmup": ["warmupPercent", Number],
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split("=", 2);
    const spec = keys[flag];
    if (spec === undefined)
      throw new Error(`unknown option ${flag}; see the top of scripts/soak.js`);
    const value = inline ?? argv[(i += 1)];
    options[spec[0]] = spec[1](value);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const [{ startSimulator }, { getScenario }] = await Promise.all([
    import(pathToFileURL(path.join(ROOT, "dist/simulator/server.js")).href),
    import(pathToFileURL(path.join(ROOT, "dist/simulator/scenarios/index.js")).href),
  ]);
  const write = (line) => process.stdout.write(`${line}\n`);
  write(
    `# mosapi-exporter soak: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), ${new Date().toISOString()}`,
  );
  const result = await runSoak({
    ...options,
    simulator: { startSimulator, getScenario },
    exporter: childExporter(),
    log: (line) => write(`  ${line}`),
  });
  write("");
  write(formatReport(result, options));
  process.exitCode = result.ok ? 0 : 1;
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  await main();
}
