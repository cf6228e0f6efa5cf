/**
 * Odd parts end to end (METRICS.md#odd-parts-of-answers): the exporter against the simulator
 * over loopback, the simulator sending one shape other MoSAPI clients accept at a time. Each
 * shape keeps the target up with the rest of its data exact, is counted in
 * `mosapi_upstream_oddities_total`, logged once (with its path) however often it comes, and
 * listed on the target's page. Also: every request says who we are (User-Agent).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userAgent } from "../../src/app/pipeline.js";
import { dayPath, treeDay } from "../../src/mosapi/probe-network.js";
import type { Fault } from "../../src/simulator/faults.js";
import { systemClock } from "../../src/util/clock.js";
import { packageVersion } from "../../src/version.js";
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

const TLD = { tld: "example" };
const ODDITIES = "mosapi_upstream_oddities_total";

let e2e: E2e;
let healthy: string;

/** The samples of `name` for the target, as `labels → value` text, for exact comparison. */
function series(text: string, name: string): string[] {
  return findSamples(text, name, TLD)
    .map((s) => `${JSON.stringify(s.labels)} ${s.value}`)
    .sort();
}

beforeAll(async () => {
  // Simulated time stands still: the data of `healthy` must not move on with the minute
  // (lastUpdateApiDatabase, the rolling week) while the cases compare against it.
  const frozenMs = Date.now();
  e2e = await startE2e({
    simulator: { clock: { ...systemClock, now: () => frozenMs } },
    config: (sim) => ({
      mosapi: { url: sim.url },
      credentials: {
        login: basicCredential(DEMO_LOGINS.example.username, DEMO_LOGINS.example.password),
      },
      targets: [{ tld: "example", credentials: "login" }],
      collectors: {
        state: "1s",
        alarmed: "1s",
        downtime: 0,
        incidents: 0,
        metrica: "1s",
      },
    }),
  });
  await e2e.waitFor(
    async () => {
      const text = await e2e.metricsText();
      return (
        sampleValue(text, "mosapi_up", TLD) === 1 &&
        findSamples(text, "mosapi_abuse_unique_domains", TLD).length === 1 &&
        findSamples(text, "mosapi_service_alarmed", TLD).length > 0
      );
    },
    { what: "state, alarmed and METRICA of example" },
  );
  healthy = await e2e.metricsText();
});

afterAll(async () => {
  await e2e.close();
});

it("says who we are on every request: User-Agent mosapi-exporter/<version>", () => {
  expect(userAgent()).toBe(`mosapi-exporter/${packageVersion()}`);
  const { requests } = e2e.sim.stats();
  expect(requests.total).toBeGreaterThan(0);
  expect(requests.byUserAgent).toEqual({ [userAgent()]: requests.total });
});

interface Shape {
  readonly name: string;
  readonly fault: Fault;
  readonly endpoint: string;
  readonly reason: string;
  /** The path logged for it. */
  readonly path: string;
  /** Series that must survive exactly (everything the shape does not touch). */
  readonly unchanged: readonly string[];
  /** What the shape itself does to /metrics. */
  readonly check: (text: string) => void;
}

const STATE_SERIES = ["mosapi_status", "mosapi_data_timestamp_seconds"];
const NO_INCIDENTS = [
  { incidentID: "1795000000.1", startTime: 1795000000, endTime: 1795000600, state: "Resolved" },
];

function patch(path: string, edits: Extract<Fault, { kind: "patch" }>["edits"]): Fault {
  return { kind: "patch", match: { path }, edits };
}

