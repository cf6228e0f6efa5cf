/**
 * Real TLS on loopback with a throwaway CA: HTTPS serving, each client_auth_type, protocol
 * versions, and certificate rotation without a restart. Every request opens a fresh
 * connection, so each one is a new handshake.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log/logger.js";
import type { ClientAuthType, TlsServerSettings, WebConfig } from "../../src/web/config.js";
import { subjectAltNames } from "../../src/web/tls.js";
import { startTestHttpServer } from "../helpers/http-server.js";
import { createLogSink, type LogSink } from "../helpers/log-sink.js";
import { createTestPki, type PemPair, type TestPki } from "../helpers/pki.js";
import { findTool } from "../helpers/tools.js";
import { httpsGet } from "./https-get.js";

let pki: TestPki;
let stranger: TestPki;
let goodClient: PemPair;
let strangerClient: PemPair;

beforeAll(async () => {
  [pki, stranger] = await Promise.all([createTestPki(), createTestPki("stranger CA")]);
  [goodClient, strangerClient] = await Promise.all([
    pki.client("prometheus"),
    stranger.client("prometheus"),
  ]);
});
afterAll(async () => {
  await Promise.all([pki.cleanup(), stranger.cleanup()]);
});

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(0);
});

async function serve(
  tls: Partial<TlsServerSettings>,
  sink: LogSink = createLogSink(),
): Promise<RunningHttpServer> {
  const logger = createLogger({ level: "debug", format: "json", destination: sink.destination });
  const web: WebConfig = {
    file: "web.yml",
    tls: {
      certFile: pki.server.certFile,
      keyFile: pki.server.keyFile,
      clientAuthType: "NoClientCert",
      minVersion: "TLS12",
      maxVersion: "TLS13",
      ...tls,
    },
    basicAuthUsers: new Map(),
    headers: {},
  };
  const server = await startTestHttpServer({ logger }, { web });
  servers.push(server);
  return server;
}

describe("HTTPS", () => {
  it("serves over TLS to a client that trusts the CA, and says https in its URL", async () => {
    const server = await serve({});
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsGet(`${server.url}/metrics`, { ca: pki.ca.cert });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("up 1\n");
    expect(answer.serial).toBe("01");
  });

  it("a client that does not trust the CA fails the handshake", async () => {
    const server = await serve({});
    await expect(httpsGet(`${server.url}/`, { ca: stranger.ca.cert })).rejects.toThrow(
      /self.signed|unable to verify|unable to get/i,
    );
  });

  it("min_version TLS13 refuses a client limited to TLS 1.2", async () => {
    const server = await serve({ minVersion: "TLS13" });
    await expect(
      httpsGet(`${server.url}/-/healthy`, { ca: pki.ca.cert, maxVersion: "TLSv1.2" }),
    ).rejects.toThrow(/version|alert/i);
    expect((await httpsGet(`${server.url}/-/healthy`, { ca: pki.ca.cert })).status).toBe(200);
  });

  it("close() also ends a connection stuck before its handshake", async () => {
    const server = await serve({});
    const socket = connect(server.port, "127.0.0.1");
    await once(socket, "connect");
    const closed = once(socket, "close");
    await server.close(10);
    await closed;
  });

  it("max_version TLS12 still serves a TLS 1.3-capable client, over TLS 1.2", async () => {
    const server = await serve({ maxVersion: "TLS12" });
    expect((await httpsGet(`${server.url}/-/healthy`, { ca: pki.ca.cert })).status).toBe(200);
  });
});

describe("client_auth_type", () => {
  type Client = "none" | "good" | "stranger";
  const certOf = (client: Client) =>
    client === "none"
      ? {}
      : client === "good"
        ? { cert: goodClient.cert, key: goodClient.key }
        : { cert: strangerClient.cert, key: strangerClient.key };

  /** Whether each kind of client gets an answer under `type`. */
  const CASES: readonly (readonly [ClientAuthType, Record<Client, boolean>])[] = [
    ["NoClientCert", { none: true, good: true, stranger: true }],
    ["RequestClientCert", { none: true, good: true, stranger: true }],
    ["RequireAnyClientCert", { none: false, good: true, stranger: true }],
    ["VerifyClientCertIfGiven", { none: true, good: true, stranger: false }],
    ["RequireAndVerifyClientCert", { none: false, good: true, stranger: false }],
  ];

  it.each(CASES)("%s", async (clientAuthType, expected) => {
    const server = await serve({
      clientAuthType,
      ...(clientAuthType === "NoClientCert" ? {} : { clientCaFile: pki.ca.certFile }),
    });
    for (const client of ["none", "good", "stranger"] as const) {
      const outcome = await httpsGet(`${server.url}/-/healthy`, {
        ca: pki.ca.cert,
        ...certOf(client),
      }).then(
        (answer) => answer.status === 200,
        () => false,
      );
      expect({ client, served: outcome }).toEqual({ client, served: expected[client] });
    }
  });
});

