/**
 * End-to-end harness: a MoSAPI simulator and the whole exporter (`startApp`) on loopback, the
 * exporter configured through the real loader (`loadConfig` on a YAML file written to a temp
 * directory), logging JSON at debug level into a {@link LogSink}. Plus what the e2e tests read
 * the exporter with: its HTTP endpoints, a small exposition-format parser, and a bounded poll.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request, type Dispatcher } from "undici";
import { stringify } from "yaml";
import { startApp, type RunningApp } from "../../src/app/start.js";
import { loadConfig, type Config } from "../../src/config/load.js";
import { createLogger } from "../../src/log/logger.js";
import type { Scenario } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import {
  startSimulator,
  type RunningSimulator,
  type StartSimulatorOptions,
} from "../../src/simulator/server.js";
import { createLogSink, type LogSink } from "./log-sink.js";

/** What to start. */
export interface E2eOptions {
  /** Default: the shipped `demo` scenario. */
  readonly scenario?: Scenario;
  /** Further simulator options: `sessionTtlMs`, `tls`, `clock`, … */
  readonly simulator?: Omit<StartSimulatorOptions, "scenario">;
  /**
   * The config file's content for a simulator at `sim.url`: a plain object (written as YAML)
   * or YAML text. Relative paths in it (password files, certificates) are relative to `dir`.
   */
  readonly config: (sim: RunningSimulator, dir: string) => unknown;
  /** Files written into the config directory first, by relative name (password files, PEM). */
  readonly files?: Readonly<Record<string, string>>;
  /** Environment for `password_env`; default none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Runs once the simulator listens, before the exporter starts (faults for the first refresh). */
  readonly beforeStart?: (sim: RunningSimulator) => void;
  /**
   * Jitter source of the exporter. Default `() => 0`: every first refresh starts at once and
   * intervals are 10 % short (a `1s` interval refreshes every 900 ms), which keeps tests quick.
   */
  readonly random?: () => number;
}

/** A complete HTTP answer of the exporter. */
export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request the simulator answered, in the order they finished. */
export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Account username, certificate CN or `(anonymous)`. */
  readonly credential: string;
}

/** Options of {@link E2e.waitFor}. */
export interface WaitOptions {
  /** Give up after this long; default 5000 ms. */
  readonly timeoutMs?: number;
  /** What is awaited, for the failure message. */
  readonly what?: string;
}

/** A running simulator + exporter pair. */
export interface E2e {
  readonly sim: RunningSimulator;
  readonly app: RunningApp;
  /** Every request the simulator answered, in order (from its request log). */
  simRequests(): readonly SimRequest[];
  /** Every log line of the exporter (JSON, level debug and up). */
  readonly logs: LogSink;
  /** The config as loaded. */
  readonly config: Config;
  /** The temp directory holding the config file and `files`. */
  readonly dir: string;
  /** The config file in `dir`, for `--config.check` runs. */
  readonly configFile: string;
  /** GET (or another method) on the exporter, e.g. `get("/-/ready")`. */
  get(pathname: string, method?: "GET" | "POST"): Promise<HttpReply>;
  /** The `/metrics` body (fails the test unless the status is 200). */
  metricsText(): Promise<string>;
  /** One sample of the current `/metrics` (see {@link sampleValue}). */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number | undefined>;
  /** Polls `predicate` every 20 ms until it holds; rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean | Promise<boolean>, options?: WaitOptions): Promise<void>;
  /** Stops the exporter (it logs out), then the simulator; removes the temp directory. */
  close(): Promise<void>;
}

/** Version labels of `mosapi_exporter_build_info` in e2e runs. */
export const E2E_BUILD = { version: "e2e", revision: "e2e", nodeVersion: process.version };