const SHAPES: readonly Shape[] = [
  {
    name: '"incidents": null (Go encoders)',
    fault: patch("/monitoring/state", [
      { path: ["testedServices", "DNS", "incidents"], value: null },
    ]),
    endpoint: "monitoring/state",
    reason: "null_value",
    path: "testedServices.DNS.incidents",
    unchanged: [...STATE_SERIES, "mosapi_service_status", "mosapi_abuse_domains"],
    check: (text) => {
      for (const state of ["active", "resolved"]) {
        expect(
          counterValue(text, "mosapi_service_incidents", { ...TLD, service_type: "dns", state }),
        ).toBe(0);
      }
    },
  },
  {
    name: "a service without status",
    fault: patch("/monitoring/state", [{ path: ["testedServices", "RDAP"], value: {} }]),
    endpoint: "monitoring/state",
    reason: "missing_field",
    path: "testedServices.RDAP.status",
    unchanged: [...STATE_SERIES, "mosapi_abuse_domains"],
    check: (text) => {
      expect(
        sampleValue(text, "mosapi_service_status", {
          ...TLD,
          service_type: "rdap",
          status: "unknown",
        }),
      ).toBe(1);
      expect(
        sampleValue(text, "mosapi_service_status", { ...TLD, service_type: "dns", status: "up" }),
      ).toBe(
        sampleValue(healthy, "mosapi_service_status", {
          ...TLD,
          service_type: "dns",
          status: "up",
        }),
      );
    },
  },
  {
    name: '"testedServices": [] (PHP encoders)',
    fault: patch("/monitoring/state", [{ path: ["testedServices"], value: [] }]),
    endpoint: "monitoring/state",
    reason: "array_for_map",
    path: "testedServices",
    unchanged: [...STATE_SERIES, "mosapi_abuse_domains"],
    check: (text) => {
      expect(findSamples(text, "mosapi_service_status", TLD)).toEqual([]);
    },
  },
  {
    name: 'an incident with "startTime": null',
    fault: patch("/monitoring/state", [
      {
        path: ["testedServices", "DNS", "incidents"],
        value: [
          { incidentID: "1795000700.2", startTime: null, endTime: null, state: "Active" },
          ...NO_INCIDENTS,
        ],
      },
    ]),
    endpoint: "monitoring/state",
    reason: "null_value",
    path: "testedServices.DNS.incidents[0].startTime",
    unchanged: [...STATE_SERIES, "mosapi_service_status", "mosapi_abuse_domains"],
    check: (text) => {
      const dns = { ...TLD, service_type: "dns", false_positive: "false" };
      expect(sampleValue(text, "mosapi_service_incidents", { ...dns, state: "resolved" })).toBe(1);
      expect(sampleValue(text, "mosapi_service_incidents", { ...dns, state: "active" })).toBe(0);
    },
  },
  {
    name: "a state without lastUpdateApiDatabase",
    fault: patch("/monitoring/state", [{ path: ["lastUpdateApiDatabase"], remove: true }]),
    endpoint: "monitoring/state",
    reason: "missing_field",
    path: "lastUpdateApiDatabase",
    unchanged: ["mosapi_status", "mosapi_service_status", "mosapi_abuse_domains"],
    check: (text) => {
      expect(findSamples(text, "mosapi_data_timestamp_seconds", TLD)).toEqual([]);
    },
  },
  {
    name: "a METRICA report without uniqueAbuseDomains",
    fault: patch("/metrica/domainList/latest", [{ path: ["uniqueAbuseDomains"], remove: true }]),
    endpoint: "metrica/domainList/latest",
    reason: "missing_field",
    path: "uniqueAbuseDomains",
    unchanged: [
      ...STATE_SERIES,
      "mosapi_service_status",
      "mosapi_abuse_domains",
      "mosapi_abuse_report_timestamp_seconds",
    ],
    check: (text) => {
      expect(findSamples(text, "mosapi_abuse_unique_domains", TLD)).toEqual([]);
    },
  },
  {
    name: "an incident state other than Active/Resolved without endTime",
    fault: patch("/monitoring/state", [
      {
        path: ["testedServices", "DNS", "incidents"],
        value: [{ incidentID: "1795000700.3", startTime: 1795000700, state: "Closed" }],
      },
    ]),
    endpoint: "monitoring/state",
    reason: "unknown_value",
    path: "testedServices.DNS.incidents[0].state",
    unchanged: [...STATE_SERIES, "mosapi_service_status", "mosapi_abuse_domains"],
    check: (text) => {
      const dns = { ...TLD, service_type: "dns" };
      expect(counterValue(text, "mosapi_service_incidents", { ...dns, state: "active" })).toBe(0);
      expect(
        findSamples(text, "mosapi_service_active_incident_start_timestamp_seconds", dns),
      ).toEqual([]);
    },
  },
];