describe("client_allowed_sans", () => {
  let named: PemPair;
  let ipv6: PemPair;
  let intruder: PemPair;

  beforeAll(async () => {
    [named, ipv6, intruder] = await Promise.all([
      pki.client(
        "prometheus",
        "DNS:prometheus.monitoring.svc, IP:10.0.0.7, email:ops@example.org, URI:spiffe://cluster/ns/monitoring/sa/prometheus",
      ),
      pki.client("ipv6", "IP:0:0:0:0:0:0:0:1"),
      pki.client("intruder", "DNS:intruder.example"),
    ]);
  });

  /** Which clients get an answer when `allowed` are the SANs allowed. */
  async function served(
    allowed: readonly string[],
    clientAuthType: ClientAuthType = "RequireAndVerifyClientCert",
  ) {
    const server = await serve({
      clientAuthType,
      clientCaFile: pki.ca.certFile,
      clientAllowedSans: allowed,
    });
    const clients = { named, ipv6, intruder, noSan: goodClient };
    const outcome: Record<string, boolean> = {};
    for (const [name, pair] of Object.entries(clients)) {
      outcome[name] = await httpsGet(`${server.url}/-/healthy`, {
        ca: pki.ca.cert,
        cert: pair.cert,
        key: pair.key,
      }).then(
        (answer) => answer.status === 200,
        () => false,
      );
    }
    return outcome;
  }

  it.each([
    ["a DNS name", ["prometheus.monitoring.svc"]],
    ["an IP address", ["10.0.0.7"]],
    ["an e-mail address", ["ops@example.org"]],
    ["a URI", ["spiffe://cluster/ns/monitoring/sa/prometheus"]],
    ["one of several", ["nobody.example", "10.0.0.7"]],
  ])("lets in only a certificate with the SAN, matched exactly: %s", async (_what, allowed) => {
    expect(await served(allowed)).toEqual({
      named: true,
      ipv6: false,
      intruder: false,
      noSan: false,
    });
  });

  it("compares IPv6 addresses in canonical form", async () => {
    expect(await served(["0::1"])).toEqual({
      named: false,
      ipv6: true,
      intruder: false,
      noSan: false,
    });
  });

  it("matches no prefix, suffix or wildcard", async () => {
    expect(await served(["monitoring.svc", "*.monitoring.svc", "prometheus"])).toEqual({
      named: false,
      ipv6: false,
      intruder: false,
      noSan: false,
    });
  });

  it("applies to RequireAnyClientCert too, where the CA is not checked", async () => {
    const strangerNamed = await stranger.client("prometheus", "DNS:prometheus.monitoring.svc");
    const server = await serve({
      clientAuthType: "RequireAnyClientCert",
      clientAllowedSans: ["prometheus.monitoring.svc"],
    });
    const get = (pair: PemPair) =>
      httpsGet(`${server.url}/-/healthy`, { ca: pki.ca.cert, cert: pair.cert, key: pair.key }).then(
        (answer) => answer.status,
        () => "refused",
      );
    expect(await get(strangerNamed)).toBe(200);
    expect(await get(intruder)).toBe("refused");
  });
});

describe("subjectAltNames", () => {
  it("reads Node's text, JSON-quoted values included, and leaves other kinds out", () => {
    expect(
      subjectAltNames(
        'DNS:a.example, IP Address:10.0.0.7, IP Address:0:0:0:0:0:0:0:1, email:x@y.z, URI:"spiffe://a/b,c", DirName:CN=x, othername:<unsupported>',
      ),
    ).toEqual(["a.example", "10.0.0.7", "::1", "x@y.z", "spiffe://a/b,c"]);
    expect(subjectAltNames(undefined)).toEqual([]);
  });
});

describe("certificate rotation", () => {
  const run = promisify(execFile);
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A new server certificate from the same CA, with `serial`, written under `dir`. */
  async function issueServerCert(dir: string, serial: number): Promise<PemPair> {
    const name = `server-${serial}`;
    writeFileSync(
      join(dir, `${name}.ext`),
      "basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n",
    );
    const args = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    await run(
      findTool("openssl", "openssl"),
      [
        "req",
        "-new",
        ...args,
        "-config",
        "openssl.cnf",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        "/CN=127.0.0.1",
      ],
      { cwd: pki.dir },
    );
    await run(
      findTool("openssl", "openssl"),
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        String(serial),
        "-days",
        "2",
        "-extfile",
        join(dir, `${name}.ext`),
        "-out",
        `${name}.crt`,
      ],
      { cwd: pki.dir },
    );
    const certFile = join(pki.dir, `${name}.crt`);
    const keyFile = join(pki.dir, `${name}.key`);
    return {
      cert: readFileSync(certFile, "utf8"),
      key: readFileSync(keyFile, "utf8"),
      certFile,
      keyFile,
    };
  }

  /** Replaces `target` atomically, as a Kubernetes secret update or `mv` does. */
  function replace(target: string, text: string): void {
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
  }

  it("new connections get the new certificate; a broken one keeps the old and logs an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mosapi-web-rotate-"));
    dirs.push(dir);
    const certFile = join(dir, "tls.crt");
    const keyFile = join(dir, "tls.key");
    copyFileSync(pki.server.certFile, certFile);
    copyFileSync(pki.server.keyFile, keyFile);
    const sink = createLogSink();
    const server = await serve({ certFile, keyFile }, sink);
    const serial = async () =>
      (await httpsGet(`${server.url}/-/healthy`, { ca: pki.ca.cert })).serial;
    expect(await serial()).toBe("01");

    const next = await issueServerCert(dir, 0x42);
    replace(certFile, next.cert);
    replace(keyFile, next.key);
    expect(await serial()).toBe("42");
    expect(await serial()).toBe("42");
    expect(sink.records().filter((r) => r["msg"] === "TLS certificate reloaded")).toHaveLength(1);

    // A half-finished rotation: the new certificate is there, its key not yet.
    const broken = await issueServerCert(dir, 0x43);
    replace(certFile, broken.cert);
    expect(await serial()).toBe("42");
    expect(await serial()).toBe("42");
    const errors = sink.records().filter((r) => r["level"] === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.["msg"]).toBe(
      "TLS certificate changed but cannot be used; still serving the previous one",
    );

    replace(keyFile, broken.key);
    expect(await serial()).toBe("43");

    const logged = sink.lines().join("\n");
    expect(logged).not.toContain("PRIVATE KEY");
    for (const key of [next.key, broken.key, pki.server.key]) {
      expect(logged).not.toContain(key.split("\n")[1]);
    }
  });
});
