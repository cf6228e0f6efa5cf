/**
 * The chart through a real helm (v4, from scripts/tools/helm.mjs): `helm lint --strict` and
 * `helm template` over a matrix of values, every rendered object validated against the
 * Kubernetes and Prometheus Operator schemas with unknown fields rejected (k8s-schema.ts),
 * plus what each case is about (probes and scrapes under TLS and Basic auth, the listen port,
 * names under a long release name), and values.schema.json failing a wrong value at install
 * time.
 */
import bcrypt from "bcryptjs";
import { describe, expect, it, beforeAll } from "vitest";
import { helm, helmLint, helmTemplate, type K8sObject } from "./helm-tool.js";
import { schemaProblems } from "./k8s-schema.js";
import { imageEnv } from "../helpers/image-env.js";

// On a fresh machine the first call downloads helm (tens of MB): not inside a test's timeout.
beforeAll(() => {
  helm();
}, 300_000);

type Values = Record<string, unknown>;

const LONG_RELEASE = "registry-operations-monitoring-production-eu-west-01";
const BCRYPT = bcrypt.hashSync("scrape-password", 4);
const TLS_CONFIG = {
  cert_file: "/etc/mosapi-exporter/web-tls/tls.crt",
  key_file: "/etc/mosapi-exporter/web-tls/tls.key",
};

interface Case {
  readonly release: string;
  readonly values: Values;
}

const CASES: Readonly<Record<string, Case>> = {
  defaults: { release: "mon", values: {} },
  "every toggle on": {
    release: "mon",
    values: {
      revisionHistoryLimit: 5,
      image: { digest: `sha256:${"a".repeat(64)}` },
      imagePullSecrets: [{ name: "regcred" }],
      commonLabels: { team: "registry" },
      secrets: { "example.password": "demo-example" },
      extraArgs: ["--web.disable-exporter-metrics"],
      nodeOptions: "--max-old-space-size=256",
      mallocTunables: "glibc.malloc.arena_max=2",
      extraEnv: [{ name: "TZ", value: "UTC" }],
      extraVolumes: [{ name: "corp-ca", configMap: { name: "corp-ca" } }],
      extraVolumeMounts: [{ name: "corp-ca", mountPath: "/etc/ssl/corp", readOnly: true }],
      serviceAccount: { create: true, annotations: { "example.com/owner": "registry" } },
      podAnnotations: { "example.com/scrape": "no" },
      podLabels: { tier: "monitoring" },
      service: { annotations: { "example.com/lb": "internal" } },
      networkPolicy: {
        enabled: true,
        ingressFrom: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "prometheus" } },
          },
        ],
        extraEgress: [
          { to: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: 3128, protocol: "TCP" }] },
        ],
      },
      serviceMonitor: {
        enabled: true,
        namespace: "prometheus",
        additionalLabels: { release: "kube-prometheus-stack" },
        relabelings: [{ targetLabel: "cluster", replacement: "eu-west-1" }],
        metricRelabelings: [{ sourceLabels: ["__name__"], regex: "nodejs_.*", action: "drop" }],
      },
      prometheusRule: {
        enabled: true,
        namespace: "prometheus",
        additionalLabels: { release: "kube-prometheus-stack" },
      },
      grafanaDashboards: {
        enabled: true,
        namespace: "grafana",
        annotations: { grafana_folder: "MoSAPI" },
      },
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "monitoring", operator: "Exists", effect: "NoSchedule" }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "egress", operator: "In", values: ["allow-listed"] }] },
            ],
          },
        },
      },
      priorityClassName: "monitoring",
    },
  },
  "web config with TLS": {
    release: "mon",
    values: {
      existingSecret: "mosapi-credentials",
      web: { tlsSecret: "mosapi-web-tls", config: { tls_server_config: TLS_CONFIG } },
      serviceMonitor: {
        enabled: true,
        tlsConfig: {
          ca: { secret: { name: "mosapi-web-tls", key: "ca.crt" } },
          serverName: "mon-mosapi-exporter.monitoring.svc",
        },
      },
    },
  },
  "web config with Basic auth": {
    release: "mon",
    values: {
      existingSecret: "mosapi-credentials",
      web: { config: { basic_auth_users: { prometheus: BCRYPT } } },
      serviceMonitor: {
        enabled: true,
        basicAuth: {
          username: { name: "mosapi-scrape", key: "username" },
          password: { name: "mosapi-scrape", key: "password" },
        },
      },
    },
  },
  "web config requiring client certificates": {
    release: "mon",
    values: {
      existingSecret: "mosapi-credentials",
      web: {
        tlsSecret: "mosapi-web-tls",
        config: {
          tls_server_config: {
            ...TLS_CONFIG,
            client_auth_type: "RequireAndVerifyClientCert",
            client_ca_file: "/etc/mosapi-exporter/web-tls/ca.crt",
          },
        },
      },
      serviceMonitor: {
        enabled: true,
        tlsConfig: {
          ca: { secret: { name: "mosapi-web-tls", key: "ca.crt" } },
          cert: { secret: { name: "prometheus-client", key: "tls.crt" } },
          keySecret: { name: "prometheus-client", key: "tls.key" },
        },
      },
    },
  },
  existingSecret: { release: "mon", values: { existingSecret: "mosapi-credentials" } },
  "client-certificate credentials": {
    release: "mon",
    values: {
      secrets: { "client.crt": "-----BEGIN CERTIFICATE-----", "client.key": "-----BEGIN KEY-----" },
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
    },
  },
  "a 53-character release name": {
    release: LONG_RELEASE,
    values: {
      existingSecret: "mosapi-credentials",
      web: { tlsSecret: "mosapi-web-tls", config: { tls_server_config: TLS_CONFIG } },
      networkPolicy: { enabled: true },
      serviceMonitor: { enabled: true },
      prometheusRule: { enabled: true },
      grafanaDashboards: { enabled: true },
    },
  },
  "a custom listen port": {
    release: "mon",
    values: {
      existingSecret: "mosapi-credentials",
      web: { port: 9999 },
      service: { port: 80 },
      serviceMonitor: { enabled: true },
      networkPolicy: { enabled: true },
    },
  },
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

