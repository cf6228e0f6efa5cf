/**
 * A real Prometheus (and optionally a real Alertmanager) as child processes on loopback, for the
 * end-to-end tests of the shipped rules and dashboards: temp config and storage, bounded polls
 * of the HTTP API, an orderly stop. Plus `promtool check metrics` and a tiny webhook receiver.
 *
 * The binaries are Debian's `prometheus` / `prometheus-alertmanager` packages, found by
 * {@link findTool} (npm test's pretest step installs them). A missing binary is an error with that hint, never a skip: the test proves the rules
 * and queries work on the real thing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent, request } from "undici";
import { isMap, isSeq, parseDocument, stringify, type YAMLMap } from "yaml";
import { findTool } from "./tools.js";

/** How long a child may take to become ready, and to exit after SIGTERM. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
/** Poll period of every wait: fast enough for 1 s scrapes, cheap on 2 cores. */
const POLL_MS = 100;

/**
 * A free TCP port on 127.0.0.1: binds port 0, reads the port, closes. The port could in
 * principle be taken again before the child binds it; the child then fails loudly at start.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

const DURATION_PART = /(\d+)(ms|s|m|h|d|w|y)/g;
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/**
 * A Prometheus duration (`90s`, `1h30m`) in milliseconds.
 * @throws Error when `text` is not a Prometheus duration
 */
export function durationMs(text: string): number {
  if (!/^((\d+)(ms|s|m|h|d|w|y))+$/.test(text)) throw new Error(`not a duration: ${text}`);
  let total = 0;
  for (const [, n, unit] of text.matchAll(DURATION_PART)) {
    total += Number(n) * (UNIT_MS[unit ?? ""] ?? 0);
  }
  return total;
}

/** The rules of a rule file's document, as YAML maps (groups[].rules[]). */
function ruleMaps(
  text: string,
  file: string,
): { doc: ReturnType<typeof parseDocument>; rules: YAMLMap[] } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map(String).join("; ")}`);
  const groups = doc.get("groups");
  if (!isSeq(groups)) throw new Error(`${file}: no groups list`);
  const rules: YAMLMap[] = [];
  for (const group of groups.items) {
    const list = isMap(group) ? group.get("rules") : undefined;
    if (!isSeq(list)) throw new Error(`${file}: a group without a rules list`);
    for (const rule of list.items) if (isMap(rule)) rules.push(rule);
  }
  return { doc, rules };
}

/**
 * A rule file's text with every `for:` longer than `forDuration` set to `forDuration`; nothing
 * else changes. The end-to-end test cannot wait the minutes the shipped rules wait before
 * firing; the expressions themselves run exactly as shipped.
 * @throws Error when the text is not a rule file (no `groups[].rules` lists)
 */
export function shortenFor(text: string, forDuration: string, file = "rule file"): string {
  const limit = durationMs(forDuration);
  const { doc, rules } = ruleMaps(text, file);
  for (const rule of rules) {
    const value = rule.get("for");
    if (typeof value === "string" && durationMs(value) > limit) rule.set("for", forDuration);
  }
  return doc.toString();
}

/** One recording rule and one alerting rule of a rule file, by name. */
export interface RuleNames {
  readonly records: string[];
  readonly alerts: string[];
}

/**
 * The `record:` and `alert:` names of a rule file, in file order.
 * @throws Error when the text is not a rule file
 */
export function ruleNames(text: string, file = "rule file"): RuleNames {
  const { rules } = ruleMaps(text, file);
  const names = (key: string) =>
    rules.map((rule) => rule.get(key)).filter((name): name is string => typeof name === "string");
  return { records: names("record"), alerts: names("alert") };
}

/** One series of a query result: labels and value (the last value of a range vector). */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Options of the polling waits. */
export interface PollOptions {
  /** Give up after this long; default 15 s. */
  readonly timeoutMs?: number;
  /** What is awaited, for the failure message. */
  readonly what?: string;
}

/** A started child process with its captured output. */
interface Child {
  readonly process: ChildProcess;
  output(): string;
  exited: boolean;
}

/**
 * Spawns `binary` with `args`, capturing stdout+stderr (the last 64 KiB).
 * @throws Error with an install hint when the binary does not exist
 */
async function spawnChild(binary: string, args: readonly string[], hint: string): Promise<Child> {
  const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-65_536);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const child: Child = { process: proc, output: () => output, exited: false };
  proc.on("exit", () => {
    child.exited = true;
  });
  try {
    await Promise.race([
      once(proc, "spawn"),
      once(proc, "error").then(([e]) => Promise.reject(e as Error)),
    ]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT"
        ? `${binary} not found on PATH: ${hint}`
        : `cannot start ${binary}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return child;
}

