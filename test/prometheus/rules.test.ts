/**
 * The shipped Prometheus rules (prometheus/*.yml): promtool finds them clean and their unit
 * tests pass; every alert is documented, tested both ways and linked to an existing runbook;
 * every metric they read is in METRICS.md; the example Alertmanager configuration is valid,
 * routes by severity and inhibits lower ladder tiers.
 *
 * promtool and amtool are Debian's `prometheus` and `prometheus-alertmanager` (npm test's
 * pretest step installs them). A missing binary fails the test with that hint instead of skipping it.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { findTool } from "../helpers/tools.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RULE_FILES = ["prometheus/mosapi-recording.yml", "prometheus/mosapi-alerts.yml"];
const TEST_DIR = "prometheus/tests";
const ALERTMANAGER = "prometheus/alertmanager.yml";
const RUNBOOK_URL =
  "https://github.com/mosapi-exporter/mosapi-exporter/blob/main/docs/runbooks.md#";
const SEVERITIES = ["warning", "critical", "page"];
const TIERS = ["10", "25", "50", "75", "100"];

const ruleSchema = z.union([
  z.object({
    alert: z.string(),
    expr: z.string(),
    for: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ record: z.string(), expr: z.string() }),
]);
const ruleFileSchema = z.object({
  groups: z.array(z.object({ name: z.string(), rules: z.array(ruleSchema) })),
});
const unitTestFileSchema = z.object({
  tests: z.array(
    z.object({
      alert_rule_test: z
        .array(
          z.object({
            alertname: z.string(),
            exp_alerts: z
              .array(
                z.object({
                  exp_labels: z.record(z.string(), z.string()).optional(),
                  exp_annotations: z.record(z.string(), z.string()).optional(),
                }),
              )
              .optional(),
          }),
        )
        .optional(),
      promql_expr_test: z.array(z.object({ expr: z.string() })).optional(),
    }),
  ),
});
const matchers = z.array(z.string()).optional();
const alertmanagerSchema = z.object({
  inhibit_rules: z.array(
    z.object({
      source_matchers: matchers,
      target_matchers: matchers,
      equal: z.array(z.string()).optional(),
    }),
  ),
});

type Rule = z.infer<typeof ruleSchema>;
type AlertRule = Extract<Rule, { alert: string }>;

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), "utf8");
}

const rules: Rule[] = RULE_FILES.flatMap((file) =>
  ruleFileSchema.parse(parse(read(file))).groups.flatMap((g) => g.rules),
);
const alerts = rules.filter((r): r is AlertRule => "alert" in r);
const records = rules.flatMap((r) => ("record" in r ? [r.record] : []));
const unitTestFiles = readdirSync(path.join(ROOT, TEST_DIR))
  .filter((f) => f.endsWith(".yml"))
  .sort()
  .map((f) => `${TEST_DIR}/${f}`);
const unitTests = unitTestFiles.flatMap(
  (file) => unitTestFileSchema.parse(parse(read(file))).tests,
);
const alertCases = unitTests.flatMap((t) => t.alert_rule_test ?? []);
const exprCases = unitTests.flatMap((t) => t.promql_expr_test ?? []);

/** The executable `name` on PATH, or a failure telling how CI gets it. */
interface Run {
  code: number;
  output: string;
}

/** Runs `file args` in the repository root (no shell); never rejects on a non-zero exit. */
function run(file: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, timeout: 15_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error === null) resolve({ code: 0, output });
      else if (typeof error.code === "number") resolve({ code: error.code, output });
      else
        reject(
          new Error(`${path.basename(file)} did not run to completion: ${output}`, {
            cause: error,
          }),
        );
    });
  });
}

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Metric families of METRICS.md, with the series names a histogram adds. */
function documentedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const match of read("METRICS.md").matchAll(/^\| `(mosapi_[a-z_]+)` \| (\w+)/gm)) {
    const [, name, type] = match;
    if (name === undefined) continue;
    names.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
  }
  return names;
}

/** Identifiers of a PromQL expression outside string literals. */
function identifiers(expr: string): string[] {
  const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  return code.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
}