interface Probe {
  readonly httpGet?: { path: string; port: string | number; scheme?: string };
  readonly tcpSocket?: { port: string | number };
}
interface Container {
  readonly name: string;
  readonly args?: string[];
  readonly command?: string[];
  readonly env?: { name: string; value?: string }[];
  readonly ports?: { name: string; containerPort: number }[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  readonly containers: Container[];
  readonly volumes?: { name: string; secret?: { secretName: string } }[];
}
interface Endpoint {
  readonly port: string;
  readonly scheme?: string;
  readonly tlsConfig?: unknown;
  readonly basicAuth?: unknown;
}

const only = (objects: readonly K8sObject[], kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(
    found.map((o) => o.metadata.name),
    `exactly one ${kind}`,
  ).toHaveLength(1);
  return found[0]!;
};
const podSpecOf = (objects: readonly K8sObject[]): PodSpec =>
  (only(objects, "Deployment")["spec"] as { template: { spec: PodSpec } }).template.spec;
const exporterOf = (objects: readonly K8sObject[]): Container => podSpecOf(objects).containers[0]!;
const endpointOf = (objects: readonly K8sObject[]): Endpoint =>
  (only(objects, "ServiceMonitor")["spec"] as { endpoints: Endpoint[] }).endpoints[0]!;
const testPodOf = (objects: readonly K8sObject[]): K8sObject => {
  const pods = objects.filter(
    (o) => o.kind === "Pod" && o.metadata.annotations?.["helm.sh/hook"] === "test",
  );
  expect(pods, "one helm test pod").toHaveLength(1);
  return pods[0]!;
};
const testScript = (objects: readonly K8sObject[]): string =>
  ((testPodOf(objects)["spec"] as PodSpec).containers[0]!.command ?? []).join(" ");

describe.each(Object.entries(CASES))("the chart with %s", (name, { release, values }) => {
  it("passes helm lint --strict", async () => {
    const lint = await helmLint(values);
    expect(lint.code, lint.output).toBe(0);
    expect(lint.output).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it("renders objects valid against the Kubernetes and Prometheus Operator schemas", async () => {
    const rendered = await helmTemplate(release, values);
    expect(rendered.ok, rendered.output).toBe(true);
    if (!rendered.ok) return;
    const seen = new Set<string>();
    for (const object of rendered.objects) {
      const id = `${object.kind} ${object.metadata.namespace ?? ""}/${object.metadata.name}`;
      expect(schemaProblems(object), `${name}: ${id}`).toEqual([]);
      expect(seen.has(id), `${id} rendered twice`).toBe(false);
      seen.add(id);
      expect(object.metadata.name, id).toMatch(DNS_LABEL);
      expect(object.metadata.name.length, `${id}: longer than 63`).toBeLessThanOrEqual(63);
      for (const [label, value] of Object.entries(object.metadata.labels ?? {})) {
        expect(value, `${id}: label ${label}`).toMatch(LABEL_VALUE);
        expect(value.length, `${id}: label ${label}`).toBeLessThanOrEqual(63);
      }
    }
    // The Service forwards to the container port, which is the one the exporter listens on.
    const exporter = exporterOf(rendered.objects);
    const port = exporter.ports?.find((p) => p.name === "http")?.containerPort;
    const listen = exporter.args?.find((a) => a.startsWith("--web.listen-address="));
    expect(listen).toBe(`--web.listen-address=:${String(port)}`);
    for (const probe of [exporter.livenessProbe, exporter.readinessProbe]) {
      expect(probe?.httpGet?.port ?? probe?.tcpSocket?.port).toBe("http");
    }
    const service = only(rendered.objects, "Service")["spec"] as {
      ports: { name: string; targetPort: string }[];
    };
    expect(service.ports).toEqual([expect.objectContaining({ name: "http", targetPort: "http" })]);
    // Every Secret or ConfigMap the pod mounts is rendered or named by a value.
    for (const volume of podSpecOf(rendered.objects).volumes ?? []) {
      const secret = volume.secret?.secretName;
      if (secret === undefined) continue;
      const external = [
        values["existingSecret"],
        (values["web"] as Values | undefined)?.["tlsSecret"],
      ];
      expect(
        external.includes(secret) ||
          rendered.objects.some((o) => o.kind === "Secret" && o.metadata.name === secret),
        `${volume.name}: Secret ${secret}`,
      ).toBe(true);
    }
  });
});

describe("what each case is about", () => {
  it("defaults: plain HTTP probes on /-/healthy and /-/ready, no web config, a helm test", async () => {
    const rendered = await helmTemplate("mon", {});
    if (!rendered.ok) throw new Error(rendered.output);
    const exporter = exporterOf(rendered.objects);
    expect(exporter.livenessProbe?.httpGet).toEqual({
      path: "/-/healthy",
      port: "http",
      scheme: "HTTP",
    });
    expect(exporter.readinessProbe?.httpGet).toEqual({
      path: "/-/ready",
      port: "http",
      scheme: "HTTP",
    });
    expect(exporter.args).not.toContainEqual(expect.stringMatching(/^--web\.config\.file/));
    expect(exporter.ports).toEqual([{ name: "http", containerPort: 9745, protocol: "TCP" }]);
    expect(testScript(rendered.objects)).toContain(
      'fetch("http://mon-mosapi-exporter:9745/-/healthy"',
    );
    const deployment = only(rendered.objects, "Deployment")["spec"] as Values;
    expect(deployment["revisionHistoryLimit"]).toBe(3);
    // The image's V8 flags and glibc tunables (BENCHMARKS.md, sections 2 and 4), so the pod
    // runs what was measured.
    const image = imageEnv("NODE_OPTIONS");
    const tunables = imageEnv("GLIBC_TUNABLES");
    expect(image).toMatch(/--max-old-space-size=\d+/);
    expect(tunables).toMatch(/^glibc\.malloc\.mmap_threshold=\d+$/);
    expect(exporter.env).toEqual([
      { name: "NODE_OPTIONS", value: image },
      { name: "GLIBC_TUNABLES", value: tunables },
    ]);
  });

  it("every toggle on: the values reach their objects", async () => {
    const { values } = CASES["every toggle on"]!;
    const rendered = await helmTemplate("mon", values);
    if (!rendered.ok) throw new Error(rendered.output);
    const kinds = rendered.objects.map((o) => o.kind);
    for (const kind of [
      "NetworkPolicy",
      "ServiceMonitor",
      "PrometheusRule",
      "Secret",
      "ServiceAccount",
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(kinds.filter((k) => k === "ConfigMap").length).toBeGreaterThan(2);
    for (const object of rendered.objects)
      expect(object.metadata.labels).toMatchObject({ team: "registry" });
    expect(only(rendered.objects, "ServiceMonitor").metadata).toMatchObject({
      namespace: "prometheus",
      labels: { release: "kube-prometheus-stack" },
    });
    expect(only(rendered.objects, "PrometheusRule").metadata).toMatchObject({
      namespace: "prometheus",
      labels: { release: "kube-prometheus-stack" },
    });
    const exporter = exporterOf(rendered.objects);
    expect(exporter.env).toEqual([
      { name: "NODE_OPTIONS", value: "--max-old-space-size=256" },
      { name: "GLIBC_TUNABLES", value: "glibc.malloc.arena_max=2" },
      { name: "TZ", value: "UTC" },
    ]);
    expect(exporter.volumeMounts).toContainEqual(
      expect.objectContaining({ name: "corp-ca", mountPath: "/etc/ssl/corp" }),
    );
    expect(podSpecOf(rendered.objects).volumes).toContainEqual(
      expect.objectContaining({ name: "corp-ca" }),
    );
    expect(exporter.args).toContain("--web.disable-exporter-metrics");
    const policy = only(rendered.objects, "NetworkPolicy")["spec"] as {
      ingress: { from?: unknown[]; ports: unknown[] }[];
      egress: unknown[];
    };
    expect(policy.ingress[0]?.from).toHaveLength(1);
    expect(policy.egress).toHaveLength(3);
  });

  it("TLS: probes, ServiceMonitor and helm test use https; the web config is mounted", async () => {
    const rendered = await helmTemplate("mon", CASES["web config with TLS"]!.values);
    if (!rendered.ok) throw new Error(rendered.output);
    const exporter = exporterOf(rendered.objects);
    expect(exporter.livenessProbe?.httpGet).toMatchObject({ path: "/-/healthy", scheme: "HTTPS" });
    expect(exporter.readinessProbe?.httpGet).toMatchObject({ path: "/-/ready", scheme: "HTTPS" });
    expect(exporter.args).toContain("--web.config.file=/etc/mosapi-exporter/web/web-config.yml");
    expect(exporter.volumeMounts).toContainEqual(
      expect.objectContaining({ name: "web-tls", mountPath: "/etc/mosapi-exporter/web-tls" }),
    );
    expect(endpointOf(rendered.objects)).toMatchObject({
      scheme: "https",
      tlsConfig: { serverName: "mon-mosapi-exporter.monitoring.svc" },
    });
    expect(testScript(rendered.objects)).toContain(
      'fetch("https://mon-mosapi-exporter:9745/-/healthy"',
    );
  });

  it("Basic auth: readiness on the open /-/healthy, the ServiceMonitor sends credentials", async () => {
    const rendered = await helmTemplate("mon", CASES["web config with Basic auth"]!.values);
    if (!rendered.ok) throw new Error(rendered.output);
    const exporter = exporterOf(rendered.objects);
    expect(exporter.readinessProbe?.httpGet).toMatchObject({ path: "/-/healthy", scheme: "HTTP" });
    expect(endpointOf(rendered.objects)).toMatchObject({
      scheme: "http",
      basicAuth: { username: { name: "mosapi-scrape", key: "username" } },
    });
  });

  it("Basic auth without serviceMonitor.basicAuth fails instead of scraping into 401s", async () => {
    const rendered = await helmTemplate("mon", {
      web: { config: { basic_auth_users: { prometheus: BCRYPT } } },
      serviceMonitor: { enabled: true },
    });
    expect(rendered.ok).toBe(false);
    expect(rendered.output).toContain("set serviceMonitor.basicAuth");
  });

  it("client certificates required: TCP probes (kubelet has no client certificate)", async () => {
    const rendered = await helmTemplate(
      "mon",
      CASES["web config requiring client certificates"]!.values,
    );
    if (!rendered.ok) throw new Error(rendered.output);
    const exporter = exporterOf(rendered.objects);
    expect(exporter.livenessProbe?.tcpSocket).toEqual({ port: "http" });
    expect(exporter.readinessProbe?.tcpSocket).toEqual({ port: "http" });
    expect(endpointOf(rendered.objects).scheme).toBe("https");
    expect(testScript(rendered.objects)).toContain('require("node:net").connect(9745');
  });

  it("existingSecret: mounted, no chart Secret", async () => {
    const rendered = await helmTemplate("mon", CASES["existingSecret"]!.values);
    if (!rendered.ok) throw new Error(rendered.output);
    expect(rendered.objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(podSpecOf(rendered.objects).volumes).toContainEqual({
      name: "secrets",
      secret: { secretName: "mosapi-credentials", defaultMode: 0o440 },
    });
  });

  it("client-certificate credentials: the chart's Secret holds both files", async () => {
    const rendered = await helmTemplate("mon", CASES["client-certificate credentials"]!.values);
    if (!rendered.ok) throw new Error(rendered.output);
    const secret = only(rendered.objects, "Secret")["data"] as Record<string, string>;
    expect(Object.keys(secret).sort()).toEqual(["client.crt", "client.key"]);
  });

  it("a 53-character release name: distinct names, dashboards included", async () => {
    const rendered = await helmTemplate(LONG_RELEASE, CASES["a 53-character release name"]!.values);
    if (!rendered.ok) throw new Error(rendered.output);
    const dashboards = rendered.objects.filter((o) => o.metadata.name.includes("-dashboard-"));
    expect(dashboards.length).toBe(4);
    const names = rendered.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    expect(dashboards.map((d) => d.metadata.name).sort()).toEqual(
      ["abuse", "exporter", "fleet", "tld"]
        .map(
          (d) =>
            `${LONG_RELEASE.slice(0, 63 - `-dashboard-mosapi-${d}`.length).replace(/-$/, "")}-dashboard-mosapi-${d}`,
        )
        .sort(),
    );
  });

  it("a custom listen port: container port, flag, Service target and policy follow", async () => {
    const rendered = await helmTemplate("mon", CASES["a custom listen port"]!.values);
    if (!rendered.ok) throw new Error(rendered.output);
    const exporter = exporterOf(rendered.objects);
    expect(exporter.ports).toEqual([{ name: "http", containerPort: 9999, protocol: "TCP" }]);
    expect(exporter.args).toContain("--web.listen-address=:9999");
    const service = only(rendered.objects, "Service")["spec"] as { ports: Values[] };
    expect(service.ports[0]).toMatchObject({ port: 80, targetPort: "http" });
    expect(testScript(rendered.objects)).toContain("http://mon-mosapi-exporter:80/-/healthy");
  });
});

describe("values.schema.json at install time", () => {
  it.each([
    ["replicaCount", { replicaCount: 2 }],
    ["intervall", { serviceMonitor: { intervall: "60s" } }],
    ["extraArgs", { extraArgs: ["--web.listen-address=:9999"] }],
    ["port", { web: { port: 70000 } }],
    ["scheme", { serviceMonitor: { scheme: "HTTPS" } }],
  ])("fails helm template on a wrong %s", async (key, values) => {
    const rendered = await helmTemplate("mon", values);
    expect(rendered.ok).toBe(false);
    expect(rendered.output).toMatch(/schema/i);
    expect(rendered.output).toContain(key);
  });
});
