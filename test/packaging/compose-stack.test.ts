/**
 * The compose stack (deploy/docker-compose.yml) without Docker: its services run as local
 * processes on loopback, each with the files the compose file gives it.
 *
 * - exporter: the service's own entrypoint and command (`node dist/simulator/demo.js …`, the
 *   demo: simulator plus exporter), on a free loopback port instead of the published 9745;
 * - alertmanager: Debian's prometheus-alertmanager with the very prometheus/alertmanager.yml;
 * - prometheus: Debian's prometheus with the very deploy/prometheus.yml, in which only the
 *   compose service host names (`exporter:9745`, `alertmanager:9093`, Prometheus' own
 *   `localhost:9090`) are mapped to the loopback ports, and the container paths it names
 *   (`rule_files`) resolve through the service's compose volumes;
 * - grafana (no Grafana server here): its provisioning files, read through the compose
 *   volumes, must lead to the dashboards' JSON, and its datasource to this Prometheus.
 *
 * The container filesystems are mirrored in a temp directory: each bind mount of a service
 * becomes a symlink at its target path, each named volume an empty directory. So a path a
 * config names resolves to a host file exactly when the compose volumes make it exist in the
 * container. The rules are loaded unchanged (no shortened `for:`), at the compose file's own
 * 15 s scrape and evaluation intervals: the test waits for the demo outage's alerts that have
 * no `for:` to fire and reach Alertmanager, and sees the others pending.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument, isMap, isScalar, isSeq, visit } from "yaml";
import {
  freePort,
  poll,
  startAlertmanager,
  startPrometheus,
  type RunningAlertmanager,
  type RunningPrometheus,
} from "../helpers/prometheus.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = path.join(ROOT, "deploy");
/** The demo's simulator port (src/simulator/demo.ts): fixed, inside the exporter container. */
const SIMULATOR_PORT = 9746;

interface Service {
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
}
const compose = parse(readFileSync(path.join(DEPLOY, "docker-compose.yml"), "utf8")) as {
  services: Record<string, Service>;
};
const service = (name: string): Service => {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`deploy/docker-compose.yml: no service ${name}`);
  return found;
};
/** Value of `--flag=value` in a service's command. */
const flagOf = (name: string, flag: string): string => {
  const arg = (service(name).command ?? []).find((a) => a.startsWith(`--${flag}=`));
  if (arg === undefined) throw new Error(`${name}: no --${flag} in its command`);
  return arg.slice(flag.length + 3);
};
/** The container port a service publishes first. */
const containerPort = (name: string): number =>
  Number((service(name).ports ?? [])[0]?.split(":").at(-1));

const work = mkdtempSync(path.join(os.tmpdir(), "mosapi-compose-"));

/**
 * Mirrors the filesystem the compose volumes give service `name` under `<work>/<name>`:
 * named volumes as empty directories, bind mounts as symlinks to the host paths (deepest
 * last, as Docker mounts them). Returns the mirror's root: `root + containerPath` is where a
 * container path resolves.
 */
function mirror(name: string): string {
  const root = path.join(work, name);
  const mounts = (service(name).volumes ?? [])
    .map((volume) => {
      const [source = "", target = ""] = volume.split(":");
      return { source, target };
    })
    .sort((a, b) => a.target.split("/").length - b.target.split("/").length);
  for (const { source, target } of mounts) {
    const at = path.join(root, target);
    mkdirSync(path.dirname(at), { recursive: true });
    if (source.startsWith(".") || source.startsWith("/")) {
      symlinkSync(path.resolve(DEPLOY, source), at);
    } else {
      mkdirSync(at, { recursive: true });
    }
  }
  return root;
}

/** Whether TCP port `port` on 127.0.0.1 can be bound now. */
async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  server.listen(port, "127.0.0.1");
  try {
    await Promise.race([
      once(server, "listening"),
      once(server, "error").then(([e]) => Promise.reject(e as Error)),
    ]);
  } catch {
    return false;
  }
  server.close();
  await once(server, "close");
  return true;
}