/** One Alertmanager matcher (`name="value"`, `name=~"regex"`, …) applied to `labels`. */
function matches(matcher: string, labels: Readonly<Record<string, string>>): boolean {
  const m = /^\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(matcher);
  if (!m?.[1] || !m[2] || m[3] === undefined) throw new Error(`cannot parse matcher ${matcher}`);
  const value = labels[m[1]] ?? "";
  const re = new RegExp(`^(?:${m[3]})$`);
  switch (m[2]) {
    case "=":
      return value === m[3];
    case "!=":
      return value !== m[3];
    case "=~":
      return re.test(value);
    default:
      return !re.test(value);
  }
}

describe("promtool", () => {
  it("checks both rule files without errors or warnings", async () => {
    const promtool = findTool("promtool", "prometheus");
    const result = await run(promtool, ["check", "rules", ...RULE_FILES]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/warn/i);
    expect(result.output.match(/SUCCESS/g)).toHaveLength(RULE_FILES.length);
  });

  it("passes the unit tests in prometheus/tests", async () => {
    const promtool = findTool("promtool", "prometheus");
    expect(unitTestFiles.length).toBeGreaterThan(0);
    const result = await run(promtool, ["test", "rules", ...unitTestFiles]);
    expect(result.code, result.output).toBe(0);
    expect(result.output.match(/SUCCESS/g), result.output).toHaveLength(unitTestFiles.length);
  });
});

