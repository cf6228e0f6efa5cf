/**
 * The shipped rules and dashboards against a REAL Prometheus (Debian's `prometheus` package) and
 * Alertmanager: the simulator serves the demo scenario, the exporter (in-process, 1 s refreshes)
 * reads it, Prometheus scrapes the exporter every second and evaluates the shipped rule files
 * every second. The rule files are loaded as shipped except that every `for:` is cut to 2 s
 * (the test cannot wait the minutes the real rules wait; the expressions run unchanged).
 *
 * A missing `prometheus`, `promtool` or `prometheus-alertmanager` fails this file with an
 * install hint: it is never skipped.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { request } from "undici";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardQueries, type DashboardQuery } from "../../grafana/src/index.js";
import { startApp, type RunningApp } from "../../src/app/start.js";
import { loadConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log/logger.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { createLogSink } from "../helpers/log-sink.js";
import { startRecordingProxy, type RecordingProxy } from "../helpers/recording-proxy.js";
import {
  alertmanagerTestConfig,
  poll,
  promtoolCheckMetrics,
  ruleNames,
  startAlertmanager,
  startPrometheus,
  startWebhookSink,
  type PromSample,
  type RunningAlertmanager,
  type RunningPrometheus,
  type WebhookSink,
} from "../helpers/prometheus.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The shipped rule files, loaded by Prometheus with `for:` shortened. */
const RULE_FILES = ["prometheus/mosapi-alerts.yml", "prometheus/mosapi-recording.yml"].map((f) =>
  path.join(ROOT, f),
);
const ALERTMANAGER_CONFIG = path.join(ROOT, "prometheus/alertmanager.yml");

/**
 * promtool's complaints about prom-client's default metrics (gauges named `…_total`): not the
 * exporter's own families, and renaming them would break every Node.js dashboard out there.
 */
const PROM_CLIENT_LINT = new Set(
  [
    "nodejs_active_handles_total",
    "nodejs_active_requests_total",
    "nodejs_active_resources_total",
  ].map((name) => `${name} non-counter metrics should not have "_total" suffix`),
);

/** The demo scenario's accounts (src/simulator/scenarios/demo.ts, README demo). */
const DEMO_TARGETS = [
  { key: { tld: "example" }, username: "example_ry", password: "demo-example" },
  { key: { tld: "test" }, username: "test_ry", password: "demo-test" },
  { key: { tld: "xn--zckzah" }, username: "xn--zckzah_ry", password: "demo-xn--zckzah" },
  { key: { registrar_id: "9999" }, username: "9999_rr", password: "demo-9999" },
] as const;

let sim: RunningSimulator;
let app: RunningApp;
let prom: RunningPrometheus;
let am: RunningAlertmanager;
let webhook: WebhookSink;
let proxy: RecordingProxy;
/** How to stop what beforeAll started, in start order. */
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  sim = await startSimulator({ scenario: getScenario("demo") });
  stops.push(() => sim.close());
  const configDir = await mkdtemp(path.join(tmpdir(), "mosapi-e2e-prometheus-"));
  stops.push(() => rm(configDir, { recursive: true, force: true }));
  const configFile = path.join(configDir, "mosapi-exporter.yml");
  await writeFile(
    configFile,
    stringify({
      // A short timeout keeps the all-503 phase quick: each failing refresh ends within 3 s.
      mosapi: { url: sim.url, timeout: "3s" },
      credentials: Object.fromEntries(
        DEMO_TARGETS.map((t) => [
          t.username,
          { basic: { username: t.username, password: t.password } },
        ]),
      ),
      targets: DEMO_TARGETS.map((t) => ({ ...t.key, credentials: t.username })),
      // troubleshooting is opt-in: on here, so the TLD dashboard's trace tables (test's DNS
      // incident) have data.
      collectors: {
        state: "1s",
        alarmed: "1s",
        downtime: "1s",
        incidents: "1s",
        metrica: "1s",
        troubleshooting: "1s",
      },
    }),
  );
  const logs = createLogSink();
  app = await startApp({
    config: await loadConfig(configFile, { env: {} }),
    listen: { host: "127.0.0.1", port: 0 },
    logger: createLogger({ level: "info", format: "json", destination: logs.destination }),
    build: { version: "e2e", revision: "e2e", nodeVersion: process.version },
    // The exporter-health dashboard reads process_* / nodejs_*.
    defaultMetrics: true,
    random: () => 0,
  });
  stops.push(() => app.close());
  webhook = await startWebhookSink();
  stops.push(() => webhook.close());
  am = await startAlertmanager(
    alertmanagerTestConfig(await readFile(ALERTMANAGER_CONFIG, "utf8"), webhook.url),
  );
  stops.push(() => am.stop());
  // Prometheus scrapes through a proxy that records each response as Prometheus received it.
  proxy = await startRecordingProxy(`127.0.0.1:${app.port}`);
  stops.push(() => proxy.close());
  prom = await startPrometheus({
    scrapeTarget: proxy.hostPort,
    ruleFiles: RULE_FILES,
    forDuration: "2s",
    alertmanager: am.hostPort,
  });
  stops.push(() => prom.stop());
}, 40_000);

