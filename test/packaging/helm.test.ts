/**
 * Checks of the Helm chart that need no helm binary: Chart.yaml against package.json, values
 * against values.schema.json (ajv, strict) including values that must be rejected, every
 * `.Values` path of the templates present in values.yaml, balanced template blocks, the rules
 * and dashboards read through symlinks into prometheus/ and grafana/ (no copies), the chart
 * README documenting every value, and the default config passing the exporter's own loader.
 * `helm lint`, `helm template`, `ct lint` and kubeconform are in docs/deploy.md.
 */
import { Ajv } from "ajv";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseFlags } from "../../src/config/flags.js";
import { loadConfig } from "../../src/config/load.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHART = path.join(ROOT, "helm/mosapi-exporter");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const readChart = (file: string): string => readFileSync(path.join(CHART, file), "utf8");

type Values = Record<string, unknown>;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const values = parse(readChart("values.yaml")) as Values;
const schema = JSON.parse(readChart("values.schema.json")) as object;
const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
const templateFiles = readdirSync(path.join(CHART, "templates"), { recursive: true })
  .map(String)
  .filter((file) => /\.(yaml|tpl|txt)$/.test(file))
  .sort();
const templates = new Map(templateFiles.map((f) => [f, readChart(`templates/${f}`)] as const));

/** values.yaml with `patch` merged in (objects merged, anything else replaced). */
function withValues(patch: Values, base: Values = values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] = isObject(value) && isObject(current) ? withValues(value, current) : value;
  }
  return merged;
}

