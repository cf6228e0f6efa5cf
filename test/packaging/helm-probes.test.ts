/**
 * The chart's probes against the real exporter, the way kubelet runs them. For each case a
 * real `helm template` renders the Deployment; the test lays out the pod's volumes (the
 * rendered ConfigMap and Secrets, a TLS Secret of its own for `web.tlsSecret`) in a temp
 * directory, starts the image's entry point (`node dist/main.js`) with the container's
 * rendered args (container paths mapped to that directory), and probes the container port the
 * way kubelet does: `httpGet` with the rendered scheme and path, HTTPS without verifying the
 * certificate and without a client certificate, success on 200-399; `tcpSocket` by
 * connecting. The exporter talks to the simulator (demo scenario), so `/-/ready` can turn 200.
 *
 * Before the chart knew the web config, TLS made the plain-HTTP liveness probe fail (a restart
 * loop) and Basic auth made `/-/ready` answer 401 forever (never ready): both are checked.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import bcrypt from "bcryptjs";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { createTestPki, type TestPki } from "../helpers/pki.js";
import { freePort, poll } from "../helpers/prometheus.js";
import { helm, helmTemplate, type K8sObject } from "./helm-tool.js";

// On a fresh machine the first call downloads helm (tens of MB): not inside a test's timeout.
beforeAll(() => {
  helm();
}, 300_000);

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The image's ENTRYPOINT (Dockerfile); the chart gives only args. */
const ENTRYPOINT = path.join(ROOT, "dist/main.js");
const TLS_SECRET = "mosapi-web-tls";

interface Probe {
  readonly httpGet?: { path: string; port: string; scheme: "HTTP" | "HTTPS" };
  readonly tcpSocket?: { port: string };
}
interface Container {
  readonly args: string[];
  readonly ports: { name: string; containerPort: number }[];
  readonly livenessProbe: Probe;
  readonly readinessProbe: Probe;
  readonly volumeMounts: { name: string; mountPath: string }[];
}
interface Volume {
  readonly name: string;
  readonly configMap?: { name: string };
  readonly secret?: { secretName: string };
  readonly emptyDir?: object;
}

let sim: RunningSimulator;
let pki: TestPki;
const work = mkdtempSync(path.join(os.tmpdir(), "mosapi-probes-"));
const children: ChildProcess[] = [];
/** kubelet's HTTPS: no verification, no client certificate. */
const kubelet = new Agent({ connect: { rejectUnauthorized: false } });

beforeAll(async () => {
  if (!existsSync(ENTRYPOINT)) throw new Error("dist/main.js is missing: run `npm run build`");
  sim = await startSimulator({ scenario: getScenario("demo") });
  pki = await createTestPki();
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    }
  }
  await kubelet.close();
  await sim.close();
  await pki.cleanup();
  rmSync(work, { recursive: true, force: true });
}, 30_000);

/** Values for a release whose exporter reads the simulator, listening on `port`. */
function baseValues(port: number): Record<string, unknown> {
  return {
    web: { port },
    secrets: { "example.password": "demo-example" },
    config: {
      mosapi: { url: sim.url },
      credentials: {
        "example-login": {
          basic: {
            username: "example_ry",
            password_file: "/etc/mosapi-exporter/secrets/example.password",
          },
        },
      },
      targets: [{ tld: "example", credentials: "example-login" }],
    },
  };
}

/** Files of a rendered ConfigMap or Secret (Secret data is base64). */
function filesOf(object: K8sObject): Record<string, string> {
  if (object.kind === "ConfigMap") return object["data"] as Record<string, string>;
  return Object.fromEntries(
    Object.entries(object["data"] as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, "base64").toString("utf8"),
    ]),
  );
}

interface Pod {
  readonly container: Container;
  readonly port: number;
  readonly output: () => string;
}

/** Renders the chart with `values`, lays out the pod's volumes and starts the container. */
async function startPod(name: string, values: Record<string, unknown>): Promise<Pod> {
  const rendered = await helmTemplate("probe", values);
  if (!rendered.ok) throw new Error(rendered.output);
  const deployment = rendered.objects.find((o) => o.kind === "Deployment")!;
  const spec = (
    deployment["spec"] as { template: { spec: { containers: Container[]; volumes: Volume[] } } }
  ).template.spec;
  const container = spec.containers[0]!;
  const root = path.join(work, name);
  const map = (text: string) =>
    text.replaceAll("/etc/mosapi-exporter/", `${root}/etc/mosapi-exporter/`);
  for (const mount of container.volumeMounts) {
    const dir = path.join(root, mount.mountPath);
    mkdirSync(dir, { recursive: true });
    const volume = spec.volumes.find((v) => v.name === mount.name)!;
    const source = volume.configMap?.name ?? volume.secret?.secretName;
    if (source === undefined) continue;
    let files: Record<string, string>;
    if (source === TLS_SECRET) {
      files = { "tls.crt": pki.server.cert, "tls.key": pki.server.key, "ca.crt": pki.ca.cert };
    } else {
      const kind = volume.configMap ? "ConfigMap" : "Secret";
      const object = rendered.objects.find((o) => o.kind === kind && o.metadata.name === source);
      if (object === undefined) throw new Error(`${mount.name}: ${source} is not rendered`);
      files = filesOf(object);
    }
    for (const [file, content] of Object.entries(files)) {
      writeFileSync(path.join(dir, file), map(content), { mode: 0o440 });
    }
  }
  const child = spawn(process.execPath, [ENTRYPOINT, ...container.args.map(map)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);

  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-16_384);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const port = container.ports.find((p) => p.name === "http")!.containerPort;
  return { container, port, output: () => output };
}