afterAll(async () => {
  // Last started, first stopped; each whatever failed before: no child may outlive the test.
  for (const stop of stops.reverse()) await stop();
}, 30_000);

describe("a real Prometheus scraping the exporter", () => {
  it('scrapes it: up{job="mosapi-exporter"} == 1, every demo target refreshed', async () => {
    await prom.waitFor('up{job="mosapi-exporter"}', (s) => s.length === 1 && s[0]?.value === 1);
    await prom.waitFor("mosapi_up == 1", (s) => s.length === DEMO_TARGETS.length, {
      what: "mosapi_up == 1 for all four demo targets",
      timeoutMs: 30_000,
    });
  });

  it("scrapes /metrics gzipped: Prometheus asks for gzip and reads the multi-member body", async () => {
    await prom.waitFor('up{job="mosapi-exporter"}', (s) => s.length === 1 && s[0]?.value === 1);
    const scrapes = proxy.exchanges.filter((e) => e.path === "/metrics");
    expect(scrapes.length).toBeGreaterThan(0);
    for (const scrape of scrapes) {
      expect(scrape).toMatchObject({ status: 200, contentEncoding: "gzip" });
      expect(scrape.acceptEncoding).toMatch(/\bgzip\b/);
    }
    // The own metrics are the last gzip member: Prometheus read past the first one.
    expect(await prom.query("mosapi_exporter_build_info")).toHaveLength(1);
  });

  it("promtool check metrics accepts the live /metrics, inflated from its gzip members", async () => {
    const res = await request(`${app.url}/metrics`, { headers: { "accept-encoding": "gzip" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    // Node's gunzip reads every member, as Go's gzip reader in Prometheus does.
    const text = gunzipSync(Buffer.from(await res.body.arrayBuffer())).toString("utf8");
    expect(text).toContain("# TYPE mosapi_up gauge");
    const { code, output } = await promtoolCheckMetrics(text);
    const problems = output.split("\n").filter((line) => line !== "");
    // Exit 3 = lint problems only; accepted when every one is a known prom-client name.
    expect({
      code: code === 3 && problems.every((p) => PROM_CLIENT_LINT.has(p)) ? 0 : code,
      problems: problems.filter((p) => !PROM_CLIENT_LINT.has(p)),
    }).toEqual({ code: 0, problems: [] });
  });
});

describe("the shipped rules on the live data", () => {
  it("every recording rule produces at least one series", async () => {
    const records = (
      await Promise.all(RULE_FILES.map(async (f) => ruleNames(await readFile(f, "utf8"), f)))
    ).flatMap((n) => n.records);
    expect(records.length).toBeGreaterThan(0);
    expect(await stillEmpty(records.map((name) => ({ name, exprs: [name] })))).toEqual([]);
  });

  it("the demo's DNS outage of `test` fires its alerts, and only those", async () => {
    const expected = [
      "MosapiServiceDown",
      "MosapiServiceAlarmed",
      "MosapiDNSDowntime",
      "MosapiEmergencyThreshold10",
    ];
    await prom.waitFor(
      'ALERTS{alertstate="firing",tld="test"}',
      (s) => expected.every((name) => s.some((a) => a.metric["alertname"] === name)),
      { what: `${expected.join(", ")} firing for tld="test"` },
    );
    // The early warning on `example` comes from another collector (the measurements), whose
    // first refresh may land after `test`'s alerts fire: waited for too, not assumed.
    await prom.waitFor(
      'ALERTS{alertstate="firing",alertname="MosapiNameServerLosingProbes",tld="example"}',
      (s) => s.length > 0,
      { what: 'MosapiNameServerLosingProbes firing for tld="example"' },
    );
    const firing = (await prom.query('ALERTS{alertstate="firing"}'))
      .map(alertKey)
      // Timing-dependent while the outage burns: it fires once its 1 h window sees the ratio
      // grow, which the next test forces.
      .filter((key) => !key.startsWith("MosapiEmergencyThresholdForecast "))
      .sort();
    expect(firing).toEqual(
      [
        "MosapiServiceDown tld=test service_type=dns",
        "MosapiServiceAlarmed tld=test service_type=dns",
        "MosapiDNSDowntime tld=test service_type=dns",
        "MosapiEmergencyThreshold10 tld=test service_type=dns",
        // The demo's early warning: DNS still Up on `example` while 2 of 6 probes lose ns1.
        "MosapiNameServerLosingProbes tld=example service_type=dns",
      ].sort(),
    );
    // ≈10.4 % used: the 25 % tier is not even pending.
    expect(await prom.query('ALERTS{alertname="MosapiEmergencyThreshold25"}')).toEqual([]);
  });
});

describe("the outage gets worse, then MoSAPI fails", () => {
  it("40 more minutes of DNS down: the 25 % tier and the forecast fire, the 10 % tier stops", async () => {
    // 65 of 240 minutes: 27 % of the threshold, and a ratio that grew within the 1 h window.
    sim.advanceClock(40 * 60);
    const firing = await prom.waitFor(
      'ALERTS{alertstate="firing",tld="test",service_type="dns"}',
      (s) =>
        ["MosapiEmergencyThreshold25", "MosapiEmergencyThresholdForecast"].every((name) =>
          s.some((a) => a.metric["alertname"] === name),
        ) && !s.some((a) => a.metric["alertname"] === "MosapiEmergencyThreshold10"),
      { what: "tier 25 and forecast firing, tier 10 resolved, for test DNS" },
    );
    expect(
      firing
        .map(alertKey)
        .filter((k) => k.includes("Threshold"))
        .sort(),
    ).toEqual([
      "MosapiEmergencyThreshold25 tld=test service_type=dns",
      "MosapiEmergencyThresholdForecast tld=test service_type=dns",
    ]);
  });

  it("Alertmanager delivers the tier alert and inhibits a lower tier", async () => {
    const delivered = await poll(
      () =>
        Promise.resolve(
          webhook
            .messages()
            .flatMap((m) => m.alerts)
            .find(
              (a) =>
                a.status === "firing" &&
                a.labels["alertname"] === "MosapiEmergencyThreshold25" &&
                a.labels["tld"] === "test",
            ),
        ),
      { what: "MosapiEmergencyThreshold25 for test at the webhook" },
    );
    expect(delivered.labels).toMatchObject({ service_type: "dns", severity: "critical" });
    // The rules never fire two tiers at once; Alertmanager's inhibit rules are the second net
    // (e.g. two Prometheus replicas a cycle apart). Send it a 10 % alert like Prometheus would.
    const lower = {
      ...delivered.labels,
      alertname: "MosapiEmergencyThreshold10",
      tier: "10",
      severity: "warning",
    };
    await am.post([{ labels: lower }]);
    const held = await am.waitFor(
      (alerts) =>
        alerts.some(
          (a) =>
            a.labels["alertname"] === "MosapiEmergencyThreshold10" &&
            a.status.inhibitedBy.length > 0,
        ),
      { what: "MosapiEmergencyThreshold10 inhibited in Alertmanager" },
    );
    expect(
      held.find((a) => a.labels["alertname"] === "MosapiEmergencyThreshold10")?.status.state,
    ).toBe("suppressed");
  });

  it("MoSAPI answering 503 everywhere fires MosapiUpstreamDown for every target", async () => {
    sim.addFault({ kind: "status", status: 503 });
    const firing = await prom.waitFor(
      'ALERTS{alertstate="firing",alertname="MosapiUpstreamDown"}',
      (s) => s.length === DEMO_TARGETS.length,
      // Up to 3 s for each target's failing refresh (retries of 503 included, one request at a
      // time per target), one scrape, 2 s of `for:`, one evaluation; generous for a busy CI box.
      { what: "MosapiUpstreamDown firing for all four demo targets", timeoutMs: 30_000 },
    );
    expect(firing.map(alertKey).sort()).toEqual(
      [
        "MosapiUpstreamDown tld=example",
        "MosapiUpstreamDown tld=test",
        "MosapiUpstreamDown tld=xn--zckzah",
        "MosapiUpstreamDown registrar_id=9999",
      ].sort(),
    );
  });
});

/**
 * Dashboard queries that return nothing in this test, and why: the query of `panel` on
 * `dashboard` whose expression contains `includes`. Every other query must return at least one
 * series for some value of the variables; a listed one that returns data fails the test too,
 * so the list stays true.
 */
const LEGITIMATELY_EMPTY = [
  {
    dashboard: "mosapi-fleet",
    panel: "Active incidents",
    includes: 'false_positive="true"',
    reason:
      "no active incident is a false positive in the demo (test's false positive is resolved)",
  },
  {
    dashboard: "mosapi-exporter",
    panel: "Odd parts of MoSAPI answers by endpoint and reason",
    includes: "mosapi_upstream_oddities_total",
    reason: "the simulator's demo answers have no odd parts (test/e2e/odd-parts.test.ts has them)",
  },
] as const;

describe("every dashboard query on the live data", () => {
  it("returns a series, except the ones listed as legitimately empty", async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(0);
    const name = (q: DashboardQuery) => `${q.dashboard} › ${q.panel}: ${q.expr}`;
    const listed = new Set(
      queries
        .filter((q) =>
          LEGITIMATELY_EMPTY.some(
            (e) =>
              e.dashboard === q.dashboard && e.panel === q.panel && q.expr.includes(e.includes),
          ),
        )
        .map(name),
    );
    expect(listed.size).toBe(LEGITIMATELY_EMPTY.length);
    const empty = await stillEmpty(
      queries.map((q) => ({ name: name(q), exprs: concreteQueries(q.expr) })),
      (n) => listed.has(n),
    );
    expect(empty.filter((n) => !listed.has(n))).toEqual([]);
    expect([...listed].filter((n) => !empty.includes(n))).toEqual([]);
  });
});

describe("after all that", () => {
  it("every rule evaluated without error, on every state above", async () => {
    const rules = await poll(
      async () => {
        const all = await prom.rules();
        return all.length > 0 && all.every((r) => r.health !== "unknown") ? all : undefined;
      },
      { what: "every rule evaluated once" },
    );
    const names = await Promise.all(
      RULE_FILES.map(async (f) => ruleNames(await readFile(f, "utf8"), f)),
    );
    expect(rules.map((r) => r.name).sort()).toEqual(
      names.flatMap((n) => [...n.records, ...n.alerts]).sort(),
    );
    expect(rules.filter((r) => r.health !== "ok").map((r) => [r.name, r.lastError])).toEqual([]);
  });
});

/**
 * Grafana's values for the dashboards' variables, one binding per target the panels can show:
 * `$kind` is the label name (`tld` / `registrar_id`), `$target` the ID (a regex in `=~`).
 * `$__rate_interval` is what Grafana picks for a 1 s scrape (4 × scrape interval, rounded up).
 */
function variableBindings(): Readonly<Record<string, string>>[] {
  const common = {
    __rate_interval: "5s",
    __interval: "1s",
    __range: "5m",
    job: "mosapi-exporter",
    instance: proxy.hostPort,
  };
  return [
    ...["test", "example", "xn--zckzah"].map((id) => ({ ...common, kind: "tld", target: id })),
    { ...common, kind: "registrar_id", target: "9999" },
    { ...common, kind: "tld", target: "example|test|xn--zckzah" },
  ];
}

/**
 * `expr` with Grafana's variables replaced, once per binding of {@link variableBindings}.
 * @throws Error naming a variable the test has no value for
 */
function concreteQueries(expr: string): string[] {
  return variableBindings().map((values) =>
    expr.replace(
      /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
      (whole, a?: string, b?: string, c?: string) => {
        const name = a ?? b ?? c ?? "";
        const value = values[name];
        if (value === undefined)
          throw new Error(`no test value for Grafana variable ${whole} in ${expr}`);
        return value;
      },
    ),
  );
}

/** `Alertname tld=… service_type=…` of an ALERTS sample, for readable set comparisons. */
function alertKey(sample: PromSample): string {
  const m = sample.metric;
  return [
    m["alertname"],
    ...["tld", "registrar_id", "service_type", "collector", "credentials"]
      .filter((l) => m[l] !== undefined)
      .map((l) => `${l}=${m[l] ?? ""}`),
  ].join(" ");
}

/** A check that passes when at least one of `exprs` returns a series. */
interface DataCheck {
  readonly name: string;
  readonly exprs: readonly string[];
}

/**
 * Polls every check until each has data, or only checks that `mayStayEmpty` are left, or 15 s
 * have passed; returns the names of those still without data (rates need a few scrapes, so a
 * first empty answer is not yet a failure).
 * @throws PrometheusQueryError at once when Prometheus rejects an expression
 */
async function stillEmpty(
  checks: readonly DataCheck[],
  mayStayEmpty: (name: string) => boolean = () => false,
  timeoutMs = 15_000,
): Promise<string[]> {
  let pending = [...checks];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const results = await Promise.all(
      pending.map(async (check) => {
        for (const expr of check.exprs) if ((await prom.query(expr)).length > 0) return true;
        return false;
      }),
    );
    pending = pending.filter((_, i) => !results[i]);
    if (pending.every((c) => mayStayEmpty(c.name)) || Date.now() > deadline) {
      return pending.map((c) => c.name);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
