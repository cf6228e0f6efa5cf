/**
 * MosapiExporterDown holds in every way we tell users to scrape the exporter: it is silent
 * while the exporter is up and fires when it is down, for the job label each shipped
 * deployment really gives the exporter:
 *
 * - the `scrape_configs` of README.md and prometheus/README.md, with the shipped rule files;
 * - the compose stack's Prometheus (deploy/prometheus.yml), with the shipped rule files;
 * - the chart's ServiceMonitor (rendered by a real `helm template`, default and custom
 *   values), with the job Prometheus Operator derives from it (the Service's label named by
 *   `jobLabel`, else the Service's name) and the chart's rendered PrometheusRule.
 *
 * Each case is a `promtool test rules` file written for that job, run by Debian's promtool.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, beforeAll } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { helm, helmTemplate, type K8sObject } from "../packaging/helm-tool.js";

// On a fresh machine the first call downloads helm (tens of MB): not inside a test's timeout.
beforeAll(() => {
  helm();
}, 300_000);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const SHIPPED_RULES = ["prometheus/mosapi-recording.yml", "prometheus/mosapi-alerts.yml"].map(
  (file) => path.join(ROOT, file),
);
const RUNBOOK = "https://github.com/mosapi-exporter/mosapi-exporter/blob/main/docs/runbooks.md";

const tmp = mkdtempSync(path.join(os.tmpdir(), "mosapi-deployments-"));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
}

/** The job of the scrape config (in `configs`) whose target is `target`. */
function jobScraping(configs: readonly ScrapeConfig[], target: RegExp): string {
  const jobs = configs.filter((c) =>
    (c.static_configs ?? []).some((s) => s.targets.some((t) => target.test(t))),
  );
  expect(jobs, `one scrape config with a target matching ${String(target)}`).toHaveLength(1);
  return jobs[0]!.job_name;
}

/** The `scrape_configs` of the YAML code blocks of a Markdown file. */
function markdownScrapeConfigs(markdown: string): ScrapeConfig[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((block) => {
    const doc = parse(block[1]!) as { scrape_configs?: ScrapeConfig[] } | null;
    return doc?.scrape_configs ?? [];
  });
}

/**
 * The job label Prometheus Operator gives the series of a ServiceMonitor's targets: the value
 * of the Service's label named by `spec.jobLabel` when it is set and non-empty, else the
 * Service's name. Also checks that the ServiceMonitor selects that Service and port.
 */
function operatorJob(objects: readonly K8sObject[]): string {
  const service = objects.find((o) => o.kind === "Service");
  const monitor = objects.find((o) => o.kind === "ServiceMonitor");
  expect(service).toBeDefined();
  expect(monitor).toBeDefined();
  const spec = monitor!["spec"] as {
    jobLabel?: string;
    selector: { matchLabels: Record<string, string> };
    endpoints: { port: string }[];
  };
  const labels = service!.metadata.labels ?? {};
  expect(labels).toMatchObject(spec.selector.matchLabels);
  const ports = (service!["spec"] as { ports: { name: string }[] }).ports.map((p) => p.name);
  for (const endpoint of spec.endpoints) expect(ports).toContain(endpoint.port);
  const fromLabel = spec.jobLabel === undefined ? undefined : labels[spec.jobLabel];
  return fromLabel !== undefined && fromLabel !== "" ? fromLabel : service!.metadata.name;
}

/** The rendered PrometheusRule's groups written as a rule file. */
function chartRuleFile(objects: readonly K8sObject[], name: string): string {
  const rule = objects.find((o) => o.kind === "PrometheusRule");
  expect(rule, "a PrometheusRule").toBeDefined();
  const file = path.join(tmp, `${name}-rules.yml`);
  writeFileSync(file, stringify({ groups: (rule!["spec"] as { groups: unknown[] }).groups }));
  return file;
}