let exporter: ChildProcess | undefined;
let exporterLog = "";
let exporterPort: number;
let am: RunningAlertmanager;
let prom: RunningPrometheus;
let prometheusConfig: string;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const demo = service("exporter");
  const [command, ...args] = [...(demo.entrypoint ?? []), ...(demo.command ?? [])];
  expect(command).toBe("node");
  const script = path.join(ROOT, args[0] ?? "");
  if (!existsSync(script)) {
    throw new Error(`${args[0] ?? "?"} is missing: run \`npm run build\` (npm test does)`);
  }
  if (!(await portFree(SIMULATOR_PORT))) {
    throw new Error(`port ${SIMULATOR_PORT} (the demo's simulator) is in use: stop the other demo`);
  }
  exporterPort = await freePort();
  // The image's working directory is /app, the repository's root here.
  exporter = spawn(
    process.execPath,
    [script, ...args.slice(1), `--web.listen-address=127.0.0.1:${String(exporterPort)}`],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const child = exporter;
  const keep = (chunk: Buffer) =>
    (exporterLog = (exporterLog + chunk.toString("utf8")).slice(-32_768));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  stops.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  });
  await poll(
    async () => {
      if (child.exitCode !== null) throw new Error(`the demo exited: ${exporterLog}`);
      const res = await request(`http://127.0.0.1:${String(exporterPort)}/-/ready`);
      await res.body.dump();
      return res.statusCode === 200 ? true : undefined;
    },
    { timeoutMs: 30_000, what: "the demo exporter ready", describe: () => exporterLog },
  );

  // Alertmanager: the file its compose service reads, unchanged.
  const amRoot = mirror("alertmanager");
  am = await startAlertmanager(
    readFileSync(path.join(amRoot, flagOf("alertmanager", "config.file")), "utf8"),
  );
  stops.push(() => am.stop());

  // Prometheus: the file its compose service reads; service host names mapped to loopback,
  // container paths resolved through its volumes.
  const promRoot = mirror("prometheus");
  mirror("grafana");
  const promPort = await freePort();
  const hosts = new Map<string, string>([
    [`exporter:${String(containerPort("exporter"))}`, `127.0.0.1:${String(exporterPort)}`],
    [`alertmanager:${String(containerPort("alertmanager"))}`, am.hostPort],
    [`localhost:${String(containerPort("prometheus"))}`, `127.0.0.1:${String(promPort)}`],
  ]);
  const doc = parseDocument(
    readFileSync(path.join(promRoot, flagOf("prometheus", "config.file")), "utf8"),
  );
  const unmapped: string[] = [];
  visit(doc, {
    Pair(_key, pair) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (key === "targets" && isSeq(pair.value)) {
        for (const item of pair.value.items) {
          if (!isScalar(item)) continue;
          const mapped = hosts.get(String(item.value));
          if (mapped === undefined) unmapped.push(String(item.value));
          else item.value = mapped;
        }
      }
      if (key === "rule_files" && isSeq(pair.value)) {
        for (const item of pair.value.items) {
          if (isScalar(item)) item.value = path.join(promRoot, String(item.value));
        }
      }
      return undefined;
    },
  });
  expect(unmapped, "targets that are not compose services").toEqual([]);
  expect(isMap(doc.contents)).toBe(true);
  prometheusConfig = doc.toString();
  prom = await startPrometheus({ configText: prometheusConfig, port: promPort });
  stops.push(() => prom.stop());
}, 60_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  rmSync(work, { recursive: true, force: true });
}, 30_000);

/** Alert names of `ALERTS{…}` samples. */
const names = (samples: readonly { metric: Readonly<Record<string, string>> }[]): string[] =>
  [...new Set(samples.map((s) => s.metric["alertname"] ?? ""))].sort();