const errorsOf = (candidate: unknown): string =>
  validate(candidate)
    ? "valid"
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`).join("; ");

describe("Chart.yaml", () => {
  it("is apiVersion v2 with the exporter's version as appVersion", () => {
    const chart = parse(readChart("Chart.yaml")) as Record<string, unknown>;
    const pkg = JSON.parse(read("package.json")) as { name: string; version: string };
    expect(chart["apiVersion"]).toBe("v2");
    expect(chart["name"]).toBe(pkg.name);
    expect(chart["type"]).toBe("application");
    expect(chart["appVersion"]).toBe(pkg.version);
    expect(chart["version"]).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("values.schema.json", () => {
  it("is draft-07, compiles in ajv's strict mode and accepts values.yaml", () => {
    expect((schema as { $schema: string }).$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(errorsOf(values)).toBe("valid");
  });

  it.each([
    ["an unknown top-level key", { replicas: 1 }],
    ["a misspelt nested key", { serviceMonitor: { intervall: "60s" } }],
    ["replicaCount 2 (two pods would log in to MoSAPI at once)", { replicaCount: 2 }],
    ["a rolling update", { strategy: { type: "RollingUpdate" } }],
    ["a ServiceMonitor interval below 60s", { serviceMonitor: { interval: "30s" } }],
    ["a ServiceMonitor interval of 59s", { serviceMonitor: { interval: "59s" } }],
    ["an interval without a unit", { serviceMonitor: { interval: "60" } }],
    [
      "a scrapeTimeout not below every allowed interval",
      { serviceMonitor: { scrapeTimeout: "60s" } },
    ],
    ["a root container", { securityContext: { runAsNonRoot: false } }],
    ["a writable root filesystem", { securityContext: { readOnlyRootFilesystem: false } }],
    ["privilege escalation", { securityContext: { allowPrivilegeEscalation: true } }],
    [
      "added capabilities",
      { securityContext: { capabilities: { drop: ["ALL"], add: ["NET_RAW"] } } },
    ],
    ["an unknown log level", { logLevel: "verbose" }],
    ["a flag the chart already sets", { extraArgs: ["--config.file=/x.yml"] }],
    ["the listen address as a flag (use web.port)", { extraArgs: ["--web.listen-address=:9999"] }],
    ["the web config as a flag (use web.config)", { extraArgs: ["--web.config.file", "/w.yml"] }],
    ["port 0", { web: { port: 0 } }],
    ["an unknown web config section", { web: { config: { tls_config: {} } } }],
    [
      "a basic auth password that is not a bcrypt hash",
      { web: { config: { basic_auth_users: { p: "pw" } } } },
    ],
    ["a commonLabel of the chart's own", { commonLabels: { "app.kubernetes.io/name": "x" } }],
    ["a label value longer than 63 characters", { commonLabels: { team: "x".repeat(64) } }],
    ["an unknown scheme", { serviceMonitor: { scheme: "ftp" } }],
    ["a basicAuth password given inline", { serviceMonitor: { basicAuth: { password: "pw" } } }],
    ["the old serviceMonitor.labels", { serviceMonitor: { labels: { release: "x" } } }],
    ["a negative revisionHistoryLimit", { revisionHistoryLimit: -1 }],
    ["a secret file name with a slash", { secrets: { "../x": "pw" } }],
    [
      "an inline password",
      { config: { credentials: { l: { basic: { username: "example_ry", password: "pw" } } } } },
    ],
    [
      "a password from the environment",
      { config: { credentials: { l: { basic: { username: "example_ry", password_env: "PW" } } } } },
    ],
    [
      "a password file outside the Secret",
      {
        config: {
          credentials: { l: { basic: { username: "example_ry", password_file: "/etc/pw" } } },
        },
      },
    ],
    ["an unknown config section", { config: { mosapi_url: "https://mosapi.icann.org" } }],
  ])("rejects %s", (_what, patch) => {
    expect(errorsOf(withValues(patch))).not.toBe("valid");
  });

  it.each(["60s", "90s", "1m", "1m30s", "5m", "1h", "120s"])("accepts interval %s", (interval) => {
    expect(errorsOf(withValues({ serviceMonitor: { interval } }))).toBe("valid");
  });

  it("accepts a Secret given as files, client certificates and an existing Secret", () => {
    const certs = withValues({
      secrets: { "client.crt": "pem", "client.key": "pem" },
      config: {
        credentials: {
          "rsp-cert": {
            tls_client: {
              cert_file: "/etc/mosapi-exporter/secrets/client.crt",
              key_file: "/etc/mosapi-exporter/secrets/client.key",
            },
          },
        },
        targets: [{ tld: "example", credentials: "rsp-cert" }],
      },
    });
    expect(errorsOf(certs)).toBe("valid");
    expect(errorsOf(withValues({ existingSecret: "mosapi-credentials" }))).toBe("valid");
  });
});

/** `.Values.a.b` paths used in a template (also `$.Values`). */
function valuePaths(text: string): string[] {
  return [...text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1]!.slice(1));
}

/** Leaf paths of values.yaml: recurse into non-empty objects, except free-form maps. */
function leafPaths(node: unknown, prefix: string, freeForm: ReadonlySet<string>): string[] {
  if (!isObject(node) || Object.keys(node).length === 0 || freeForm.has(prefix)) return [prefix];
  return Object.entries(node).flatMap(([key, child]) =>
    leafPaths(child, prefix === "" ? key : `${prefix}.${key}`, freeForm),
  );
}

describe("templates", () => {
  it("use only .Values paths that exist in values.yaml", () => {
    for (const [file, text] of templates) {
      for (const valuePath of valuePaths(text)) {
        let node: unknown = values;
        for (const key of valuePath.split(".")) {
          expect(isObject(node) && key in node, `${file}: .Values.${valuePath}`).toBe(true);
          node = (node as Values)[key];
        }
      }
    }
  });

  it("use every top-level value", () => {
    const used = new Set([...templates.values()].flatMap(valuePaths).map((p) => p.split(".")[0]));
    expect(Object.keys(values).filter((key) => !used.has(key))).toEqual([]);
  });

  it("open and close their blocks in balance", () => {
    for (const [file, text] of templates) {
      const opened = text.match(/\{\{-?\s*(if|range|with|define)\b/g) ?? [];
      const closed = text.match(/\{\{-?\s*end\s*-?\}\}/g) ?? [];
      expect(closed.length, `${file}: {{ end }} count`).toBe(opened.length);
    }
  });

  it("harden the pod: no token, probes on /-/healthy and /-/ready, /tmp only, checksums", () => {
    const deployment = templates.get("deployment.yaml")!;
    expect(deployment).toContain("automountServiceAccountToken: false");
    expect(templates.get("serviceaccount.yaml")).toContain("automountServiceAccountToken: false");
    expect(deployment).toMatch(/livenessProbe:\s+httpGet:\s+(#.*\s+)*path: \/-\/healthy/);
    expect(deployment).toMatch(/readinessProbe:\s+httpGet:[\s\S]*?path: \/-\/ready/);
    expect(deployment).toMatch(/- name: tmp\s+mountPath: \/tmp/);
    expect(deployment).toMatch(/- name: tmp\s+emptyDir:/);
    expect(deployment).toContain("checksum/config:");
    expect(deployment).toContain("checksum/secret:");
    expect(deployment).toContain("securityContext:\n        {{- toYaml .Values.podSecurityContext");
    expect(deployment).toContain(
      "securityContext:\n            {{- toYaml .Values.securityContext",
    );
    expect(templates.get("service.yaml")).toMatch(
      /- name: http\s+port: \{\{ \.Values\.service\.port/,
    );
    expect(values["service"]).toMatchObject({ port: 9745 });
    expect(values["web"]).toMatchObject({ port: 9745 });
    expect(deployment).toMatch(/- name: http\s+containerPort: \{\{ \.Values\.web\.port \}\}/);
  });

  it("pass the exporter flags it understands, pointing at the mounted ConfigMap", () => {
    const deployment = templates.get("deployment.yaml")!;
    const args = [...deployment.matchAll(/^\s+- (--[a-z.-]+=\S+)$/gm)].map((m) =>
      m[1]!
        .replace("{{ .Values.logLevel }}", String(values["logLevel"]))
        .replace("{{ .Values.logFormat }}", String(values["logFormat"]))
        .replace("{{ .Values.web.port }}", String((values["web"] as Values)["port"])),
    );
    const flags = parseFlags(args, {});
    expect(flags.configFile).toBe("/etc/mosapi-exporter/config/config.yml");
    expect(deployment).toMatch(/- name: config\s+mountPath: \/etc\/mosapi-exporter\/config\s/);
    expect(templates.get("configmap.yaml")).toMatch(/^ {2}config\.yml: \|/m);
    expect(deployment).toMatch(/- name: secrets\s+mountPath: \/etc\/mosapi-exporter\/secrets\s/);
  });

  it("ship NOTES.txt and the standard app.kubernetes.io labels", () => {
    expect(templates.has("NOTES.txt")).toBe(true);
    const helpers = templates.get("_helpers.tpl")!;
    for (const label of ["name", "instance", "version", "managed-by", "component", "part-of"]) {
      expect(helpers).toContain(`app.kubernetes.io/${label}:`);
    }
    expect(helpers).toContain("helm.sh/chart:");
  });

  it("label dashboards for the Grafana sidecar", () => {
    expect(values["grafanaDashboards"]).toMatchObject({ labels: { grafana_dashboard: "1" } });
    expect(templates.get("dashboards.yaml")).toContain('.Files.Glob "dashboards/*.json"');
  });
});

/** Regular files under `dir`, not following symlinks (what is physically in the chart). */
function physicalFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return physicalFiles(full);
    return entry.isFile() ? [full] : [];
  });
}

describe("rules and dashboards come from prometheus/ and grafana/ through symlinks", () => {
  const links = [
    ["rules/mosapi-alerts.yml", "prometheus/mosapi-alerts.yml"],
    ["rules/mosapi-recording.yml", "prometheus/mosapi-recording.yml"],
    ["dashboards", "grafana/dashboards"],
  ] as const;

  it.each(links)("%s is a symlink to %s", (link, target) => {
    const linkPath = path.join(CHART, link);
    expect(lstatSync(linkPath).isSymbolicLink(), `${link} must be a symlink, not a copy`).toBe(
      true,
    );
    expect(
      existsSync(path.join(ROOT, target)),
      `${target} does not exist (yet): the chart's ${link} points at it`,
    ).toBe(true);
    expect(realpathSync(linkPath)).toBe(realpathSync(path.join(ROOT, target)));
    expect(statSync(linkPath).ino).toBe(statSync(path.join(ROOT, target)).ino);
  });

  it("the templates read exactly those files", () => {
    const rules = templates.get("prometheusrule.yaml")!;
    expect(rules).toContain('"rules/mosapi-recording.yml"');
    expect(rules).toContain('"rules/mosapi-alerts.yml"');
    const repoRules = existsSync(path.join(ROOT, "prometheus"))
      ? readdirSync(path.join(ROOT, "prometheus")).filter((f) => /^mosapi-.*\.ya?ml$/.test(f))
      : [];
    for (const file of repoRules) {
      expect(rules, `prometheus/${file} is not in the PrometheusRule`).toContain(`rules/${file}`);
    }
  });

  it("the chart holds no copy of a rule file or dashboard", () => {
    const originals = new Set<string>();
    for (const dir of ["prometheus", "grafana/dashboards"]) {
      const full = path.join(ROOT, dir);
      if (!existsSync(full)) continue;
      for (const file of physicalFiles(full)) originals.add(readFileSync(file, "utf8"));
    }
    for (const file of physicalFiles(CHART)) {
      expect(originals.has(readFileSync(file, "utf8")), `${file} is a copy`).toBe(false);
    }
  });

  it("the rule files are Prometheus rule files (groups) the PrometheusRule can embed", () => {
    for (const [link] of links.slice(0, 2)) {
      const file = path.join(CHART, link);
      expect(existsSync(file), `${link}: target missing`).toBe(true);
      const parsed = parse(readFileSync(file, "utf8")) as { groups?: unknown };
      expect(Array.isArray(parsed.groups), `${link}: top-level groups list`).toBe(true);
    }
  });

  it("the dashboards are JSON that fits a ConfigMap, with names Kubernetes accepts", () => {
    const dir = path.join(CHART, "dashboards");
    expect(existsSync(dir), "dashboards: target grafana/dashboards missing").toBe(true);
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files.length, "grafana/dashboards/*.json").toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), "utf8");
      expect(() => JSON.parse(text) as unknown, file).not.toThrow();
      expect(Buffer.byteLength(text), `${file} exceeds the 1 MiB ConfigMap limit`).toBeLessThan(
        1_000_000,
      );
      expect(file.replace(/\.json$/, ""), `${file}: ConfigMap key`).toMatch(/^[-._a-zA-Z0-9]+$/);
    }
  });
});