/** One probe, as kubelet runs it: true on success. */
async function runProbe(probe: Probe, pod: Pod): Promise<boolean> {
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  expect(port, "probes name the container port").toBe("http");
  if (probe.tcpSocket) {
    return new Promise((resolve) => {
      const socket = connect(pod.port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => {
        resolve(false);
      });
    });
  }
  const { scheme, path: probePath } = probe.httpGet!;
  try {
    const res = await request(
      `${scheme.toLowerCase()}://127.0.0.1:${String(pod.port)}${probePath}`,
      {
        dispatcher: kubelet,
      },
    );
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 400;
  } catch {
    return false;
  }
}

/** Waits until `probe` succeeds (the exporter starting, then its first refresh). */
async function succeeds(probe: Probe, pod: Pod, what: string): Promise<void> {
  await poll(async () => ((await runProbe(probe, pod)) ? true : undefined), {
    timeoutMs: 15_000,
    what,
    describe: pod.output,
  });
}

const TLS = {
  cert_file: "/etc/mosapi-exporter/web-tls/tls.crt",
  key_file: "/etc/mosapi-exporter/web-tls/tls.key",
};

describe("the chart's probes against the running exporter", () => {
  it("a custom port: the exporter listens where both probes look", async () => {
    const pod = await startPod("port", baseValues(await freePort()));
    await succeeds(pod.container.livenessProbe, pod, "liveness");
    await succeeds(pod.container.readinessProbe, pod, "readiness");
  }, 45_000);

  it("TLS: both probes succeed over HTTPS; plain HTTP would have failed", async () => {
    const values = {
      ...baseValues(await freePort()),
      web: { port: await freePort(), tlsSecret: TLS_SECRET, config: { tls_server_config: TLS } },
    };
    const pod = await startPod("tls", values);
    expect(pod.container.livenessProbe.httpGet?.scheme).toBe("HTTPS");
    await succeeds(pod.container.livenessProbe, pod, "liveness over HTTPS");
    await succeeds(pod.container.readinessProbe, pod, "readiness over HTTPS");
    const plain = { httpGet: { ...pod.container.livenessProbe.httpGet!, scheme: "HTTP" as const } };
    expect(await runProbe(plain, pod)).toBe(false);
  }, 45_000);

  it("Basic auth: readiness succeeds although /-/ready asks kubelet for credentials", async () => {
    const values = {
      ...baseValues(await freePort()),
      web: {
        port: await freePort(),
        config: { basic_auth_users: { prometheus: bcrypt.hashSync("scrape", 4) } },
      },
    };
    const pod = await startPod("basic", values);
    await succeeds(pod.container.livenessProbe, pod, "liveness");
    await succeeds(pod.container.readinessProbe, pod, "readiness");
    const ready = { httpGet: { path: "/-/ready", port: "http", scheme: "HTTP" as const } };
    expect(await runProbe(ready, pod), "/-/ready without credentials").toBe(false);
  }, 45_000);

  it("client certificates required: the TCP probes succeed; an HTTPS probe could not", async () => {
    const values = {
      ...baseValues(await freePort()),
      web: {
        port: await freePort(),
        tlsSecret: TLS_SECRET,
        config: {
          tls_server_config: {
            ...TLS,
            client_auth_type: "RequireAndVerifyClientCert",
            client_ca_file: "/etc/mosapi-exporter/web-tls/ca.crt",
          },
        },
      },
    };
    const pod = await startPod("mtls", values);
    expect(pod.container.livenessProbe.tcpSocket).toBeDefined();
    await succeeds(pod.container.livenessProbe, pod, "liveness (TCP)");
    await succeeds(pod.container.readinessProbe, pod, "readiness (TCP)");
    const https = { httpGet: { path: "/-/healthy", port: "http", scheme: "HTTPS" as const } };
    expect(await runProbe(https, pod)).toBe(false);
  }, 45_000);
});