/** SIGTERM, then SIGKILL if it is still there after {@link STOP_TIMEOUT_MS}; waits for exit. */
async function stopChild(child: Child): Promise<void> {
  if (child.exited || child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = once(child.process, "exit");
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every {@link POLL_MS} until it returns a value other than undefined.
 * @throws Error naming `what` (and the last error `check` threw) after `timeoutMs`
 */
export async function poll<T>(
  check: () => Promise<T | undefined>,
  options: PollOptions & { readonly describe?: () => string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof FatalPollError) throw error.cause;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      const more = options.describe ? `\n${options.describe()}` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.what ?? "condition"}${last}${more}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Thrown by a poll's check to stop polling at once: the poll rejects with `cause`. */
export class FatalPollError extends Error {
  override readonly cause: Error;

  constructor(cause: Error) {
    super(cause.message);
    this.cause = cause;
    this.name = "FatalPollError";
  }
}

/** What to run Prometheus with. */
export interface PrometheusOptions {
  /**
   * `host:port` of the exporter, scraped every second as job {@link jobName}. Required unless
   * {@link configText} is given.
   */
  readonly scrapeTarget?: string;
  /**
   * A complete Prometheus configuration to run as is, instead of the generated one
   * (`scrapeTarget`, `jobName`, `ruleFiles`, `forDuration` and `alertmanager` are then unused).
   */
  readonly configText?: string;
  /** Port to listen on (127.0.0.1); default a free one. */
  readonly port?: number;
  /**
   * The scrape job's name; default `mosapi-exporter`, the job every shipped deployment gives the
   * exporter (prometheus/README.md) and the one MosapiExporterDown selects.
   */
  readonly jobName?: string;
  /** Rule files to load; copied with `for:` shortened (see {@link shortenFor}). */
  readonly ruleFiles?: readonly string[];
  /** The shortened `for:`; default `2s`. */
  readonly forDuration?: string;
  /** `host:port` of an Alertmanager to send alerts to. */
  readonly alertmanager?: string;
  /** Default `prometheus`, found by {@link findTool}. */
  readonly binary?: string;
}

/** One rule as `/api/v1/rules` reports it. */
export interface RuleStatus {
  readonly name: string;
  readonly type: "alerting" | "recording";
  readonly health: string;
  readonly lastError?: string;
  readonly group: string;
}

/** A running Prometheus. */
export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The rule files as loaded (the shortened copies). */
  readonly ruleFiles: readonly string[];
  /**
   * Instant query at the current time: one sample per series (a scalar is one sample without
   * labels, a range vector gives each series' last value).
   * @throws Error with Prometheus' message when the query is invalid or fails
   */
  query(expr: string): Promise<PromSample[]>;
  /**
   * Polls `query(expr)` until `predicate` holds for the result; returns that result.
   * @throws Error with the last result and Prometheus' log tail after `timeoutMs` (default 15 s)
   */
  waitFor(
    expr: string,
    predicate: (samples: readonly PromSample[]) => boolean,
    options?: PollOptions,
  ): Promise<PromSample[]>;
  /** Every loaded rule with its evaluation health. */
  rules(): Promise<RuleStatus[]>;
  /** The last 64 KiB of Prometheus' log. */
  output(): string;
  /** SIGTERM, waits for the exit, removes the temp directory. Idempotent. */
  stop(): Promise<void>;
}

interface ApiReply<T> {
  readonly status: "success" | "error";
  readonly data: T;
  readonly error?: string;
  readonly errorType?: string;
}

/**
 * GET `url`, parsed as JSON (the caller states the shape: these are Prometheus' own APIs).
 * @throws Error with the start of the body when it is not JSON
 */
async function getJson(agent: Agent, url: string): Promise<unknown> {
  const res = await request(url, { dispatcher: agent });
  const text = await res.body.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url} answered ${res.statusCode} with non-JSON: ${text.slice(0, 200)}`);
  }
}

type QueryData =
  | { resultType: "vector"; result: { metric: Record<string, string>; value: [number, string] }[] }
  | {
      resultType: "matrix";
      result: { metric: Record<string, string>; values: [number, string][] }[];
    }
  | { resultType: "scalar" | "string"; result: [number, string] };

/** A query result as samples. */
function toSamples(data: QueryData): PromSample[] {
  switch (data.resultType) {
    case "vector":
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    case "matrix":
      return data.result.map((r) => ({
        metric: r.metric,
        value: Number(r.values.at(-1)?.[1] ?? Number.NaN),
      }));
    case "scalar":
    case "string":
      return [{ metric: {}, value: Number(data.result[1]) }];
  }
}

/**
 * Starts Prometheus with a temp config (scrape the exporter every 1 s, evaluate rules every 1 s,
 * optionally alert to `alertmanager`) and temp storage, on a free loopback port; resolves once
 * `/-/ready` answers 200.
 * @throws Error when the binary is missing, or (with its log) when it exits or is not ready in
 *   time (e.g. a rule file it refuses)
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? findTool("prometheus", "prometheus");
  const dir = await mkdtemp(path.join(tmpdir(), "mosapi-prometheus-"));
  const agent = new Agent();
  let child: Child | undefined;
  const cleanup = async () => {
    if (child) await stopChild(child);
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ruleFiles: string[] = [];
    for (const [index, file] of (options.ruleFiles ?? []).entries()) {
      const copy = path.join(dir, `${index}-${path.basename(file)}`);
      const text = await readFile(file, "utf8");
      await writeFile(copy, shortenFor(text, options.forDuration ?? "2s", file));
      ruleFiles.push(copy);
    }
    if (options.configText === undefined && options.scrapeTarget === undefined) {
      throw new Error("startPrometheus: give scrapeTarget or configText");
    }
    const configFile = path.join(dir, "prometheus.yml");
    await writeFile(
      configFile,
      options.configText ??
        stringify({
          global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
          rule_files: ruleFiles,
          scrape_configs: [
            {
              job_name: options.jobName ?? "mosapi-exporter",
              static_configs: [{ targets: [options.scrapeTarget] }],
            },
          ],
          ...(options.alertmanager
            ? {
                alerting: {
                  alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }],
                },
              }
            : {}),
        }),
    );
    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    child = await spawnChild(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--web.enable-lifecycle",
      ],
      "install Debian's `prometheus` package (npm test's pretest step does); this end-to-end test needs a real Prometheus",
    );
    const started = child;
    await poll(
      async () => {
        if (started.exited) {
          throw new FatalPollError(new Error(`${binary} exited at start:\n${started.output()}`));
        }
        const res = await request(`${url}/-/ready`, { dispatcher: agent });
        await res.body.dump();
        return res.statusCode === 200 ? true : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, what: `${binary} ready`, describe: () => started.output() },
    );

    const query = async (expr: string): Promise<PromSample[]> => {
      const body = (await getJson(
        agent,
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      )) as ApiReply<QueryData>;
      if (body.status !== "success") {
        throw new PrometheusQueryError(expr, `${body.errorType ?? "error"}: ${body.error ?? "?"}`);
      }
      return toSamples(body.data);
    };
    let stopping: Promise<void> | undefined;
    return {
      url,
      ruleFiles,
      query,
      waitFor: async (expr, predicate, pollOptions = {}) => {
        let last: PromSample[] | undefined;
        return poll(
          async () => {
            // An invalid query never becomes valid: fail at once instead of at the timeout.
            last = await query(expr).catch((error: unknown) => {
              if (error instanceof PrometheusQueryError) throw new FatalPollError(error);
              throw error;
            });
            return predicate(last) ? last : undefined;
          },
          {
            timeoutMs: pollOptions.timeoutMs ?? 15_000,
            what: pollOptions.what ?? expr,
            describe: () =>
              `last result of ${expr}: ${JSON.stringify(last)}\nprometheus log tail:\n${started.output().slice(-4000)}`,
          },
        );
      },
      rules: async () => {
        const body = (await getJson(agent, `${url}/api/v1/rules`)) as ApiReply<{
          groups: { name: string; rules: Omit<RuleStatus, "group">[] }[];
        }>;
        return body.data.groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
      },
      output: () => started.output(),
      stop: () => {
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Prometheus refused a query (bad syntax, unknown function, runtime error). */
export class PrometheusQueryError extends Error {
  readonly expr: string;
  readonly reason: string;

  constructor(expr: string, reason: string) {
    super(`query failed: ${reason}\n  ${expr}`);
    this.expr = expr;
    this.reason = reason;
    this.name = "PrometheusQueryError";
  }
}

/** What `promtool check metrics` said about an exposition text. */
export interface PromtoolResult {
  /** Exit status: 0 = valid and lint-clean, 1 = not parseable, 3 = lint problems. */
  readonly code: number | null;
  /** stdout + stderr (one lint problem per line). */
  readonly output: string;
}

/**
 * Pipes `text` to `promtool check metrics` (the linter Prometheus' own exporters are held to).
 * @throws Error with an install hint when promtool is missing
 */
export async function promtoolCheckMetrics(
  text: string,
  binary = findTool("promtool", "prometheus"),
): Promise<PromtoolResult> {
  const proc = spawn(binary, ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  proc.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  // Not `once(proc, "close")`: that would also reject (unhandled) on a spawn error.
  const closed = new Promise<number | null>((resolve) => proc.on("close", resolve));
  try {
    await Promise.race([
      once(proc, "spawn"),
      once(proc, "error").then(([e]) => Promise.reject(e as Error)),
    ]);
  } catch (error) {
    throw new Error(
      `${binary} not usable (${(error as Error).message}): install Debian's \`prometheus\` package (npm test's pretest step does)`,
      { cause: error },
    );
  }
  proc.stdin.end(text);
  const code = await closed;
  return { code, output };
}

/** One alert as Alertmanager's `/api/v2/alerts` reports it. */
export interface AlertmanagerAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly status: {
    readonly state: "active" | "suppressed" | "unprocessed";
    readonly inhibitedBy: readonly string[];
    readonly silencedBy: readonly string[];
  };
  readonly fingerprint: string;
}

/** A running Alertmanager. */
export interface RunningAlertmanager {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>`, for Prometheus' `alerting:` section. */
  readonly hostPort: string;
  /** Every alert it holds, with its inhibition/silence state. */
  alerts(): Promise<AlertmanagerAlert[]>;
  /**
   * Posts alerts to `/api/v2/alerts` as a Prometheus would (they stay for `resolve_timeout`).
   * @throws Error with Alertmanager's answer unless it is 200
   */
  post(alerts: readonly { readonly labels: Readonly<Record<string, string>> }[]): Promise<void>;
  /** Polls {@link alerts} until `predicate` holds; returns that list. */
  waitFor(
    predicate: (alerts: readonly AlertmanagerAlert[]) => boolean,
    options?: PollOptions,
  ): Promise<AlertmanagerAlert[]>;
  /** The last 64 KiB of its log. */
  output(): string;
  /** SIGTERM, waits for the exit, removes the temp directory. Idempotent. */
  stop(): Promise<void>;
}