/** A promtool unit test file: MosapiExporterDown for an exporter scraped as `job`. */
function unitTests(job: string, ruleFiles: readonly string[]): string {
  const instance = "10.0.0.7:9745";
  const series = `up{job=${JSON.stringify(job)},instance="${instance}"}`;
  return stringify({
    rule_files: ruleFiles,
    evaluation_interval: "1m",
    tests: [
      {
        name: `job ${job}: up, no alert`,
        interval: "1m",
        input_series: [{ series, values: "1x30" }],
        alert_rule_test: [
          { eval_time: "10m", alertname: "MosapiExporterDown", exp_alerts: [] },
          { eval_time: "30m", alertname: "MosapiExporterDown", exp_alerts: [] },
        ],
      },
      {
        name: `job ${job}: down for 5 minutes, the alert fires`,
        interval: "1m",
        input_series: [{ series, values: "1x5 0x20" }],
        alert_rule_test: [
          { eval_time: "9m", alertname: "MosapiExporterDown", exp_alerts: [] },
          {
            eval_time: "12m",
            alertname: "MosapiExporterDown",
            exp_alerts: [
              {
                exp_labels: { job, instance, severity: "critical" },
                exp_annotations: {
                  summary: `mosapi-exporter ${instance} is down`,
                  description: `Prometheus has failed to scrape mosapi-exporter at ${instance} for 5 minutes. Every other MoSAPI alert is blind meanwhile.`,
                  runbook_url: `${RUNBOOK}#mosapiexporterdown`,
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

/** Runs `promtool test rules` on the tests for `job` against `ruleFiles`. */
function promtoolTest(
  name: string,
  job: string,
  ruleFiles: readonly string[],
): Promise<{ code: number; output: string }> {
  const file = path.join(tmp, `${name}-test.yml`);
  writeFileSync(file, unitTests(job, ruleFiles));
  return new Promise((resolve, reject) => {
    execFile("promtool", ["test", "rules", file], { timeout: 30_000 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error === null) resolve({ code: 0, output });
      else if (typeof error.code === "number") resolve({ code: error.code, output });
      else
        reject(
          new Error(
            `promtool did not run (install Debian's prometheus package; .ci/run does): ${output}`,
            { cause: error },
          ),
        );
    });
  });
}

describe.each(["README.md", "prometheus/README.md"])(
  "MosapiExporterDown where the exporter is scraped as %s says",
  (readme) => {
    it("is silent while it is up and fires when it is down", async () => {
      const job = jobScraping(markdownScrapeConfigs(read(readme)), /:9745$/);
      const result = await promtoolTest(readme.replace(/\W/g, "-"), job, SHIPPED_RULES);
      expect(result.code, result.output).toBe(0);
    });
  },
);

describe("MosapiExporterDown in the compose stack (deploy/prometheus.yml)", () => {
  it("is silent while it is up and fires when it is down", async () => {
    const config = parse(read("deploy/prometheus.yml")) as { scrape_configs: ScrapeConfig[] };
    const job = jobScraping(config.scrape_configs, /^exporter:/);
    const result = await promtoolTest("compose", job, SHIPPED_RULES);
    expect(result.code, result.output).toBe(0);
  });
});

const LONG_RELEASE = "registry-operations-monitoring-production-eu-west-01"; // 53 characters

describe.each([
  ["default values", "mon", {}, "mosapi-exporter"],
  ["jobLabel empty: the Service's name", "mon", { serviceMonitor: { jobLabel: "" } }, undefined],
  ["nameOverride", "mon", { nameOverride: "mosapi" }, "mosapi"],
  [
    "jobLabel naming a commonLabels label",
    "mon",
    {
      commonLabels: { "example.com/job": "registry-mosapi" },
      serviceMonitor: { jobLabel: "example.com/job" },
    },
    "registry-mosapi",
  ],
  [
    "a 53-character release and jobLabel empty",
    LONG_RELEASE,
    { serviceMonitor: { jobLabel: "" } },
    undefined,
  ],
  [
    "fullnameOverride and jobLabel empty",
    "mon",
    { fullnameOverride: "mosapi", serviceMonitor: { jobLabel: "" } },
    "mosapi",
  ],
] as const)(
  "MosapiExporterDown of the chart's PrometheusRule, %s",
  (_what, release, values, expectedJob) => {
    it("is silent while the ServiceMonitor's target is up and fires when it is down", async () => {
      const rendered = await helmTemplate(release, {
        ...values,
        serviceMonitor: {
          ...("serviceMonitor" in values ? values.serviceMonitor : {}),
          enabled: true,
        },
        prometheusRule: { enabled: true },
      });
      expect(rendered.ok, rendered.output).toBe(true);
      if (!rendered.ok) return;
      const job = operatorJob(rendered.objects);
      if (expectedJob !== undefined) expect(job).toBe(expectedJob);
      const name = `chart-${release}-${String(Object.keys(values).length)}-${job}`;
      const result = await promtoolTest(name, job, [chartRuleFile(rendered.objects, name)]);
      expect(result.code, result.output).toBe(0);
    });
  },
);

describe("MosapiExporterDown of the chart's PrometheusRule with prometheusRule.exporterJob", () => {
  it("selects the job of a scrape config of your own", async () => {
    const rendered = await helmTemplate("mon", {
      prometheusRule: { enabled: true, exporterJob: "registry-exporters" },
    });
    expect(rendered.ok, rendered.output).toBe(true);
    if (!rendered.ok) return;
    const file = chartRuleFile(rendered.objects, "exporter-job");
    const result = await promtoolTest("exporter-job", "registry-exporters", [file]);
    expect(result.code, result.output).toBe(0);
    // The same rules under another job: the exporter is "not scraped at all", so it fires.
    const wrong = await promtoolTest("exporter-job-wrong", "mosapi-exporter", [file]);
    expect(wrong.code, wrong.output).not.toBe(0);
  });
});

describe("the rules as shipped", () => {
  it("fire forever for a job they do not select (the test above can fail)", async () => {
    const result = await promtoolTest("wrong-job", "mosapi", SHIPPED_RULES);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("MosapiExporterDown");
  });

  it("parse as one multi-document-free YAML file each", () => {
    for (const file of SHIPPED_RULES) {
      expect(parseAllDocuments(readFileSync(file, "utf8"))).toHaveLength(1);
    }
  });
});
