/**
 * TLS client certificates end to end: the simulator on HTTPS asks for client certificates; the
 * exporter verifies the simulator against the configured CA and presents its certificate. An
 * authorized certificate gets data without any login; an unauthorized one fails as `auth`; a
 * server certificate from another CA fails as `network` (verification is on).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CERTIFICATE_CN } from "../../src/simulator/scenarios/common.js";
import { createTestPki, type PemPair, type TestPki } from "../helpers/pki.js";
import {
  counterValue,
  findSamples,
  onlyState,
  sampleValue,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

let pki: TestPki;
let stranger: TestPki;
let authorized: PemPair;
let unauthorized: PemPair;

beforeAll(async () => {
  [pki, stranger] = await Promise.all([createTestPki(), createTestPki("stranger CA")]);
  [authorized, unauthorized] = await Promise.all([
    pki.client(DEMO_CERTIFICATE_CN),
    pki.client("not-authorized.invalid"),
  ]);
});

afterAll(async () => {
  await Promise.all([pki.cleanup(), stranger.cleanup()]);
});

/** A config using two certificate credentials against `url`, verifying it with `caFile`. */
function tlsConfig(url: string, caFile: string): Record<string, unknown> {
  return {
    // Room for the two retries of a failed handshake (250 + 500 ms) even on a busy machine.
    mosapi: { url, timeout: "5s", tls: { ca_file: caFile } },
    credentials: {
      "rsp-cert": { tls_client: { cert_file: authorized.certFile, key_file: authorized.keyFile } },
      "other-cert": {
        tls_client: { cert_file: unauthorized.certFile, key_file: unauthorized.keyFile },
      },
    },
    targets: [
      { tld: "example", credentials: "rsp-cert" },
      { tld: "test", credentials: "rsp-cert" },
      { registrar_id: "9999", credentials: "rsp-cert" },
      { tld: "xn--zckzah", credentials: "other-cert" },
    ],
    collectors: onlyState("1s"),
  };
}

describe("against a simulator whose certificate the configured CA signed", () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startE2e({
      simulator: { tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert } },
      config: (sim) => tlsConfig(sim.url, pki.ca.certFile),
    });
    await e2e.waitFor(async () => (await e2e.get("/-/ready")).status === 200, {
      what: "/-/ready 200",
    });
  });

  afterAll(async () => {
    await e2e.close();
  });

  it("serves over https", () => {
    expect(e2e.sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("gets data for every authorized target with zero logins", async () => {
    const text = await e2e.metricsText();
    for (const labels of [{ tld: "example" }, { tld: "test" }, { registrar_id: "9999" }]) {
      expect([labels, sampleValue(text, "mosapi_up", labels)]).toEqual([labels, 1]);
      expect(findSamples(text, "mosapi_service_status", labels).length).toBeGreaterThan(0);
    }
    expect(findSamples(text, "mosapi_logins_total")).toEqual([]);
    const stats = e2e.sim.stats();
    expect(stats.logins).toEqual({});
    expect(stats.requests.byEndpoint["login"]).toBeUndefined();
    expect(stats.sessions.created).toBe(0);
    // Every request came with the verified certificate, none anonymously.
    expect(Object.keys(stats.concurrency.peak).sort()).toEqual(
      [DEMO_CERTIFICATE_CN, "not-authorized.invalid"].sort(),
    );
  });

  it("counts an unauthorized certificate as reason auth and keeps the target down", async () => {
    const text = await e2e.metricsText();
    expect(sampleValue(text, "mosapi_up", { tld: "xn--zckzah" })).toBe(0);
    const failures = findSamples(text, "mosapi_refresh_failures_total", { tld: "xn--zckzah" });
    expect(failures.map((s) => s.labels["reason"])).toEqual(["auth"]);
    expect(counterValue(text, "mosapi_refresh_failures_total", { tld: "example" })).toBe(0);
    const warning = e2e.logs
      .records()
      .find((r) => r["target"] === "TLD xn--zckzah" && r["level"] === "warn");
    expect(warning).toMatchObject({ code: "MOSAPI_AUTH", reason: "auth" });
    expect(String(warning?.["msg"])).toContain("client certificate not authorized");
  });
});

describe("against a simulator whose certificate another CA signed", () => {
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startE2e({
      simulator: {
        tls: { cert: stranger.server.cert, key: stranger.server.key, clientCa: pki.ca.cert },
      },
      config: (sim) => tlsConfig(sim.url, pki.ca.certFile),
    });
    await e2e.waitFor(async () => (await e2e.get("/-/ready")).status === 200, {
      what: "/-/ready 200",
    });
  });

  afterAll(async () => {
    await e2e.close();
  });

  it("refuses to talk to it: reason network, nothing reached the simulator", async () => {
    const text = await e2e.metricsText();
    for (const s of findSamples(text, "mosapi_up")) expect(s.value).toBe(0);
    const reasons = new Set(
      findSamples(text, "mosapi_refresh_failures_total").map((s) => s.labels["reason"]),
    );
    expect([...reasons]).toEqual(["network"]);
    // The TLS handshake failed on our side, before any HTTP request.
    expect(e2e.sim.stats().requests.total).toBe(0);
    const warning = e2e.logs.records().find((r) => r["level"] === "warn");
    expect(warning).toMatchObject({ code: "MOSAPI_NETWORK", reason: "network" });
    expect(String(warning?.["msg"])).toContain("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });
});