/** A route node of an Alertmanager config, as far as the test config touches it. */
interface RouteNode {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: RouteNode[];
}

/**
 * A shipped Alertmanager config made runnable in a test: every receiver keeps its name but
 * sends to `webhookUrl` only (no mail, chat or pager), and grouping waits are 1 s instead of
 * the shipped tens of seconds (route tree, matchers and inhibit rules unchanged).
 * @throws Error when the text has no `route` or `receivers`
 */
export function alertmanagerTestConfig(text: string, webhookUrl: string): string {
  const config = parseDocument(text).toJS() as {
    route?: RouteNode;
    receivers?: { name: string }[];
    templates?: unknown;
  };
  if (!config.route || !Array.isArray(config.receivers)) {
    throw new Error("not an Alertmanager config: expected route and receivers");
  }
  const shorten = (node: RouteNode) => {
    if (node.group_wait !== undefined || node === config.route) node.group_wait = "1s";
    if (node.group_interval !== undefined || node === config.route) node.group_interval = "1s";
    for (const child of node.routes ?? []) shorten(child);
  };
  shorten(config.route);
  config.receivers = config.receivers.map((r) => ({
    name: r.name,
    webhook_configs: [{ url: webhookUrl, send_resolved: false }],
  }));
  // Templates only shape the replaced receivers' messages.
  delete config.templates;
  return stringify(config);
}