describe.each(SHAPES)("$name", (shape) => {
  it("keeps the target up and the rest exact; counted, logged once, on the target page", async () => {
    e2e.sim.clearFaults();
    e2e.sim.addFault(shape.fault);
    const labels = { ...TLD, endpoint: shape.endpoint, reason: shape.reason };
    const before = counterValue(await e2e.metricsText(), ODDITIES, labels);
    // Twice: the shape keeps coming, and is logged once all the same.
    await e2e.waitFor(
      async () => counterValue(await e2e.metricsText(), ODDITIES, labels) >= before + 2,
      { what: `${ODDITIES} ${JSON.stringify(labels)} twice` },
    );
    const text = await e2e.metricsText();
    expect(sampleValue(text, "mosapi_up", TLD)).toBe(1);
    expect(counterValue(text, "mosapi_refresh_failures_total", TLD)).toBe(0);
    for (const name of shape.unchanged) expect(series(text, name)).toEqual(series(healthy, name));
    shape.check(text);

    const logged = e2e.logs
      .records()
      .filter((r) => r["path"] === shape.path && r["endpoint"] === shape.endpoint);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: "warn", target: "TLD example", reason: shape.reason });

    const page = await e2e.get("/targets/ry/example");
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<code>${shape.path}</code>`);
  });
});

it("404 from alarmed for a monitored service means not available: no failure, one info log", async () => {
  e2e.sim.clearFaults();
  e2e.sim.addFault({ kind: "status", status: 404, match: { path: "/monitoring/dns/alarmed" } });
  const dnsAlarmed = () =>
    e2e.sim.stats().requests.byPath["/ry/example/v2/monitoring/dns/alarmed"]?.byStatus["404"] ?? 0;
  await e2e.waitFor(() => Promise.resolve(dnsAlarmed() >= 1), { what: "a 404 from dns/alarmed" });
  const successBefore = sampleValue(
    await e2e.metricsText(),
    "mosapi_last_refresh_success_timestamp_seconds",
    { ...TLD, collector: "alarmed" },
  );
  // Further alarmed rounds succeed without asking DNS again (checked again only after hours).
  await e2e.waitFor(
    async () =>
      (sampleValue(await e2e.metricsText(), "mosapi_last_refresh_success_timestamp_seconds", {
        ...TLD,
        collector: "alarmed",
      }) ?? 0) > (successBefore ?? 0),
    { what: "a later successful alarmed refresh" },
  );
  const text = await e2e.metricsText();
  expect(
    counterValue(text, "mosapi_refresh_failures_total", { ...TLD, collector: "alarmed" }),
  ).toBe(0);
  expect(findSamples(text, "mosapi_service_alarmed", { ...TLD, service_type: "dns" })).toEqual([]);
  expect(dnsAlarmed()).toBe(1);
  const infos = e2e.logs
    .records()
    .filter(
      (r) => r["level"] === "info" && String(r["msg"]).includes("not available for this service"),
    );
  expect(infos).toHaveLength(1);
  e2e.sim.clearFaults();
});

describe("per-probe name-server results nested in each nameServerStatus entry (another client)", () => {
  const NS_PROBES = "mosapi_measurement_nameserver_probes";
  const DNS = { ...TLD, service_type: "dns" };
  const account = DEMO_LOGINS.example;
  // Simulated time stands still but for advanceClock: a new DNS cycle only when the test says.
  const frozenMs = Date.now();
  let own: E2e;

  beforeAll(async () => {
    own = await startE2e({
      // Two sessions, so that the test's own login does not evict the exporter's.
      simulator: { clock: { ...systemClock, now: () => frozenMs }, maxSessionsPerAccount: 2 },
      config: (sim) => ({
        mosapi: { url: sim.url },
        credentials: { login: basicCredential(account.username, account.password) },
        targets: [{ tld: "example", credentials: "login" }],
        collectors: { ...onlyState(), measurements: "1s" },
      }),
    });
  });

  afterAll(async () => {
    await own.close();
  });

  /** The simulator's unpatched answer for `path` (under `/ry/example/v2/`), as the exporter gets it. */
  async function simJson(path: string): Promise<Record<string, unknown>> {
    const basic = Buffer.from(`${account.username}:${account.password}`).toString("base64");
    const login = await fetch(`${own.sim.url}/ry/example/login`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const reply = await fetch(`${own.sim.url}/ry/example/v2/${path}`, { headers: { cookie } });
    expect(reply.status).toBe(200);
    return (await reply.json()) as Record<string, unknown>;
  }

  it("gives the series SLAM's layout (probes beside nameServerStatus) gives; up, no failure", async () => {
    const cycleOf = async () =>
      sampleValue(await own.metricsText(), "mosapi_measurement_timestamp_seconds", DNS);
    await own.waitFor(
      async () => {
        const text = await own.metricsText();
        return (
          sampleValue(text, "mosapi_measurement_timestamp_seconds", DNS) !== undefined &&
          findSamples(text, NS_PROBES, DNS).length > 0
        );
      },
      { what: "the latest DNS measurement of example" },
    );
    const cycle = (await cycleOf()) ?? 0;
    const slam = series(await own.metricsText(), NS_PROBES);
    expect(slam.length).toBeGreaterThan(0);

    // The same name-server content in the nested layout: each nameServerStatus entry carries its
    // probes, and there is no probes list beside them.
    const dayOf = (start: number) => dayPath(treeDay(start * 1000));
    const body = await simJson(`monitoring/dns/measurements/${dayOf(cycle)}/${cycle}.json`);
    type Availability = {
      nameServerStatus: { target: string; status: string }[];
      probes: { city: string; testData: { target: string; status: string }[] }[];
    };
    const availability = body["nameServerAvailability"] as Availability;
    expect(availability.probes.length).toBeGreaterThan(0);
    const nameServerStatus = availability.nameServerStatus.map((entry) => ({
      ...entry,
      probes: availability.probes.flatMap((probe) =>
        probe.testData
          .filter((test) => test.target === entry.target)
          .map((test) => ({ city: probe.city, status: test.status })),
      ),
    }));

    // The next cycle's measurement goes out with that content. Its DNS interface's testData lose
    // their `target`: they would otherwise tell the same verdicts (the v1 fallback), and the
    // series must come from the nested lists alone.
    const next = cycle + 60;
    own.sim.addFault(
      patch(`/monitoring/dns/measurements/${dayOf(next)}/${next}.json`, [
        { path: ["nameServerAvailability"], value: { nameServerStatus } },
        { path: ["testedInterface", "*", "probes", "*", "testData", "*", "target"], remove: true },
      ]),
    );
    own.sim.advanceClock(60);
    await own.waitFor(async () => (await cycleOf()) === next, {
      what: `the DNS measurement of cycle ${next}`,
    });

    const text = await own.metricsText();
    expect(own.sim.stats().faults["patch"]).toBe(1);
    expect(sampleValue(text, "mosapi_up", TLD)).toBe(1);
    expect(series(text, NS_PROBES)).toEqual(slam);
    expect(counterValue(text, "mosapi_refresh_failures_total", TLD)).toBe(0);
    expect(
      counterValue(text, "mosapi_refresh_failures_total", { ...TLD, collector: "measurements" }),
    ).toBe(0);
  });
});
