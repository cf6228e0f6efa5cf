/**
 * `npm run demo` end to end: the demo scenario on the simulator, and the exporter configured by
 * examples/demo.yml itself (pointed at this simulator). The exporter logs in to every demo
 * target, becomes ready, and serves the state of all four targets, the DNS outage of `test`
 * included, the early warning of `example` (DNS Up while 2 of 6 probes lose ns1) and the
 * probe network's traces of `test`, the only target with an active incident. README's
 * transcripts of the demo are checked against what it serves.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ipv4For, ipv6For } from "../../src/simulator/derive.js";
import { DEMO_CERTIFICATE_CN } from "../../src/simulator/scenarios/common.js";
import type { Clock } from "../../src/util/clock.js";
import { DEMO_LOGINS, findSamples, sampleValue, startE2e, type E2e } from "../helpers/start-app.js";

const DEMO_CONFIG = new URL("../../examples/demo.yml", import.meta.url);
const README = new URL("../../README.md", import.meta.url);

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
  const demo = parse(readFileSync(DEMO_CONFIG, "utf8")) as { mosapi: Record<string, unknown> };
  e2e = await startE2e({
    simulator: { clock: gate },
    // The demo's own config, on this simulator's port; the timeout is longer than the demo's
    // so the state requests held below cannot time out on a busy machine.
    config: (sim) => ({ ...demo, mosapi: { ...demo.mosapi, url: sim.url, timeout: "10s" } }),
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

/**
 * Waits for the first rounds of `measurements` and `troubleshooting`: both wait for the first
 * `state`, then fetch (example's latest DNS measurement, test's traces).
 */
async function probeNetworkRead(): Promise<string> {
  const read = (text: string) =>
    findSamples(text, "mosapi_measurement_nameserver_probes", { tld: "example" }).length > 0 &&
    findSamples(text, "mosapi_trace_reached").length > 0;
  await e2e.waitFor(async () => read(await e2e.metricsText()), {
    timeoutMs: 10_000,
    what: "example's recent measurements and test's traces",
  });
  return e2e.metricsText();
}

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

  it("shows the early warning of example: DNS Up while 2 of 6 probes lose ns1.example", async () => {
    const text = await probeNetworkRead();
    const dns = { tld: "example", service_type: "dns" };
    expect(sampleValue(text, "mosapi_service_status", { ...dns, status: "up" })).toBe(1);
    expect(
      findSamples(text, "mosapi_service_active_incident_start_timestamp_seconds", dns),
    ).toEqual([]);
    expect(
      findSamples(text, "mosapi_measurement_nameserver_probes", dns).map(
        (s) => `${s.labels["nameserver"]} ${s.labels["status"]} ${s.value}`,
      ),
    ).toEqual(["ns1.example up 4", "ns1.example down 2", "ns2.example up 6", "ns2.example down 0"]);
  });

  it("shows test's traces: Sydney loses the path to both addresses of ns1.test", async () => {
    const text = await probeNetworkRead();
    const ips = findSamples(text, "mosapi_trace_target_info").map((s) => s.labels);
    // Only test has an active incident, so only test's addresses are traced.
    expect(new Set(ips.map((l) => l["tld"]))).toEqual(new Set(["test"]));
    const ns1 = [ipv4For("ns1.test"), ipv6For("ns1.test")];
    for (const ip of ns1) expect(ips).toContainEqual({ tld: "test", ip, role: "nameserver" });
    const reached = findSamples(text, "mosapi_trace_reached");
    // Six probes trace every traced address.
    expect(reached).toHaveLength(6 * ips.length);
    const lost = reached
      .filter((s) => s.value === 0)
      .map((s) => `${s.labels["probe"]} ${s.labels["ip"]}`);
    expect(lost.sort()).toEqual(ns1.map((ip) => `Sydney ${ip}`).sort());
    for (const ip of ns1) {
      expect(sampleValue(text, "mosapi_trace_loss_ratio", { probe: "Sydney", ip })).toBe(1);
      expect(sampleValue(text, "mosapi_trace_rtt_seconds", { probe: "Sydney", ip })).toBe(
        undefined,
      );
    }
  });

  it("asks for traces of test only, the one target with an active incident, each file once", async () => {
    const traced = findSamples(await probeNetworkRead(), "mosapi_trace_reached").length;
    const byTarget = e2e.sim.stats().requests.byTarget;
    const traceRequests = (key: string) =>
      Object.fromEntries(
        Object.entries(byTarget[key] ?? {}).filter(([kind]) => kind.startsWith("trace")),
      );
    for (const key of ["ry/example", "ry/xn--zckzah", "rr/9999"]) {
      expect([key, traceRequests(key)]).toEqual([key, {}]);
    }
    // Today's listing (and yesterday's, in the first minutes of a UTC day when today's is still
    // empty), then the newest file of each probe × address, one download each.
    const { "trace-day": days, ...files } = traceRequests("ry/test");
    expect([1, 2]).toContain(days);
    expect(files).toEqual({ "trace-file": traced });
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

/** Series whose value moves with the demo's clock: README shows one run's. */
const MOVES_WITH_TIME = new Set([
  "mosapi_service_emergency_threshold_ratio",
  "mosapi_service_active_incident_start_timestamp_seconds",
]);

/** README's `curl … | grep -E '…'` transcripts of the demo: the pattern and the lines shown. */
function readmeTranscripts(): { pattern: string; lines: string[] }[] {
  const readme = readFileSync(README, "utf8");
  const command = /^\$ curl -s localhost:9745\/metrics \| grep -E '([^']+)'\n((?:(?!```).*\n)*)/gm;
  return [...readme.matchAll(command)].map((m) => ({
    pattern: m[1] ?? "",
    lines: (m[2] ?? "").split("\n").filter((line) => line !== ""),
  }));
}

describe("README's transcripts of the demo", () => {
  it("show what the demo's /metrics serves, line for line", async () => {
    const transcripts = readmeTranscripts();
    expect(transcripts.length).toBeGreaterThanOrEqual(2);
    const text = await probeNetworkRead();
    for (const { pattern, lines } of transcripts) {
      const grep = new RegExp(pattern);
      const served = text.split("\n").filter((line) => grep.test(line));
      const series = (line: string) => line.slice(0, line.lastIndexOf(" "));
      expect([pattern, served.map(series)]).toEqual([pattern, lines.map(series)]);
      served.forEach((line, i) => {
        const name = line.slice(0, line.search(/[{ ]/));
        if (!MOVES_WITH_TIME.has(name)) expect(line).toBe(lines[i]);
      });
    }
  });
});
