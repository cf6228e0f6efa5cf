import { describe, expect, it } from "vitest";
import type { ScenarioTarget } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { MAX_LISTED_MEASUREMENTS } from "../../src/simulator/service-resources.js";
import { NOW, okBody, scenarioTarget, serve } from "./resources.js";
import { startHarness } from "./support.js";

const MIN = 60;
const DAY = 86_400;

interface Metric {
  testDateTime: number;
  targetIP: string;
  rtt: number | null;
  result: string;
  nsid?: string;
}
interface Probe {
  city: string;
  status: string;
  transport?: string;
  testedName?: string | null;
  testData: { target: string | null; status: string; metrics: Metric[] }[];
}
interface Measurement {
  version: number;
  lastUpdateApiDatabase: number;
  tld?: string;
  registrarID?: string;
  service: string;
  cycleCalculationDateTime: number;
  status: string;
  minNameServersUp?: number;
  nameServerAvailability?: {
    nameServerStatus: { target: string; status: string }[];
    probes: { city: string; testData: { target: string; status: string }[] }[];
  };
  testedInterface: { interface: string; probes: Probe[] }[];
}
interface ListEntry {
  measurementID: string;
  cycleCalculationDateTime: number;
}

function list(target: ScenarioTarget, base: string, now = NOW): ListEntry[] {
  const body = okBody(serve(target, `${base}/measurements`, now));
  expect(Object.keys(body)).toEqual(["version", "lastUpdateApiDatabase", "measurements"]);
  return body["measurements"] as ListEntry[];
}

function measurement(target: ScenarioTarget, base: string, id: string, now = NOW): Measurement {
  return okBody(serve(target, `${base}/measurements/${id}`, now)) as unknown as Measurement;
}

/** `city → status` of an interface's probes. */
function probeStatuses(m: Measurement, index = 0): Record<string, string> {
  return Object.fromEntries(m.testedInterface[index]?.probes.map((p) => [p.city, p.status]) ?? []);
}

/** `city → target → results` of an interface's probes. */
function results(m: Measurement): Record<string, Record<string, string[]>> {
  return Object.fromEntries(
    m.testedInterface[0]?.probes.map((p) => [
      p.city,
      Object.fromEntries(p.testData.map((t) => [t.target, t.metrics.map((x) => x.result)])),
    ]) ?? [],
  );
}

const TEST_DNS = `v2/monitoring/dns/incidents/${NOW - 25 * MIN}.2`;
const EXAMPLE_RDAP = `v2/monitoring/rdap/incidents/${NOW - 2 * DAY - 10 * MIN}.1`;