/**
 * Polls `predicate` every 20 ms until it returns true.
 * @throws Error naming `what` when it still does not hold after `timeoutMs` (default 5 s)
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? "condition"}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One sample of the text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Every sample of an exposition text (comments skipped, label values unescaped).
 * @throws Error on a line that is neither a comment nor a sample
 */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE_LINE.exec(line);
    if (match?.[1] === undefined || match[3] === undefined) {
      throw new Error(`not an exposition line: ${line}`);
    }
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(LABEL_PAIR)) {
      labels[pair[1] ?? ""] = (pair[2] ?? "").replace(/\\(.)/g, (_, c: string) =>
        c === "n" ? "\n" : c,
      );
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples named `name` whose labels include every pair of `labels`. */
export function findSamples(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Sample[] {
  return parseSamples(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/**
 * The value of the one sample named `name` matching `labels`; undefined when there is none.
 * @throws Error when several samples match (the test should name more labels)
 */
export function sampleValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const found = findSamples(text, name, labels);
  if (found.length > 1) {
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  }
  return found[0]?.value;
}

/** Like {@link sampleValue} but 0 when absent: for counters that appear on their first count. */
export function counterValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return findSamples(text, name, labels).reduce((sum, s) => sum + s.value, 0);
}

/** `GET /ry/example/login 200 3ms example_ry` → its parts. */
function parseSimulatorLogLine(line: string): SimRequest {
  const [method = "", path = "", status = "", , ...credential] = line.split(" ");
  return { method, path, status: Number(status), credential: credential.join(" ") };
}

/** GET `url` through `agent`, reading the whole body. */
export async function fetchText(
  agent: Dispatcher,
  url: string,
  method: "GET" | "POST" = "GET",
): Promise<HttpReply> {
  const res = await request(url, { dispatcher: agent, method });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/**
 * Starts the simulator, writes the config (and `files`) to a fresh temp directory, loads it
 * with `loadConfig` and starts the exporter against the simulator on 127.0.0.1:0.
 * @throws ConfigError when the config is invalid; whatever `startApp` throws (either way,
 *   everything started so far is closed first)
 */
export async function startE2e(options: E2eOptions): Promise<E2e> {
  const requests: SimRequest[] = [];
  const sim = await startSimulator({
    scenario: options.scenario ?? getScenario("demo"),
    ...options.simulator,
    logger: (line) => {
      requests.push(parseSimulatorLogLine(line));
      options.simulator?.logger?.(line);
    },
  });
  const dir = await mkdtemp(path.join(tmpdir(), "mosapi-e2e-"));
  const agent = new Agent();
  const cleanup = async (): Promise<void> => {
    await sim.close();
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  };
  let config: Config;
  const configFile = path.join(dir, "mosapi-exporter.yml");
  try {
    for (const [name, content] of Object.entries(options.files ?? {})) {
      await writeFile(path.join(dir, name), content, { mode: 0o600 });
    }
    const content = options.config(sim, dir);
    await writeFile(configFile, typeof content === "string" ? content : stringify(content));
    config = await loadConfig(configFile, { env: options.env ?? {} });
    options.beforeStart?.(sim);
  } catch (error) {
    await cleanup();
    throw error;
  }

  const logs = createLogSink();
  const logger = createLogger({ level: "debug", format: "json", destination: logs.destination });
  let app: RunningApp;
  try {
    app = await startApp({
      config,
      listen: { host: "127.0.0.1", port: 0 },
      logger,
      build: E2E_BUILD,
      defaultMetrics: false,
      random: options.random ?? (() => 0),
    });
  } catch (error) {
    await cleanup();
    throw error;
  }

  const get = (pathname: string, method: "GET" | "POST" = "GET") =>
    fetchText(agent, app.url + pathname, method);
  const metricsText = async (): Promise<string> => {
    const reply = await get("/metrics");
    if (reply.status !== 200) throw new Error(`/metrics answered ${reply.status}: ${reply.body}`);
    return reply.body;
  };
  let closing: Promise<void> | undefined;
  return {
    sim,
    app,
    logs,
    simRequests: () => [...requests],
    config,
    dir,
    configFile,
    get,
    metricsText,
    metric: async (name, labels) => sampleValue(await metricsText(), name, labels),
    waitFor,
    close: () => {
      closing ??= (async () => {
        await app.close();
        await cleanup();
      })();
      return closing;
    },
  };
}

/**
 * A `collectors:` section refreshing only `state`, every `interval`: the tests count requests
 * and failures of the state collector, so the other collectors stay out of the way.
 */
export function onlyState(interval = "1s"): Record<string, string | number> {
  return { state: interval, alarmed: 0, downtime: 0, incidents: 0, metrica: 0, measurements: 0 };
}

/** A Basic credential entry with an inline password, as in the config file. */
export function basicCredential(username: string, password: string): Record<string, unknown> {
  return { basic: { username, password } };
}

/** The demo scenario's registry and registrar targets with their own demo accounts. */
export const DEMO_LOGINS = {
  example: { username: "example_ry", password: "demo-example" },
  test: { username: "test_ry", password: "demo-test" },
  "xn--zckzah": { username: "xn--zckzah_ry", password: "demo-xn--zckzah" },
  "9999": { username: "9999_rr", password: "demo-9999" },
} as const;