describe("alert rules", () => {
  const runbooks = read("docs/runbooks.md");
  const anchors = new Set(
    [...runbooks.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => slug(heading ?? "")),
  );

  it("are uniquely named", () => {
    const names = alerts.map((a) => a.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(alerts.map((a) => [a.alert, a] as const))(
    "%s has a severity, summary, description and a runbook that exists",
    (name, alert) => {
      expect(SEVERITIES).toContain(alert.labels?.["severity"]);
      expect(alert.annotations?.["summary"]?.trim()).toBeTruthy();
      expect(alert.annotations?.["description"]?.trim()).toBeTruthy();
      const url = alert.annotations?.["runbook_url"] ?? "";
      expect(url.startsWith(RUNBOOK_URL), url).toBe(true);
      expect(
        anchors,
        `docs/runbooks.md has no section #${url.slice(RUNBOOK_URL.length)}`,
      ).toContain(url.slice(RUNBOOK_URL.length));
      expect(url.slice(RUNBOOK_URL.length)).toBe(slug(name));
    },
  );

  it.each(alerts.map((a) => [a.alert] as const))(
    "%s has a unit test where it fires with exact labels and annotations, and one where it does not",
    (name) => {
      const cases = alertCases.filter((c) => c.alertname === name);
      const firing = cases.flatMap((c) => c.exp_alerts ?? []);
      expect(firing.length, `no firing case for ${name}`).toBeGreaterThan(0);
      for (const expected of firing) {
        expect(expected.exp_labels?.["severity"]).toBeDefined();
        expect(Object.keys(expected.exp_annotations ?? {}).sort()).toEqual([
          "description",
          "runbook_url",
          "summary",
        ]);
      }
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length === 0),
        `no case where ${name} stays quiet`,
      ).toBe(true);
    },
  );

  it("have one section each in docs/runbooks.md, and no runbook is orphaned", () => {
    const sections = [...runbooks.matchAll(/^## (Mosapi\w+)$/gm)].map(([, n]) => n);
    expect(sections.sort()).toEqual(alerts.map((a) => a.alert).sort());
  });

  it("form the emergency ladder, one tier per band", () => {
    const ladder = TIERS.map((tier) =>
      alerts.find((a) => a.alert === `MosapiEmergencyThreshold${tier}`),
    );
    expect(ladder.map((a) => a?.labels?.["tier"])).toEqual(TIERS);
    expect(ladder.map((a) => a?.labels?.["severity"])).toEqual([
      "warning",
      "critical",
      "critical",
      "page",
      "page",
    ]);
  });

  it("name the scrape job exactly once, in MosapiExporterDown", () => {
    const withJob = rules.filter((r) => /\bjob\s*=/.test(r.expr));
    expect(withJob.map((r) => ("alert" in r ? r.alert : r.record))).toEqual(["MosapiExporterDown"]);
    const text = RULE_FILES.map(read).join("\n");
    expect(text.match(/job="mosapi-exporter"/g)).toHaveLength(1);
    expect(read("prometheus/README.md")).toContain("## The exporter's job");
  });
});

describe("rule expressions", () => {
  const documented = documentedMetrics();
  const all = rules.map((r) => ["alert" in r ? r.alert : r.record, identifiers(r.expr)] as const);

  it("read only metrics documented in METRICS.md", () => {
    const unknown = all.flatMap(([name, ids]) =>
      ids
        .filter((id) => id.startsWith("mosapi_") && !documented.has(id))
        .map((id) => `${name}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });

  it("use only recording rules that exist", () => {
    const defined = new Set(records);
    const unknown = all.flatMap(([name, ids]) =>
      ids.filter((id) => id.includes(":") && !defined.has(id)).map((id) => `${name}: ${id}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe("recording rules", () => {
  const readme = read("prometheus/README.md");

  it.each(records.map((r) => [r] as const))(
    "%s follows level:metric:operations, is documented and is unit-tested",
    (record) => {
      expect(record).toMatch(/^[a-z_]+:mosapi_[a-z_]+:[a-z0-9_]+$/);
      expect(readme, "prometheus/README.md lists every recording rule").toContain(`\`${record}\``);
      expect(exprCases.some((c) => identifiers(c.expr).includes(record))).toBe(true);
    },
  );
});

describe("alertmanager.yml", () => {
  const config = alertmanagerSchema.parse(parse(read(ALERTMANAGER)));

  it("passes amtool check-config", async () => {
    const amtool = findTool("amtool", "prometheus-alertmanager");
    const result = await run(amtool, ["check-config", ALERTMANAGER]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain("SUCCESS");
  });

  it.each([
    ["MosapiEmergencyThreshold100", "page", "mosapi-pager"],
    ["MosapiServiceDown", "critical", "mosapi-oncall"],
    ["MosapiEmergencyThreshold10", "warning", "mosapi-tickets"],
    ["SomeoneElsesAlert", "page", "default"],
  ])("routes %s (severity %s) to %s", async (alertname, severity, receiver) => {
    const amtool = findTool("amtool", "prometheus-alertmanager");
    const result = await run(amtool, [
      "config",
      "routes",
      "test",
      `--config.file=${ALERTMANAGER}`,
      `alertname=${alertname}`,
      `severity=${severity}`,
      "tld=example",
      "service_type=dns",
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(new RegExp(`^${receiver}$`, "m"));
  });

  /** The inhibit rules under which an alert `source` silences an alert `target`. */
  function inhibits(source: string, target: string): readonly string[][] {
    return config.inhibit_rules
      .filter(
        (rule) =>
          (rule.source_matchers ?? []).every((m) => matches(m, { alertname: source })) &&
          (rule.target_matchers ?? []).every((m) => matches(m, { alertname: target })),
      )
      .map((rule) => rule.equal ?? []);
  }

  it("lets each ladder tier inhibit exactly the lower tiers of the same service", () => {
    for (const [i, higher] of TIERS.entries()) {
      for (const [j, lower] of TIERS.entries()) {
        const found = inhibits(
          `MosapiEmergencyThreshold${higher}`,
          `MosapiEmergencyThreshold${lower}`,
        );
        if (j < i) {
          expect(found, `${higher} must inhibit ${lower}`).toHaveLength(1);
          // Not `instance`: two exporters (an HA pair) may disagree on the tier for a moment.
          expect([...(found[0] ?? [])].sort()).toEqual(["registrar_id", "service_type", "tld"]);
        } else expect(found, `${higher} must not inhibit ${lower}`).toEqual([]);
      }
    }
  });

  it("lets MosapiExporterDown inhibit the exporter-health alerts of the same instance", () => {
    for (const target of ["MosapiDataStale", "MosapiUpstreamDown", "MosapiCollectorFailing"]) {
      expect(inhibits("MosapiExporterDown", target)).toEqual([["job", "instance"]]);
    }
    expect(inhibits("MosapiExporterDown", "MosapiServiceDown")).toEqual([]);
  });
});