describe("measurement lists", () => {
  it("demo test DNS: one entry per completed cycle, oldest first, up to the latest", () => {
    const entries = list(scenarioTarget("demo", "ry/test"), TEST_DNS);
    expect(entries).toHaveLength(25);
    expect(entries[0]).toEqual({
      measurementID: `${NOW - 25 * MIN}.2`,
      cycleCalculationDateTime: NOW - 25 * MIN,
    });
    expect(entries.at(-1)).toEqual({
      measurementID: `${NOW - MIN}.2`,
      cycleCalculationDateTime: NOW - MIN,
    });
    const times = entries.map((e) => e.cycleCalculationDateTime);
    expect(times).toEqual(times.map((_, i) => NOW - 25 * MIN + i * MIN));
  });

  it("grows with time for an active incident and ends at the latest completed cycle", () => {
    const test = scenarioTarget("demo", "ry/test");
    for (const [later, count] of [
      [NOW + 59, 25],
      [NOW + 60, 26],
      [NOW + 10 * MIN + 30, 35],
    ] as const) {
      const entries = list(test, TEST_DNS, later);
      expect(entries).toHaveLength(count);
      expect(entries.at(-1)?.cycleCalculationDateTime).toBe(Math.floor(later / MIN) * MIN - MIN);
    }
  });

  it("stays fixed for a resolved incident: its cycles, to the last Down one", () => {
    const example = scenarioTarget("demo", "ry/example");
    const expected = [
      {
        measurementID: `${NOW - 2 * DAY - 10 * MIN}.1`,
        cycleCalculationDateTime: NOW - 2 * DAY - 10 * MIN,
      },
      {
        measurementID: `${NOW - 2 * DAY - 5 * MIN}.1`,
        cycleCalculationDateTime: NOW - 2 * DAY - 5 * MIN,
      },
    ];
    expect(list(example, EXAMPLE_RDAP)).toEqual(expected);
    expect(list(example, EXAMPLE_RDAP, NOW + DAY)).toEqual(expected);
  });

  it("keeps recovery cycles inside an incident and caps the list at the latest 1440", () => {
    const target: ScenarioTarget = {
      entity: "ry",
      id: "example",
      services: {
        DNS: {
          outages: [
            { start: -3 * DAY, end: -3 * DAY + 3 * MIN },
            // One good cycle in between does not close the incident.
            { start: -3 * DAY + 4 * MIN },
          ],
        },
      },
    };
    const entries = list(target, `v2/monitoring/dns/incidents/${NOW - 3 * DAY}.1`);
    expect(entries).toHaveLength(MAX_LISTED_MEASUREMENTS);
    expect(entries.at(-1)?.cycleCalculationDateTime).toBe(NOW - MIN);
    expect(entries[0]?.cycleCalculationDateTime).toBe(NOW - MAX_LISTED_MEASUREMENTS * MIN);

    const early = list(
      target,
      `v2/monitoring/dns/incidents/${NOW - 3 * DAY}.1`,
      NOW - 3 * DAY + 8 * MIN,
    );
    expect(early.map((e) => e.cycleCalculationDateTime - (NOW - 3 * DAY))).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((m) => m * MIN),
    );
    const up = measurement(
      target,
      "v2/monitoring/dns/incidents/" + `${NOW - 3 * DAY}.1`,
      `${NOW - 3 * DAY + 3 * MIN}.1`,
    );
    expect(up.status).toBe("Up");
    expect(Object.values(probeStatuses(up))).toEqual(Array(6).fill("Up"));
  });
});

