/**
 * Checks of the compose demo (deploy/docker-compose.yml) that need no Docker: every mounted
 * file exists, every config path a container is told to read is mounted, published ports are
 * loopback-only, and the wiring agrees: Prometheus scrapes the exporter's port and loads every
 * prometheus/mosapi-*.yml, Grafana's datasource points at the Prometheus service and its
 * dashboard provider at the mounted grafana/dashboards.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseFlags, parseListenAddress } from "../../src/config/flags.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = path.join(ROOT, "deploy");

interface Service {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string };
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
  readonly read_only?: boolean;
  readonly tmpfs?: readonly string[];
}

interface Compose {
  readonly services: Readonly<Record<string, Service>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

interface Mount {
  readonly source: string;
  readonly target: string;
  /** Absolute host path of a bind mount; undefined for a named volume. */
  readonly hostPath: string | undefined;
}

const compose = parse(readFileSync(path.join(DEPLOY, "docker-compose.yml"), "utf8")) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`deploy/docker-compose.yml: no service "${name}"`);
  return found;
};
const mounts = (name: string): Mount[] =>
  (service(name).volumes ?? []).map((volume) => {
    const [source = "", target = ""] = volume.split(":");
    const bind = source.startsWith(".") || source.startsWith("/");
    return { source, target, hostPath: bind ? path.resolve(DEPLOY, source) : undefined };
  });
/** Host file mounted at `target` in service `name`, or undefined. */
const hostFileAt = (name: string, target: string): string | undefined =>
  mounts(name).find((mount) => mount.target === target)?.hostPath;
/** Value of a `--flag=value` in a service's command. */
const flagOf = (name: string, flag: string): string | undefined =>
  (service(name).command ?? []).find((arg) => arg.startsWith(`--${flag}=`))?.slice(flag.length + 3);
const relative = (file: string): string => path.relative(ROOT, file);
/** Container ports a service publishes. */
const containerPorts = (name: string): number[] =>
  (service(name).ports ?? []).map((port) => Number(port.split(":").at(-1)));

const EXPORTER_PORT = parseListenAddress(parseFlags([], {}).listenAddress).port;

describe("deploy/docker-compose.yml", () => {
  it("has the exporter, Prometheus, Alertmanager and Grafana", () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ["alertmanager", "exporter", "grafana", "prometheus"].sort(),
    );
  });

  it("mounts only files and directories that exist, and declares its named volumes", () => {
    for (const name of Object.keys(compose.services)) {
      for (const mount of mounts(name)) {
        if (mount.hostPath === undefined) {
          expect(compose.volumes, `${name}: named volume ${mount.source}`).toHaveProperty(
            mount.source,
          );
        } else {
          expect(
            existsSync(mount.hostPath),
            `${name}: ${relative(mount.hostPath)} (mounted at ${mount.target}) does not exist`,
          ).toBe(true);
        }
        expect(mount.target, `${name}: ${mount.source}`).toMatch(/^\//);
      }
    }
  });

  it("publishes every port on 127.0.0.1 only", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const port of svc.ports ?? []) {
        expect(port, `${name}: ${port}`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      }
    }
  });

  it("builds the exporter image from the repository and runs the demo entry point", () => {
    const exporter = service("exporter");
    expect(exporter.build).toBeDefined();
    const context = path.resolve(DEPLOY, exporter.build!.context);
    expect(existsSync(path.join(context, exporter.build!.dockerfile ?? "Dockerfile"))).toBe(true);
    expect(exporter.entrypoint).toEqual(["node", "dist/simulator/demo.js"]);
    expect(existsSync(path.join(ROOT, "src/simulator/demo.ts"))).toBe(true);
    expect(existsSync(path.join(ROOT, "examples/demo.yml"))).toBe(true);
    // The demo appends extra arguments to the exporter's flags: they must be valid.
    expect(() => parseFlags(exporter.command ?? [], {})).not.toThrow();
    expect(containerPorts("exporter")).toEqual([EXPORTER_PORT]);
    expect(exporter.read_only, "same read-only root filesystem as production").toBe(true);
    expect(exporter.tmpfs).toContain("/tmp");
  });
});

