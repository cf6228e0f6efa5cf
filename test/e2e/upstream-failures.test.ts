/**
 * Upstream failures end to end, one per target and all at once: a timeout, malformed JSON,
 * truncated JSON and an HTML 502 page. Each is counted by reason, keeps the last good data,
 * sets `mosapi_up 0`, warns once per failure streak, and recovers when the fault goes away.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_LOGINS,
  basicCredential,
  counterValue,
  findSamples,
  onlyState,
  sampleValue,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

interface Case {
  readonly labels: Readonly<Record<string, string>>;
  readonly described: string;
  readonly fault: "latency" | "malformed" | "truncated" | "html";
  readonly reason: string;
  readonly code: string;
  /** Failures to wait for before asserting. */
  readonly streak: number;
}

const CASES: readonly Case[] = [
  {
    labels: { tld: "example" },
    described: "TLD example",
    fault: "latency",
    reason: "timeout",
    code: "MOSAPI_TIMEOUT",
    streak: 2,
  },
  {
    labels: { tld: "test" },
    described: "TLD test",
    fault: "malformed",
    reason: "invalid_response",
    code: "MOSAPI_INVALID_RESPONSE",
    streak: 3,
  },
  {
    labels: { tld: "xn--zckzah" },
    described: "TLD xn--zckzah",
    fault: "truncated",
    reason: "invalid_response",
    code: "MOSAPI_INVALID_RESPONSE",
    streak: 3,
  },
  {
    labels: { registrar_id: "9999" },
    described: "registrar 9999",
    fault: "html",
    reason: "http_error",
    code: "MOSAPI_HTTP_STATUS",
    streak: 3,
  },
];

function targetKeyOf(c: Case): string {
  return c.labels["tld"] === undefined ? `rr/${c.labels["registrar_id"]}` : `ry/${c.labels["tld"]}`;
}

let e2e: E2e;
/** `/metrics` before any fault, and while every target fails. */
let healthy: string;
let failing: string;

beforeAll(async () => {
  e2e = await startE2e({
    config: (sim) => ({
      // Well below the 5 s latency fault, and long enough for one 5xx retry (250 ms with random
      // 0) even on a loaded machine: at 600 ms the HTML case's retry sometimes timed out.
      mosapi: { url: sim.url, timeout: "2s" },
      credentials: Object.fromEntries(
        Object.entries(DEMO_LOGINS).map(([id, login]) => [
          `${id}-login`,
          basicCredential(login.username, login.password),
        ]),
      ),
      targets: [
        { tld: "example", credentials: "example-login" },
        { tld: "test", credentials: "test-login" },
        { tld: "xn--zckzah", credentials: "xn--zckzah-login" },
        { registrar_id: "9999", credentials: "9999-login" },
      ],
      collectors: onlyState("1s"),
    }),
  });
  await e2e.waitFor(
    async () => findSamples(await e2e.metricsText(), "mosapi_up").every((s) => s.value === 1),
    { what: "every target up" },
  );
  healthy = await e2e.metricsText();
  for (const c of CASES) {
    const match = { target: targetKeyOf(c), path: "/monitoring/state" };
    e2e.sim.addFault(
      c.fault === "latency" ? { kind: "latency", ms: 5_000, match } : { kind: c.fault, match },
    );
  }
  await e2e.waitFor(
    async () => {
      const text = await e2e.metricsText();
      return CASES.every(
        (c) =>
          counterValue(text, "mosapi_refresh_failures_total", { ...c.labels, reason: c.reason }) >=
          c.streak,
      );
    },
    { what: "a failure streak on every target", timeoutMs: 20_000 },
  );
  failing = await e2e.metricsText();
});

afterAll(async () => {
  await e2e.close();
});

describe.each(CASES)("$fault on $described", (c) => {
  it(`counts reason ${c.reason} and nothing else`, () => {
    const failures = findSamples(failing, "mosapi_refresh_failures_total", c.labels);
    expect(failures.map((s) => s.labels["reason"])).toEqual([c.reason]);
    expect(failures[0]?.labels["collector"]).toBe("state");
  });

  it("keeps the last good data and sets mosapi_up 0", async () => {
    expect(sampleValue(failing, "mosapi_up", c.labels)).toBe(0);
    const before = findSamples(healthy, "mosapi_service_status", c.labels);
    expect(before.length).toBeGreaterThan(0);
    expect(findSamples(failing, "mosapi_service_status", c.labels)).toEqual(before);
    expect(findSamples(failing, "mosapi_status", c.labels)).toEqual(
      findSamples(healthy, "mosapi_status", c.labels),
    );
    // The last success stays where it was while the streak goes on.
    const lastSuccess = { ...c.labels, collector: "state" };
    const name = "mosapi_last_refresh_success_timestamp_seconds";
    const at = sampleValue(failing, name, lastSuccess);
    expect(at).toBeGreaterThanOrEqual(sampleValue(healthy, name, lastSuccess) ?? Infinity);
    expect(sampleValue(await e2e.metricsText(), name, lastSuccess)).toBe(at);
  });

  it("warns once for the whole streak", () => {
    const warnings = e2e.logs
      .records()
      .filter((r) => r["target"] === c.described && r["level"] === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: c.reason, code: c.code, collector: "state" });
  });

  it("shows the error on the landing page", async () => {
    const page = (await e2e.get("/")).body;
    expect(page).toContain(c.code);
  });
});

describe("after the faults are cleared", () => {
  it("recovers every target and logs the recovery once each", async () => {
    e2e.sim.clearFaults();
    await e2e.waitFor(
      async () => findSamples(await e2e.metricsText(), "mosapi_up").every((s) => s.value === 1),
      { what: "every target up again", timeoutMs: 8000 },
    );
    const recovered = e2e.logs.records().filter((r) => r["msg"] === "refresh recovered");
    expect(recovered.map((r) => r["target"]).sort()).toEqual(CASES.map((c) => c.described).sort());
  });
});