describe("demo measurement content", () => {
  it("test DNS: name servers silent over UDP, -816 over TCP on ns2, Offline and No result", () => {
    const m = measurement(scenarioTarget("demo", "ry/test"), TEST_DNS, `${NOW - MIN}.2`);
    expect(Object.keys(m)).toEqual([
      "version",
      "lastUpdateApiDatabase",
      "tld",
      "service",
      "cycleCalculationDateTime",
      "status",
      "minNameServersUp",
      "nameServerAvailability",
      "testedInterface",
    ]);
    expect(m).toMatchObject({
      version: 2,
      lastUpdateApiDatabase: NOW,
      tld: "test",
      service: "dns",
      cycleCalculationDateTime: NOW - MIN,
      status: "Down",
      minNameServersUp: 2,
    });
    expect(m.testedInterface.map((i) => i.interface)).toEqual(["DNS"]);
    expect(probeStatuses(m)).toEqual({
      Amsterdam: "Down",
      "Buenos Aires": "Down",
      Johannesburg: "Offline",
      "Los Angeles": "Down",
      Singapore: "No result",
      Sydney: "Down",
    });
    const silent = { "ns1.test": ["-200", "-200"], "ns2.test": ["-200", "-200"] };
    expect(results(m)).toEqual({
      Amsterdam: silent,
      "Buenos Aires": silent,
      Johannesburg: {},
      "Los Angeles": { "ns1.test": ["ok", "ok"], "ns2.test": ["-816", "-816"] },
      Singapore: {},
      Sydney: silent,
    });
    expect(m.nameServerAvailability).toEqual({
      nameServerStatus: [
        { target: "ns1.test", status: "Down" },
        { target: "ns2.test", status: "Down" },
      ],
      probes: [
        ["Amsterdam", "Down", "Down"],
        ["Buenos Aires", "Down", "Down"],
        ["Los Angeles", "Up", "Down"],
        ["Sydney", "Down", "Down"],
      ].map(([city, ns1, ns2]) => ({
        city,
        testData: [
          { target: "ns1.test", status: ns1 },
          { target: "ns2.test", status: ns2 },
        ],
      })),
    });

    const probes = m.testedInterface[0]?.probes ?? [];
    const offline = probes.find((p) => p.city === "Johannesburg");
    expect(offline).toEqual({ city: "Johannesburg", status: "Offline", testData: [] });
    const tcp = probes.find((p) => p.city === "Los Angeles");
    expect(tcp).toMatchObject({ transport: "tcp", testedName: "nic.test." });
    expect(Object.keys(tcp ?? {})).toEqual([
      "city",
      "status",
      "transport",
      "testedName",
      "testData",
    ]);
    for (const probe of probes) {
      for (const data of probe.testData) {
        expect(data.status).toBe(data.metrics.every((x) => x.result === "ok") ? "Up" : "Down");
        for (const metric of data.metrics) {
          expect(Object.keys(metric)).toEqual([
            "testDateTime",
            "targetIP",
            "rtt",
            "result",
            "nsid",
          ]);
          expect(metric.testDateTime).toBeGreaterThan(NOW - MIN);
          expect(metric.testDateTime).toBeLessThan(NOW);
          expect(metric.rtt === null).toBe(metric.result !== "ok");
          expect(metric.targetIP).toMatch(/^(192\.0\.2\.\d+|2001:db8::[0-9a-f]+)$/);
          // No NSID when the name server never answered.
          expect(metric.nsid === "").toBe(metric.result === "-200");
        }
      }
    }
  });

  it("example RDAP (resolved 2 days ago): HTTP 404 (-526) and 500 (-549) on both cycles", () => {
    const example = scenarioTarget("demo", "ry/example");
    for (const { measurementID, cycleCalculationDateTime } of list(example, EXAMPLE_RDAP)) {
      const m = measurement(example, EXAMPLE_RDAP, measurementID);
      expect(m).toMatchObject({ service: "rdap", status: "Down", cycleCalculationDateTime });
      expect(m).not.toHaveProperty("nameServerAvailability");
      expect(m).not.toHaveProperty("minNameServersUp");
      expect(m.testedInterface.map((i) => i.interface)).toEqual(["RDAP"]);
      const url = "https://rdap.nic.example/";
      expect(results(m)).toEqual({
        Amsterdam: { [url]: ["-526"] },
        "Buenos Aires": { [url]: ["-526"] },
        Johannesburg: { [url]: ["-526"] },
        "Los Angeles": { [url]: ["-549"] },
        Singapore: { [url]: ["-549"] },
        Sydney: { [url]: ["ok"] },
      });
      expect(probeStatuses(m)).toMatchObject({ Amsterdam: "Down", Sydney: "Up" });
      const metric = m.testedInterface[0]?.probes[0]?.testData[0]?.metrics[0];
      expect(metric).not.toHaveProperty("nsid");
      expect(metric?.rtt).toBeNull();
    }
  });

  it("rdap-incident: the latest measurements show HTTP errors for example and 9999", () => {
    const example = scenarioTarget("rdap-incident", "ry/example");
    const base = `v2/monitoring/rdap/incidents/${NOW - 20 * MIN}.1`;
    const latest = list(example, base).at(-1);
    expect(latest?.cycleCalculationDateTime).toBe(NOW - 5 * MIN);
    const m = measurement(example, base, latest?.measurementID ?? "");
    expect(Object.values(results(m)).map((r) => r["https://rdap.nic.example/"])).toEqual([
      ["-552"],
      ["-552"],
      ["-552"],
      ["-552"],
      ["-526"],
      ["ok"],
    ]);

    const rr = scenarioTarget("rdap-incident", "rr/9999");
    const rrBase = `v2/monitoring/rdap/incidents/${NOW - 15 * MIN}.1`;
    const rrM = measurement(rr, rrBase, `${NOW - 5 * MIN}.1`);
    expect(rrM).toMatchObject({ registrarID: "9999", service: "rdap", status: "Down" });
    expect(rrM).not.toHaveProperty("tld");
    expect(Object.values(probeStatuses(rrM))).toEqual(Array(6).fill("Down"));
    expect(results(rrM)["Amsterdam"]).toEqual({ "https://rdap.registrar-9999.example/": ["-549"] });
  });

  it("defaults: a Down DNS cycle has -200 on every name server for all probes but the last", () => {
    const example = scenarioTarget("dns-down", "ry/example");
    const base = `v2/monitoring/dns/incidents/${NOW - 25 * MIN}.1`;
    const m = measurement(example, base, `${NOW - MIN}.1`);
    const silent = { "ns1.example": ["-200", "-200"], "ns2.example": ["-200", "-200"] };
    expect(results(m)).toEqual({
      Amsterdam: silent,
      "Buenos Aires": silent,
      Johannesburg: silent,
      "Los Angeles": silent,
      Singapore: silent,
      Sydney: { "ns1.example": ["ok", "ok"], "ns2.example": ["ok", "ok"] },
    });
    expect(m.nameServerAvailability?.nameServerStatus).toEqual([
      { target: "ns1.example", status: "Down" },
      { target: "ns2.example", status: "Down" },
    ]);
  });

  it("defaults for RDDS (RDDS43 and RDDS80 timeouts) and v1 without v2-only fields", () => {
    const target: ScenarioTarget = {
      entity: "ry",
      id: "example",
      services: {
        RDDS: { outages: [{ start: -10 * MIN }] },
        DNSSEC: { outages: [{ start: -3 * MIN }] },
      },
    };
    const base = `monitoring/rdds/incidents/${NOW - 10 * MIN}.1`;
    const v2 = measurement(target, `v2/${base}`, `${NOW - 5 * MIN}.1`);
    expect(v2.testedInterface.map((i) => i.interface)).toEqual(["RDDS43", "RDDS80"]);
    expect(v2.testedInterface[0]?.probes[0]?.testData[0]).toMatchObject({
      target: "whois.nic.example",
      metrics: [{ result: "-227" }],
    });
    expect(v2.testedInterface[1]?.probes[0]).toMatchObject({ testedName: null });
    expect(v2.testedInterface[1]?.probes[0]?.testData[0]?.metrics[0]?.result).toBe("-255");

    const v1 = measurement(target, `v1/${base}`, `${NOW - 5 * MIN}.1`);
    expect(v1.version).toBe(1);
    const probe = v1.testedInterface[0]?.probes[0];
    expect(Object.keys(probe ?? {})).toEqual(["city", "status", "testData"]);
    expect(probe?.testData[0]?.target).toBeNull();

    const dnssec = `monitoring/dnssec/incidents/${NOW - 3 * MIN}.1`;
    const v1Dnssec = measurement(target, `v1/${dnssec}`, `${NOW - MIN}.1`);
    expect(v1Dnssec).not.toHaveProperty("minNameServersUp");
    expect(v1Dnssec).not.toHaveProperty("nameServerAvailability");
    expect(
      Object.keys(v1Dnssec.testedInterface[0]?.probes[0]?.testData[0]?.metrics[0] ?? {}),
    ).toEqual(["testDateTime", "targetIP", "rtt", "result"]);
    const v2Dnssec = measurement(target, `v2/${dnssec}`, `${NOW - MIN}.1`);
    expect(v2Dnssec.testedInterface[0]?.interface).toBe("DNSSEC");
    expect(v2Dnssec.testedInterface[0]?.probes[0]?.testData[0]?.metrics[0]?.result).toBe("-415");
  });

  it("internal probe errors and non-DNSSEC codes do not make DNSSEC tests Down", () => {
    const target: ScenarioTarget = {
      entity: "ry",
      id: "example",
      services: {
        DNSSEC: {
          outages: [
            {
              start: -3 * MIN,
              measurement: {
                failures: [
                  { target: "ns1.example", result: "-1" },
                  { target: "ns2.example", result: "-200" },
                ],
              },
            },
          ],
        },
      },
    };
    const m = measurement(
      target,
      `v2/monitoring/dnssec/incidents/${NOW - 3 * MIN}.1`,
      `${NOW - MIN}.1`,
    );
    // SLAM still calls the cycle Down (the timeline says so); the tests themselves count as up.
    expect(m.status).toBe("Down");
    expect(Object.values(probeStatuses(m))).toEqual(Array(6).fill("Up"));
  });
});