describe("Prometheus in the compose demo", () => {
  const configFile = flagOf("prometheus", "config.file");
  const hostConfig = configFile === undefined ? undefined : hostFileAt("prometheus", configFile);
  const config = parse(readFileSync(hostConfig ?? path.join(DEPLOY, "prometheus.yml"), "utf8")) as {
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };

  it("reads deploy/prometheus.yml", () => {
    expect(hostConfig).toBe(path.join(DEPLOY, "prometheus.yml"));
  });

  it("scrapes the exporter service on the exporter's listen port", () => {
    const targets = config.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toContain(`exporter:${String(EXPORTER_PORT)}`);
  });

  it("sends alerts to the Alertmanager service on its port", () => {
    const targets = config.alerting.alertmanagers.flatMap((a) =>
      a.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toEqual(["alertmanager:9093"]);
    expect(containerPorts("alertmanager")).toContain(9093);
  });

  it("loads every prometheus/mosapi-*.yml of the repository as a rule file", () => {
    const repoRules = readdirSync(path.join(ROOT, "prometheus"))
      .filter((file) => /^mosapi-.*\.yml$/.test(file))
      .sort();
    expect(repoRules).toEqual(["mosapi-alerts.yml", "mosapi-recording.yml"]);
    const ruleMounts = mounts("prometheus").filter((mount) =>
      config.rule_files.some((glob) =>
        new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`).test(mount.target),
      ),
    );
    expect(ruleMounts.map((mount) => path.basename(mount.target)).sort()).toEqual(repoRules);
    for (const mount of ruleMounts) {
      expect(mount.hostPath).toBe(path.join(ROOT, "prometheus", path.basename(mount.target)));
    }
  });
});

describe("Alertmanager in the compose demo", () => {
  it("reads the repository's prometheus/alertmanager.yml", () => {
    const configFile = flagOf("alertmanager", "config.file");
    expect(configFile).toBeDefined();
    const host = hostFileAt("alertmanager", configFile!);
    expect(host).toBe(path.join(ROOT, "prometheus/alertmanager.yml"));
    expect(existsSync(host!), "prometheus/alertmanager.yml does not exist (yet)").toBe(true);
  });
});

/** Parsed YAML files of a provisioning folder of the repository. */
function provisioning(kind: "datasources" | "dashboards"): Record<string, unknown>[] {
  const dir = path.join(ROOT, "grafana/provisioning", kind);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];
  expect(files.length, `grafana/provisioning/${kind}/*.yml: none (yet)`).toBeGreaterThan(0);
  return files.map(
    (f) => parse(readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>,
  );
}

describe("Grafana in the compose demo", () => {
  const grafana = service("grafana");

  it("mounts the repository's provisioning and dashboards", () => {
    const sources = mounts("grafana").map((mount) => mount.hostPath);
    expect(sources).toContain(path.join(ROOT, "grafana/provisioning/datasources"));
    expect(sources).toContain(path.join(ROOT, "grafana/provisioning/dashboards"));
    expect(sources).toContain(path.join(ROOT, "grafana/dashboards"));
    expect(hostFileAt("grafana", "/etc/grafana/provisioning/datasources")).toBeDefined();
    expect(hostFileAt("grafana", "/etc/grafana/provisioning/dashboards")).toBeDefined();
  });

  it("lets anonymous visitors view, and nobody sign up", () => {
    expect(grafana.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: "true",
      GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer",
      GF_USERS_ALLOW_SIGN_UP: "false",
    });
  });

  it("has a Prometheus datasource at the Prometheus service and port", () => {
    const datasources = provisioning("datasources").flatMap(
      (file) => (file["datasources"] ?? []) as { type?: string; url?: string }[],
    );
    const prometheus = datasources.filter((ds) => ds.type === "prometheus");
    expect(prometheus.length, "a datasource of type prometheus").toBeGreaterThan(0);
    const port = containerPorts("prometheus")[0];
    for (const ds of prometheus) expect(ds.url).toBe(`http://prometheus:${String(port)}`);
  });

  it("provisions dashboards from where grafana/dashboards is mounted", () => {
    const dashboardsAt = mounts("grafana").find(
      (mount) => mount.hostPath === path.join(ROOT, "grafana/dashboards"),
    )?.target;
    const providers = provisioning("dashboards").flatMap(
      (file) => (file["providers"] ?? []) as { options?: { path?: string } }[],
    );
    expect(providers.length, "a dashboard provider").toBeGreaterThan(0);
    // The provider reads exactly the mounted directory: a path below it would be a
    // subdirectory of grafana/dashboards, which holds no dashboards.
    for (const provider of providers) {
      expect(provider.options?.path, "provider path vs where grafana/dashboards is mounted").toBe(
        dashboardsAt,
      );
    }
  });
});