describe("chart README", () => {
  const readme = readChart("README.md");
  const documented = new Set(
    [...readme.matchAll(/^\| `([A-Za-z0-9_.]+)` \|/gm)].map((match) => match[1]!),
  );
  const freeForm = new Set([
    "config",
    "resources",
    "podSecurityContext",
    "securityContext",
    "grafanaDashboards.labels",
  ]);

  it("documents every value with its type, default and description", () => {
    const leaves = leafPaths(values, "", freeForm);
    expect(leaves.filter((leaf) => !documented.has(leaf))).toEqual([]);
  });

  it("documents no value that does not exist", () => {
    const leaves = new Set(leafPaths(values, "", freeForm));
    expect([...documented].filter((entry) => !leaves.has(entry))).toEqual([]);
  });
});

describe("the chart's default config", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("passes the exporter's own validation, with the Secret's files in place", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "mosapi-chart-"));
    dirs.push(dir);
    const secretDir = path.join(dir, "secrets");
    mkdirSync(secretDir);
    // Rewrite the mount path to the temp dir and put a dummy file for every reference.
    const text = stringify(values["config"]).replaceAll(
      "/etc/mosapi-exporter/secrets/",
      `${secretDir}/`,
    );
    for (const match of text.matchAll(new RegExp(`${secretDir}/([-._a-zA-Z0-9]+)`, "g"))) {
      writeFileSync(path.join(secretDir, match[1]!), "dummy-password\n");
    }
    const file = path.join(dir, "config.yml");
    writeFileSync(file, text);
    const config = await loadConfig(file, { env: {} });
    expect(config.targets.length).toBeGreaterThan(0);
    expect(config.warnings).toEqual([]);
  });
});