describe("the compose stack's Prometheus, with its own config and the shipped rules", () => {
  it("loads every rule of the mounted rule files, all healthy", async () => {
    const rules = await prom.rules();
    expect(rules.length).toBeGreaterThan(10);
    expect(rules.filter((r) => r.health === "err")).toEqual([]);
    expect(new Set(rules.map((r) => r.name))).toContain("MosapiExporterDown");
  });

  it("scrapes the demo exporter as job mosapi-exporter", async () => {
    await prom.waitFor('up{job="mosapi-exporter"} == 1', (s) => s.length === 1, {
      timeoutMs: 40_000,
    });
  }, 45_000);

  it("fires the demo outage's alerts and sends them to Alertmanager", async () => {
    // No `for:`: firing at the first evaluations that see the demo's DNS outage of `test`.
    const immediate = ["MosapiDNSDowntime", "MosapiServiceAlarmed"];
    await prom.waitFor(
      'ALERTS{alertstate="firing",tld="test",service_type="dns"}',
      (s) => immediate.every((name) => names(s).includes(name)),
      { timeoutMs: 60_000, what: `${immediate.join(", ")} firing for test DNS` },
    );
    // With a `for:` of a minute or more: pending, on the same series.
    const pending = await prom.waitFor(
      'ALERTS{tld="test",service_type="dns",alertname=~"MosapiServiceDown|MosapiEmergencyThreshold10"}',
      (s) => s.length === 2,
      { timeoutMs: 30_000 },
    );
    expect(names(pending)).toEqual(["MosapiEmergencyThreshold10", "MosapiServiceDown"]);
    const received = await am.waitFor(
      (alerts) =>
        immediate.every((name) =>
          alerts.some((a) => a.labels["alertname"] === name && a.labels["tld"] === "test"),
        ),
      { timeoutMs: 30_000, what: "the firing alerts in Alertmanager" },
    );
    for (const alert of received) expect(alert.labels["job"]).toBe("mosapi-exporter");
  }, 130_000);

  it("sees the demo's early warning pending, and the traces of test's incident", async () => {
    // `for: 10m`: pending for example's ns1 (2 of 6 probes lose it, DNS still Up) all along.
    const warning = await prom.waitFor(
      'ALERTS{alertname="MosapiNameServerLosingProbes"}',
      (s) => s.length === 1,
      { timeoutMs: 30_000, what: "MosapiNameServerLosingProbes pending" },
    );
    expect(warning[0]?.metric).toMatchObject({
      alertstate: "pending",
      tld: "example",
      service_type: "dns",
      nameserver: "ns1.example",
    });
    // examples/demo.yml turns `troubleshooting` on: only test, the target with an active
    // incident, is traced, and Sydney's traces to both addresses of ns1.test break.
    const lost = await prom.waitFor("mosapi_trace_reached == 0", (s) => s.length === 2, {
      timeoutMs: 30_000,
    });
    expect(lost.map((s) => s.metric["probe"])).toEqual(["Sydney", "Sydney"]);
    const traced = await prom.query("count by (tld) (mosapi_trace_target_info)");
    expect(traced.map((s) => s.metric)).toEqual([{ tld: "test" }]);
  }, 70_000);

  it("does not fire, nor even hold pending, MosapiExporterDown while the exporter is up", async () => {
    // At least two evaluations after the exporter was scraped (the previous tests waited).
    await prom.waitFor("count(ALERTS)", (s) => (s[0]?.value ?? 0) > 0);
    expect(await prom.query('ALERTS{alertname="MosapiExporterDown"}')).toEqual([]);
    expect(
      (await am.alerts()).filter((a) => a.labels["alertname"] === "MosapiExporterDown"),
    ).toEqual([]);
  });
});

describe("the compose stack's Grafana provisioning, through its volumes", () => {
  const root = () => path.join(work, "grafana");
  const yamlFiles = (dir: string): Record<string, unknown>[] =>
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => parse(readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>);

  it("leads every dashboard provider to the dashboards' JSON", () => {
    const providers = yamlFiles(path.join(root(), "etc/grafana/provisioning/dashboards")).flatMap(
      (f) => (f["providers"] ?? []) as { options?: { path?: string } }[],
    );
    expect(providers.length).toBeGreaterThan(0);
    const shipped = readdirSync(path.join(ROOT, "grafana/dashboards"))
      .filter((f) => f.endsWith(".json"))
      .sort();
    for (const provider of providers) {
      const dir = path.join(root(), provider.options?.path ?? "");
      expect(
        existsSync(dir),
        `${String(provider.options?.path)} does not exist in the container`,
      ).toBe(true);
      const found = readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort();
      expect(found).toEqual(shipped);
      for (const file of found) {
        const dashboard = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as {
          uid?: string;
        };
        expect(dashboard.uid, file).toBeTruthy();
      }
    }
  });

  it("points the Prometheus datasource at the stack's Prometheus, which answers its API", async () => {
    const sources = yamlFiles(path.join(root(), "etc/grafana/provisioning/datasources")).flatMap(
      (f) => (f["datasources"] ?? []) as { type?: string; url?: string }[],
    );
    const prometheus = sources.filter((s) => s.type === "prometheus");
    expect(prometheus.length).toBeGreaterThan(0);
    for (const source of prometheus) {
      const url = new URL(source.url ?? "");
      expect(`${url.hostname}:${url.port}`).toBe(
        `prometheus:${String(containerPort("prometheus"))}`,
      );
      // The same URL with the service host name mapped to loopback.
      const res = await request(`${prom.url}/api/v1/query?query=up`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
  });
});