/**
 * Starts Alertmanager with config `configText` and temp storage on a free loopback port, gossip
 * off (`--cluster.listen-address=`); resolves once `/-/ready` answers 200.
 * @throws Error when the binary is missing, or (with its log) when it exits or is not ready in time
 */
export async function startAlertmanager(
  configText: string,
  binary = findTool("prometheus-alertmanager", "prometheus-alertmanager"),
): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(path.join(tmpdir(), "mosapi-alertmanager-"));
  const agent = new Agent();
  let child: Child | undefined;
  const cleanup = async () => {
    if (child) await stopChild(child);
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const configFile = path.join(dir, "alertmanager.yml");
    await writeFile(configFile, configText);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = await spawnChild(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.path=${path.join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      "install Debian's `prometheus-alertmanager` package (npm test's pretest step does)",
    );
    const started = child;
    await poll(
      async () => {
        if (started.exited) {
          throw new FatalPollError(new Error(`${binary} exited at start:\n${started.output()}`));
        }
        const res = await request(`${url}/-/ready`, { dispatcher: agent });
        await res.body.dump();
        return res.statusCode === 200 ? true : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, what: `${binary} ready`, describe: () => started.output() },
    );
    const alerts = async () =>
      (await getJson(agent, `${url}/api/v2/alerts`)) as AlertmanagerAlert[];
    let stopping: Promise<void> | undefined;
    return {
      url,
      hostPort: `127.0.0.1:${port}`,
      alerts,
      post: async (posted) => {
        const res = await request(`${url}/api/v2/alerts`, {
          dispatcher: agent,
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(posted),
        });
        const text = await res.body.text();
        if (res.statusCode !== 200)
          throw new Error(`POST /api/v2/alerts: ${res.statusCode} ${text}`);
      },
      waitFor: async (predicate, options = {}) => {
        let last: AlertmanagerAlert[] | undefined;
        return poll(
          async () => {
            last = await alerts();
            return predicate(last) ? last : undefined;
          },
          {
            ...options,
            describe: () =>
              `last alerts: ${JSON.stringify(last?.map((a) => ({ labels: a.labels, status: a.status })))}`,
          },
        );
      },
      output: () => started.output(),
      stop: () => {
        stopping ??= cleanup();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** One alert in an Alertmanager webhook notification. */
export interface WebhookAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One webhook notification (Alertmanager's webhook payload, the fields the tests read). */
export interface WebhookMessage {
  readonly receiver: string;
  readonly status: "firing" | "resolved";
  readonly alerts: readonly WebhookAlert[];
}

/** A loopback HTTP server collecting Alertmanager webhook notifications. */
export interface WebhookSink {
  /** The URL to configure as `webhook_configs[].url`. */
  readonly url: string;
  /** Every notification received so far, in order. */
  messages(): WebhookMessage[];
  close(): Promise<void>;
}

/** Starts a {@link WebhookSink} on 127.0.0.1 (a free port). */
export async function startWebhookSink(): Promise<WebhookSink> {
  const received: WebhookMessage[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      try {
        received.push(JSON.parse(body) as WebhookMessage);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    messages: () => [...received],
    close: async () => {
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
