import { describe, expect, it } from "vitest";
import { carryOver, sameClientSettings } from "../../src/app/carry-over.js";
import { sameCredential, type Credential } from "../../src/mosapi/credentials.js";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import type { Config } from "../../src/config/load.js";
import type { Target } from "../../src/mosapi/target.js";
import { healthyEntry, stateFixture } from "../helpers/fixtures.js";

const basic = (password: string): Credential => ({ kind: "basic", username: "u", password });
const cert = (key: string): Credential => ({
  kind: "tls_client",
  certFile: "c.crt",
  keyFile: "c.key",
  cert: "CERT",
  key,
});
const example: Target = { entity: "ry", id: "example", credentials: "login" };
const ON = {
  state: 60_000,
  alarmed: 300_000,
  downtime: 300_000,
  incidents: 300_000,
  metrica: 1,
  measurements: 300_000,
  troubleshooting: 300_000,
};

function config(overrides: Partial<Config> = {}, credential = basic("pw")): Config {
  return {
    file: "c.yml",
    mosapi: {
      url: "https://mosapi.example",
      version: 2,
      timeoutMs: 1000,
      maxConcurrency: 4,
      tls: { minVersion: "TLSv1.2", insecureSkipVerify: false },
    },
    credentials: new Map([["login", credential]]),
    targets: [example],
    collectors: ON,
    warnings: [],
    ...overrides,
  };
}

const entry: TargetSnapshot = {
  ...healthyEntry(example, stateFixture("state-healthy"), 1000),
  alarmed: { dns: false },
  metrica: null,
  collectors: {
    state: { lastSuccessAt: 1000 },
    alarmed: { lastSuccessAt: 900 },
    metrica: { lastSuccessAt: 800 },
  },
};

describe("sameClientSettings", () => {
  it("keeps the client when only credentials, targets or collectors change", () => {
    const before = config();
    expect(sameClientSettings(before, config({ targets: [] }, basic("other")))).toBe(true);
    expect(sameClientSettings(before, config({ collectors: { ...ON, state: 1 } }))).toBe(true);
  });

  it.each([
    ["url", { url: "https://other.example" }],
    ["version", { version: 3 }],
    ["timeout", { timeoutMs: 2000 }],
    ["concurrency", { maxConcurrency: 8 }],
    ["source address", { sourceAddress: "192.0.2.1" }],
    ["TLS", { tls: { minVersion: "TLSv1.3" as const, insecureSkipVerify: false } }],
    ["CA", { tls: { ca: "PEM", minVersion: "TLSv1.2" as const, insecureSkipVerify: false } }],
  ])("builds a new client when the %s changes", (_, mosapi) => {
    const before = config();
    expect(sameClientSettings(before, config({ mosapi: { ...before.mosapi, ...mosapi } }))).toBe(
      false,
    );
  });
});

describe("sameCredential", () => {
  it("compares the secrets, and the kind", () => {
    expect(sameCredential(basic("a"), basic("a"))).toBe(true);
    expect(sameCredential(basic("a"), basic("b"))).toBe(false);
    expect(sameCredential(cert("k"), cert("k"))).toBe(true);
    expect(sameCredential(cert("k"), cert("k2"))).toBe(false);
    expect(sameCredential(basic("k"), cert("k"))).toBe(false);
    expect(sameCredential(undefined, basic("a"))).toBe(false);
  });
});

describe("carryOver", () => {
  it("keeps the entry of a target whose MoSAPI and credentials are unchanged", () => {
    expect(
      carryOver(config(), config({ mosapi: { ...config().mosapi, timeoutMs: 5 } }))(example, entry),
    ).toEqual(entry);
  });

  it("starts afresh when the password, the credentials name, the URL or the version changed", () => {
    const before = config();
    expect(carryOver(before, config({}, basic("rotated")))(example, entry)).toBeUndefined();
    expect(
      carryOver(before, config())({ ...example, credentials: "other" }, entry),
    ).toBeUndefined();
    const url = config({ mosapi: { ...before.mosapi, url: "https://mosapi-ote.example" } });
    expect(carryOver(before, url)(example, entry)).toBeUndefined();
    const version = config({ mosapi: { ...before.mosapi, version: 1 } });
    expect(carryOver(before, version)(example, entry)).toBeUndefined();
  });

  it("drops the data of collectors the new config disables", () => {
    const after = config({ collectors: { ...ON, alarmed: 0, metrica: 0 } });
    const kept = carryOver(config(), after)(example, entry);
    expect(kept).toEqual({
      target: example,
      up: true,
      stateAttempted: true,
      state: entry.state,
      collectors: { state: { lastSuccessAt: 1000 } },
    });
    const noState = carryOver(config(), config({ collectors: { ...ON, state: 0 } }))(
      example,
      entry,
    );
    expect(noState?.up).toBe(false);
    expect(noState?.state).toBeUndefined();
  });
});
