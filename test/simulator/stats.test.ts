import { describe, expect, it } from "vitest";
import { endpointKind } from "../../src/simulator/endpoints.js";
import { StatsRecorder } from "../../src/simulator/stats.js";
import { basic, startHarness, waitFor } from "./support.js";

const STATE = "/ry/example/v2/monitoring/state";

describe("accounting over HTTP", () => {
  it("counts requests per path, status and endpoint kind, logins and sessions", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    await h.get(STATE, { cookie });
    await h.get(STATE);
    await h.get("/ry/example/login", basic("example_ry", "nope"));
    await h.get("/ry/example/logout", { cookie });
    await h.get("/nowhere");
    await h.get("/_sim/stats");

    const stats = h.sim.stats();
    expect(stats.requests).toEqual({
      total: 6,
      byPath: {
        "/ry/example/login": { total: 2, byStatus: { "200": 1, "401": 1 } },
        [STATE]: { total: 2, byStatus: { "200": 1, "401": 1 } },
        "/ry/example/logout": { total: 1, byStatus: { "200": 1 } },
        "/nowhere": { total: 1, byStatus: { "404": 1 } },
      },
      byStatus: { "200": 3, "401": 2, "404": 1 },
      byEndpoint: { login: 2, state: 2, logout: 1, other: 1 },
      byTarget: { "ry/example": { login: 2, state: 2, logout: 1 } },
      // The harness's requests carry no User-Agent.
      byUserAgent: { "(none)": 6 },
    });
    expect(stats.logins).toEqual({ example_ry: { ok: 1, failed: 1 } });
    expect(stats.sessions).toEqual({ active: 0, created: 1, evicted: 0, expired: 0, closed: 1 });
    expect(stats.concurrency.current).toEqual({ example_ry: 0, "(anonymous)": 0 });
    // The cheap per-target copy the fleet benchmark polls: the same counts, not the live object.
    const byTarget = h.sim.requestsByTarget();
    expect(byTarget).toEqual(stats.requests.byTarget);
    await h.get(STATE, { cookie });
    expect(byTarget["ry/example"]?.["state"]).toBe(2);
    expect(h.sim.requestsByTarget()["ry/example"]?.["state"]).toBe(3);
  });

  it("records peak concurrency per credential", async () => {
    const h = await startHarness();
    const example = await h.login("ry/example", "example_ry", "demo-example");
    const test = await h.login("ry/test", "test_ry", "demo-test");
    h.sim.resetStats();
    h.sim.addFault({ kind: "latency", ms: 1000 });

    const requests = [
      ...Array.from({ length: 4 }, () => h.get(STATE, { cookie: example })),
      h.get("/ry/test/v2/monitoring/state", { cookie: test }),
    ];
    await waitFor(() => h.clock.sleeping === 5);
    expect(h.sim.stats().concurrency.current).toEqual({ example_ry: 4, test_ry: 1 });
    h.clock.advance(1000);
    expect((await Promise.all(requests)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await waitFor(() => h.sim.stats().requests.total === 5);

    const { concurrency } = h.sim.stats();
    expect(concurrency.peak).toEqual({ example_ry: 4, test_ry: 1 });
    expect(concurrency.peakTotal).toBe(5);
    expect(concurrency.current).toEqual({ example_ry: 0, test_ry: 0 });
  });

  it("resetStats() zeroes counters but keeps live sessions", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    await h.get(STATE, { cookie });
    h.sim.resetStats();
    const stats = h.sim.stats();
    expect(stats.requests.total).toBe(0);
    expect(stats.logins).toEqual({});
    expect(stats.sessions).toMatchObject({ active: 1, created: 0 });
    expect(stats.concurrency.peakTotal).toBe(0);
  });
});

describe("endpoint kinds", () => {
  const incident = "/ry/test/v2/monitoring/dns/incidents/1795433700.2";
  it.each([
    ["/ry/example/login", "login"],
    ["/ry/example/v2/monitoring/state", "state"],
    ["/ry/example/v1/monitoring/dns/alarmed", "alarmed"],
    ["/rr/9999/v2/monitoring/rdap/downtime", "downtime"],
    ["/ry/test/v2/monitoring/dns/incidents", "incidents"],
    [incident, "incident"],
    [`${incident}/falsePositive`, "falsePositive"],
    [`${incident}/measurements`, "measurements"],
    [`${incident}/measurements/1795435140.2`, "measurement"],
    ["/ry/example/v2/metrica/domainList/latest", "metrica-latest"],
    ["/ry/example/v2/metrica/domainList/2026-11-22", "metrica-date"],
    ["/rr/9999/v2/metrica/domainLists", "metrica-lists"],
    ["/ry/example/v2/metrica/domainList", "other"],
    ["/ry/example/v2/monitoring/dns/nothing", "other"],
  ])("%s is %s", (path, kind) => {
    expect(endpointKind(path)).toBe(kind);
  });

  it("counts every kind per target, so tests can hold the exporter to a request budget", async () => {
    const h = await startHarness();
    const test = await h.login("ry/test", "test_ry", "demo-test");
    const rr = await h.login("rr/9999", "9999_rr", "demo-9999");
    h.sim.resetStats();
    for (const path of [
      "v2/monitoring/state",
      "v2/monitoring/dns/alarmed",
      "v2/monitoring/dns/downtime",
      "v2/monitoring/dns/incidents?startDate=0",
      "v2/monitoring/dns/incidents/1795433700.2",
      "v2/monitoring/dns/incidents/1795433700.2/falsePositive",
      "v2/monitoring/dns/incidents/1795433700.2/measurements",
      "v2/monitoring/dns/incidents/1795433700.2/measurements/1795435140.2",
      "v2/metrica/domainList/latest",
      "v2/metrica/domainList/2026-11-22",
      "v2/metrica/domainLists",
    ]) {
      await h.get(`/ry/test/${path}`, { cookie: test });
    }
    await h.get("/rr/9999/v2/monitoring/rdap/alarmed", { cookie: rr });
    await h.get("/rr/9999/v2/metrica/domainList/latest", { cookie: rr });
    await h.get("/rr/9999/v2/metrica/domainList/latest", { cookie: rr });

    const { requests } = h.sim.stats();
    expect(requests.byTarget).toEqual({
      "ry/test": {
        state: 1,
        alarmed: 1,
        downtime: 1,
        incidents: 1,
        incident: 1,
        falsePositive: 1,
        measurements: 1,
        measurement: 1,
        "metrica-latest": 1,
        "metrica-date": 1,
        "metrica-lists": 1,
      },
      "rr/9999": { alarmed: 1, "metrica-latest": 2 },
    });
    expect(requests.byEndpoint).toMatchObject({ alarmed: 2, "metrica-latest": 3 });
    // METRICA is not enabled for test: its three answers are 404, the rest 200.
    expect(requests.byStatus).toEqual({ "200": 11, "404": 3 });
  });
});

describe("StatsRecorder", () => {
  it("ends a request only once and returns independent snapshots", () => {
    const stats = new StatsRecorder();
    const end = stats.begin("a");
    const snapshot = stats.snapshot(0);
    end();
    end();
    expect(snapshot.concurrency.current).toEqual({ a: 1 });
    expect(stats.snapshot(0).concurrency).toEqual({
      current: { a: 0 },
      peak: { a: 1 },
      peakTotal: 1,
    });
  });
});