describe("measurement 404s", () => {
  const test = scenarioTarget("demo", "ry/test");
  it.each([
    [`${NOW - MIN}.1`, "wrong event number"],
    [`${NOW}.2`, "cycle not completed yet"],
    [`${NOW - 26 * MIN}.2`, "before the incident"],
    [`${NOW - MIN + 1}.2`, "not a cycle start"],
    [`${NOW - MIN}.2.json`, "with .json"],
    ["latest", "not an ID"],
  ])("%s (%s)", (id) => {
    const reply = serve(test, `${TEST_DNS}/measurements/${id}`);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ resultCode: "404", message: "Not Found" });
  });

  it("answers for an incident measurement after the list moved on", () => {
    const example = scenarioTarget("demo", "ry/example");
    const id = `${NOW - 2 * DAY - 10 * MIN}.1`;
    expect(serve(example, `${EXAMPLE_RDAP}/measurements/${id}`, NOW + 6 * DAY).status).toBe(200);
  });
});

describe("determinism and HTTP", () => {
  it("two simulators at the same time serve identical bytes", async () => {
    const paths = [
      `/ry/test/${TEST_DNS}/measurements`,
      `/ry/test/${TEST_DNS}/measurements/${NOW - MIN}.2`,
      `/ry/test/${TEST_DNS}/measurements/${NOW - 10 * MIN}.2`,
      "/ry/test/v2/monitoring/dns/incidents",
    ];
    const bodies: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const h = await startHarness();
      const cookie = await h.login("ry/test", "test_ry", "demo-test");
      const replies = [];
      for (const path of paths) {
        const reply = await h.get(path, { cookie });
        expect([path, reply.status]).toEqual([path, 200]);
        replies.push(reply.body);
      }
      bodies.push(replies);
    }
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it("the measurement list grows as the simulated clock advances (advanceClock)", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/test", "test_ry", "demo-test");
    const latest = async () => {
      const reply = await h.get(`/ry/test/${TEST_DNS}/measurements`, { cookie });
      return (JSON.parse(reply.body) as { measurements: ListEntry[] }).measurements;
    };
    expect(await latest()).toHaveLength(25);
    const now = h.sim.advanceClock(3 * MIN);
    const entries = await latest();
    expect(entries).toHaveLength(28);
    const last = entries.at(-1);
    expect(last?.cycleCalculationDateTime).toBe(now - MIN);
    const detail = await h.get(`/ry/test/${TEST_DNS}/measurements/${last?.measurementID}`, {
      cookie,
    });
    expect(JSON.parse(detail.body)).toMatchObject({
      cycleCalculationDateTime: now - MIN,
      lastUpdateApiDatabase: now,
      status: "Down",
    });
  });

  it("serves every scenario's incident measurements as JSON for ry and rr", async () => {
    const h = await startHarness();
    for (const [scenario, key, username, password, service] of [
      ["demo", "ry/example", "example_ry", "demo-example", "rdap"],
      ["registrar", "rr/9999", "9999_rr", "demo-9999", "rdap"],
    ] as const) {
      h.sim.setScenario(getScenario(scenario));
      const cookie = await h.login(key, username, password);
      const incidents = JSON.parse(
        (await h.get(`/${key}/v2/monitoring/${service}/incidents`, { cookie })).body,
      ) as { incidents: { incidentID: string }[] };
      const id = incidents.incidents[0]?.incidentID ?? "";
      const base = `/${key}/v2/monitoring/${service}/incidents/${id}`;
      const listed = JSON.parse((await h.get(`${base}/measurements`, { cookie })).body) as {
        measurements: ListEntry[];
      };
      const reply = await h.get(`${base}/measurements/${listed.measurements[0]?.measurementID}`, {
        cookie,
      });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toMatchObject({ service, status: "Down" });
    }
  });
});
