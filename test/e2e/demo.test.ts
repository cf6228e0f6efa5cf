/**
 * The demo scenario end to end: the exporter logs in to every demo target of the simulator,
 * becomes ready, and serves the state of all four targets, the DNS outage of `test` included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CERTIFICATE_CN } from "../../src/simulator/scenarios/common.js";
import type { Clock } from "../../src/util/clock.js";
import {
  DEMO_LOGINS,
  basicCredential,
  findSamples,
  sampleValue,
  onlyState,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

/**
 * Real time, but every simulator sleep (i.e. every latency fault) waits until `open()`: the
 * first refreshes are held upstream for exactly as long as the test needs, with no timing race.
 */
class GatedClock implements Clock {
  #open = false;
  readonly #waiting: (() => void)[] = [];

  now(): number {
    return Date.now();
  }

  sleep(_ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      signal?.addEventListener("abort", () => {
        reject(signal.reason as Error);
      });
    });
  }

  /** Releases every held sleep, and lets later ones pass at once. */
  open(): void {
    this.#open = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  get held(): number {
    return this.#waiting.length;
  }
}

const gate = new GatedClock();
let e2e: E2e;
let readyBefore: number;
let landingBefore: string;

beforeAll(async () => {
  e2e = await startE2e({
    simulator: { clock: gate },
    config: (sim) => ({
      mosapi: { url: sim.url, timeout: "10s" },
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
      collectors: onlyState(),
    }),
    // Hold every first state request upstream until the test has seen the exporter not ready.
    beforeStart: (sim) => sim.addFault({ kind: "latency", ms: 1, match: { path: "/state" } }),
  });
  await e2e.waitFor(() => gate.held === 4, { what: "four held state requests" });
  readyBefore = (await e2e.get("/-/ready")).status;
  landingBefore = (await e2e.get("/")).body;
  e2e.sim.clearFaults();
  gate.open();
  await e2e.waitFor(async () => (await e2e.get("/-/ready")).status === 200, {
    what: "/-/ready 200",
  });
});

afterAll(async () => {
  await e2e.close();
});

describe("demo scenario", () => {
  it("is not ready until the first state refresh of every target has finished", () => {
    expect(readyBefore).toBe(503);
    expect(landingBefore).toContain("Not ready");
  });

  it("serves /metrics with the exact Prometheus 0.0.4 content type", async () => {
    const reply = await e2e.get("/metrics");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("exports the state of every target", async () => {
    const text = await e2e.metricsText();
    for (const labels of [
      { tld: "example" },
      { tld: "test" },
      { tld: "xn--zckzah" },
      { registrar_id: "9999" },
    ]) {
      expect([labels, sampleValue(text, "mosapi_up", labels)]).toEqual([labels, 1]);
      expect(findSamples(text, "mosapi_status", labels)).toHaveLength(4);
      expect(findSamples(text, "mosapi_service_status", labels).length).toBeGreaterThan(0);
      expect(sampleValue(text, "mosapi_data_timestamp_seconds", labels)).toBeGreaterThan(0);
    }
    expect(sampleValue(text, "mosapi_status", { tld: "example", status: "up" })).toBe(1);
    expect(sampleValue(text, "mosapi_status", { tld: "test", status: "down" })).toBe(1);
    expect(sampleValue(text, "mosapi_status", { registrar_id: "9999", status: "up" })).toBe(1);
    const inconclusive = { tld: "xn--zckzah", service_type: "dns" };
    expect(
      sampleValue(text, "mosapi_service_status", {
        ...inconclusive,
        status: "up-inconclusive-no-probes",
      }),
    ).toBe(1);
    // One login per Basic target, nothing refused.
    expect(findSamples(text, "mosapi_logins_total").map((s) => s.value)).toEqual([1, 1, 1, 1]);
    expect(findSamples(text, "mosapi_refresh_failures_total")).toEqual([]);
  });

  it("shows the DNS outage of test with its active incident", async () => {
    const text = await e2e.metricsText();
    const dns = { tld: "test", service_type: "dns" };
    expect(sampleValue(text, "mosapi_service_status", { ...dns, status: "down" })).toBe(1);
    expect(sampleValue(text, "mosapi_service_status", { ...dns, status: "up" })).toBe(0);
    const start = sampleValue(text, "mosapi_service_active_incident_start_timestamp_seconds", dns);
    // The outage began 25 min before the scenario epoch (the start time rounded down to 5 min);
    // the incident starts at its first failed cycle.
    const now = Date.now() / 1000;
    expect(start).toBeGreaterThan(now - 40 * 60);
    expect(start).toBeLessThan(now - 20 * 60);
    expect(
      sampleValue(text, "mosapi_service_incidents", {
        ...dns,
        state: "active",
        false_positive: "false",
      }),
    ).toBe(1);
    // Only the ongoing outage has an active incident.
    expect(
      findSamples(text, "mosapi_service_active_incident_start_timestamp_seconds").map(
        (s) => s.labels,
      ),
    ).toEqual([dns]);
  });

  it("lists every target on the landing page", async () => {
    const reply = await e2e.get("/");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^text\/html/);
    for (const name of ["TLD example", "TLD test", "TLD xn--zckzah", "registrar 9999"]) {
      expect(reply.body).toContain(name);
    }
    expect(reply.body).toContain("Ready.");
    expect(reply.body.replace(/\s+/g, " ")).toContain(
      "4 targets, 1 active incident, 0 targets with failing refreshes.",
    );
  });

  it("answers /-/healthy, and sent every data request with a session cookie", async () => {
    expect((await e2e.get("/-/healthy")).status).toBe(200);
    // The simulator attributes a request to an account by its cookie (or Basic on /login); an
    // unattributed request would show up as "(anonymous)", a certificate one under its CN.
    const callers = Object.keys(e2e.sim.stats().concurrency.peak).sort();
    expect(callers).toEqual(
      Object.values(DEMO_LOGINS)
        .map((l) => l.username)
        .sort(),
    );
    expect(callers).not.toContain(DEMO_CERTIFICATE_CN);
  });
});
