import { describe, expect, it } from "vitest";
import {
  incidentSchema,
  stateResponseSchema,
  type ServiceState,
  type ServiceType,
} from "../../src/mosapi/models.js";
import { targetKey } from "../../src/mosapi/target.js";
import type { ScenarioTarget } from "../../src/simulator/scenario.js";
import { SCENARIOS } from "../../src/simulator/scenarios/index.js";
import { SERVICE_RULES } from "../../src/simulator/slam.js";
import { stateBody } from "../../src/simulator/state.js";
import { NOW, okBody, scenarioTarget, serve } from "./resources.js";
import { startHarness } from "./support.js";

const MIN = 60;
const HOUR_S = 3600;
const DAY = 86_400;

/** The instants every scenario is checked at: start, during and after its outages. */
const INSTANTS = [NOW, NOW + 7 * MIN, NOW + 45 * MIN, NOW + DAY, NOW + 8 * DAY];

const UPPER: Record<ServiceType, keyof typeof SERVICE_RULES> = {
  dns: "DNS",
  dnssec: "DNSSEC",
  rdds: "RDDS",
  rdap: "RDAP",
  epp: "EPP",
};

const everyTarget: [string, string, ScenarioTarget][] = Object.values(SCENARIOS).flatMap((s) =>
  s.targets.map((t): [string, string, ScenarioTarget] => [s.name, targetKey(t), t]),
);

describe("alarmed and downtime agree with state", () => {
  it.each(everyTarget)("%s %s", (_name, _key, target) => {
    for (const now of INSTANTS) {
      for (const version of [1, 2] as const) {
        const state = stateResponseSchema.parse(stateBody(target, version, NOW, now));
        const services = Object.entries(state.services) as [ServiceType, ServiceState][];
        for (const [type, { status, emergencyThreshold, incidents }] of services) {
          const alarmed = okBody(serve(target, `v${version}/monitoring/${type}/alarmed`, now));
          const downtime = serve(target, `v${version}/monitoring/${type}/downtime`, now);
          expect(alarmed["version"]).toBe(version);
          expect(alarmed["lastUpdateApiDatabase"]).toBe(state.lastUpdateApiDatabase);
          if (status === "disabled") {
            expect(alarmed["alarmed"]).toBe("Disabled");
            expect(downtime.status).toBe(404);
            continue;
          }
          const minutes = okBody(downtime)["downtime"] as number;
          expect(Number.isInteger(minutes)).toBe(true);
          const threshold = SERVICE_RULES[UPPER[type]].thresholdMinutes;
          expect(Math.round((minutes * 100_000) / threshold) / 1000).toBe(emergencyThreshold);
          const latest = incidents.at(-1);
          const yes = latest?.state === "active" && !latest.falsePositive;
          expect(alarmed["alarmed"]).toBe(yes ? "Yes" : "No");
        }
      }
    }
  });
});

describe("incidents", () => {
  it.each(everyTarget)(
    "%s %s: the list is the state's, each incident by ID too",
    (_n, _k, target) => {
      for (const now of INSTANTS) {
        const state = stateBody(target, 2, NOW, now);
        const services = state["testedServices"] as Record<string, { incidents?: unknown[] }>;
        for (const [key, service] of Object.entries(services)) {
          const type = key.toLowerCase();
          const list = serve(target, `v2/monitoring/${type}/incidents`, now);
          if (service.incidents === undefined) {
            expect(list.status).toBe(404);
            continue;
          }
          const body = okBody(list);
          expect(Object.keys(body)).toEqual(["version", "lastUpdateApiDatabase", "incidents"]);
          expect(body["incidents"]).toEqual(service.incidents);
          for (const incident of service.incidents) {
            const { incidentId } = incidentSchema.parse(incident);
            const one = okBody(serve(target, `v2/monitoring/${type}/incidents/${incidentId}`, now));
            expect(one["incidents"]).toEqual([incident]);
          }
        }
      }
    },
  );

  it("demo test: a resolved false positive yesterday and the active DNS incident", () => {
    const test = scenarioTarget("demo", "ry/test");
    const fpId = `${NOW - DAY}.1`;
    const activeId = `${NOW - 25 * MIN}.2`;
    expect(okBody(serve(test, "v2/monitoring/dns/incidents"))).toEqual({
      version: 2,
      lastUpdateApiDatabase: NOW,
      incidents: [
        {
          incidentID: fpId,
          startTime: NOW - DAY,
          endTime: NOW - DAY + 10 * MIN - 1,
          falsePositive: true,
          state: "Resolved",
        },
        {
          incidentID: activeId,
          startTime: NOW - 25 * MIN,
          endTime: null,
          falsePositive: false,
          state: "Active",
        },
      ],
    });
    expect(okBody(serve(test, `v2/monitoring/dns/incidents/${fpId}/falsePositive`))).toEqual({
      version: 2,
      lastUpdateApiDatabase: NOW,
      falsePositive: true,
      // When the incident opened: its third failed cycle completed.
      updateTime: NOW - DAY + 3 * MIN,
    });
    expect(okBody(serve(test, `v2/monitoring/dns/incidents/${activeId}/falsePositive`))).toEqual({
      version: 2,
      lastUpdateApiDatabase: NOW,
      falsePositive: false,
      updateTime: null,
    });
    expect(okBody(serve(test, "v2/monitoring/dns/alarmed"))["alarmed"]).toBe("Yes");
    expect(okBody(serve(test, "v2/monitoring/dns/downtime"))["downtime"]).toBe(25);
  });

  it("filters by startDate/endDate (Unix seconds), ignoring unknown parameters", () => {
    const test = scenarioTarget("demo", "ry/test");
    const ids = (query: Record<string, string>) =>
      (
        okBody(serve(test, "v2/monitoring/dns/incidents", NOW, query))["incidents"] as {
          incidentID: string;
        }[]
      ).map((i) => i.incidentID);
    const fp = `${NOW - DAY}.1`;
    const active = `${NOW - 25 * MIN}.2`;
    expect(ids({ startDate: String(NOW - 2 * DAY) })).toEqual([fp, active]);
    expect(ids({ startDate: String(NOW - HOUR_S) })).toEqual([active]);
    expect(ids({ endDate: String(NOW - HOUR_S) })).toEqual([fp]);
    expect(ids({ startDate: String(NOW - DAY + 599), endDate: String(NOW - DAY + 599) })).toEqual([
      fp,
    ]);
    expect(ids({ startDate: String(NOW - DAY + 600), endDate: String(NOW - HOUR_S) })).toEqual([]);
    expect(ids({ limit: "1", sort: "whatever" })).toEqual([fp, active]);
  });

  it("lists incidents older than the rolling week only when asked by date", () => {
    const test = scenarioTarget("demo", "ry/test");
    const later = NOW + 8 * DAY;
    // Only the still-active incident touches the week; the false positive left it.
    expect(okBody(serve(test, "v2/monitoring/dns/incidents", later))["incidents"]).toEqual([
      expect.objectContaining({ incidentID: `${NOW - 25 * MIN}.2` }),
    ]);
    const all = okBody(
      serve(test, "v2/monitoring/dns/incidents", later, { startDate: String(NOW - 2 * DAY) }),
    );
    expect((all["incidents"] as unknown[]).length).toBe(2);
    // An incident stays addressable after it left the week.
    expect(serve(test, `v2/monitoring/dns/incidents/${NOW - DAY}.1`, later).status).toBe(200);
  });

  it.each([
    [{ startDate: "yesterday" }, "2013"],
    [{ startDate: "-5" }, "2013"],
    [{ endDate: "1.5" }, "2014"],
    [{ startDate: String(NOW), endDate: String(NOW - 1) }, "2012"],
  ])("answers 400 for %j with code %s", (query, code) => {
    const reply = serve(
      scenarioTarget("demo", "ry/test"),
      "v2/monitoring/dns/incidents",
      NOW,
      query,
    );
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ resultCode: code, message: "Bad Request" });
  });
});

describe("404s", () => {
  it.each([
    ["demo", "ry/example", "v2/monitoring/rdds/downtime", "Disabled service"],
    ["demo", "ry/example", "v2/monitoring/rdds/incidents", "Disabled service"],
    ["demo", "ry/example", "v1/monitoring/rdap/alarmed", "no RDAP in v1"],
    ["disabled", "ry/example", "v2/monitoring/rdap/alarmed", "service the target lacks"],
    ["demo", "rr/9999", "v2/monitoring/dns/alarmed", "registrars have no DNS"],
    ["demo", "ry/example", "v2/monitoring/DNS/alarmed", "upper-case segment"],
    ["demo", "ry/example", "v2/monitoring/state/alarmed", "not a service"],
    ["demo", "ry/test", "v2/monitoring/dns/incidents/123.1", "unknown incident"],
    ["demo", "ry/test", `v2/monitoring/dns/incidents/${NOW - DAY}.2`, "wrong event number"],
    ["demo", "ry/test", `v2/monitoring/dnssec/incidents/${NOW - DAY}.1`, "other service"],
    ["demo", "ry/test", "v2/monitoring/dns/incidents/nope/falsePositive", "unknown incident"],
    ["demo", "ry/test", "v2/monitoring/dns/incidents/nope/measurements", "unknown incident"],
    ["maintenance", "ry/example", "v2/monitoring/dns/downtime", "SLAM maintenance"],
  ])("%s %s %s (%s)", (scenario, key, path) => {
    const reply = serve(scenarioTarget(scenario, key), path);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ resultCode: "404", message: "Not Found" });
  });

  it("maintenance: every service alarmed Disabled", () => {
    const target = scenarioTarget("maintenance", "ry/example");
    for (const type of ["dns", "dnssec", "epp", "rdds", "rdap"]) {
      expect(okBody(serve(target, `v2/monitoring/${type}/alarmed`))["alarmed"]).toBe("Disabled");
    }
  });
});

describe("registrars", () => {
  it("registrar: RDDS Disabled, RDAP alarmed with 15 minutes of downtime", () => {
    const rr = scenarioTarget("registrar", "rr/9999");
    expect(okBody(serve(rr, "v2/monitoring/rdds/alarmed"))).toEqual({
      version: 2,
      lastUpdateApiDatabase: NOW,
      alarmed: "Disabled",
    });
    expect(serve(rr, "v2/monitoring/rdds/downtime").status).toBe(404);
    expect(okBody(serve(rr, "v2/monitoring/rdap/alarmed"))["alarmed"]).toBe("Yes");
    expect(okBody(serve(rr, "v2/monitoring/rdap/downtime"))).toEqual({
      version: 2,
      lastUpdateApiDatabase: NOW,
      downtime: 15,
    });
    // v1 has RDDS but no standalone RDAP.
    expect(okBody(serve(rr, "v1/monitoring/rdds/alarmed"))["alarmed"]).toBe("Disabled");
    expect(serve(rr, "v1/monitoring/rdap/alarmed").status).toBe(404);
  });

  it("rdap-incident: active RDAP incidents on example and on 9999", () => {
    for (const [key, minutes] of [
      ["ry/example", 20],
      ["rr/9999", 15],
    ] as const) {
      const target = scenarioTarget("rdap-incident", key);
      expect(okBody(serve(target, "v2/monitoring/rdap/alarmed"))["alarmed"]).toBe("Yes");
      expect(okBody(serve(target, "v2/monitoring/rdap/downtime"))["downtime"]).toBe(minutes);
      expect(okBody(serve(target, "v2/monitoring/rdap/incidents"))["incidents"]).toEqual([
        {
          incidentID: `${NOW - minutes * MIN}.1`,
          startTime: NOW - minutes * MIN,
          endTime: null,
          falsePositive: false,
          state: "Active",
        },
      ]);
    }
  });

  it("alarmed turns No once the incident resolves, downtime stays in the week", () => {
    const rr = scenarioTarget("demo", "ry/example");
    // demo example: the RDAP incident two days ago.
    expect(okBody(serve(rr, "v2/monitoring/rdap/alarmed"))["alarmed"]).toBe("No");
    expect(okBody(serve(rr, "v2/monitoring/rdap/downtime"))["downtime"]).toBe(10);
    expect(okBody(serve(rr, "v2/monitoring/rdap/downtime", NOW + 5 * DAY))["downtime"]).toBe(0);
  });
});

describe("over HTTP", () => {
  it("serves alarmed, downtime and incidents for ry and rr with the session cookie", async () => {
    const h = await startHarness();
    const ry = await h.login("ry/test", "test_ry", "demo-test");
    const rr = await h.login("rr/9999", "9999_rr", "demo-9999");
    const get = async (path: string, cookie: string) => {
      const reply = await h.get(path, { cookie });
      expect(reply.headers["content-type"]).toMatch(/^application\/json/);
      return { status: reply.status, body: JSON.parse(reply.body) as Record<string, unknown> };
    };
    expect(await get("/ry/test/v2/monitoring/dns/alarmed", ry)).toEqual({
      status: 200,
      body: { version: 2, lastUpdateApiDatabase: NOW, alarmed: "Yes" },
    });
    expect((await get("/ry/test/v1/monitoring/dns/downtime", ry)).body).toEqual({
      version: 1,
      lastUpdateApiDatabase: NOW,
      downtime: 25,
    });
    const listed = await get(
      `/ry/test/v2/monitoring/dns/incidents?startDate=${NOW - 3600}&foo=bar`,
      ry,
    );
    expect(listed.body["incidents"]).toEqual([expect.objectContaining({ state: "Active" })]);
    expect((await get("/ry/test/v2/monitoring/dns/incidents?startDate=x", ry)).status).toBe(400);
    expect(await get("/rr/9999/v2/monitoring/rdap/alarmed", rr)).toEqual({
      status: 200,
      body: { version: 2, lastUpdateApiDatabase: NOW, alarmed: "No" },
    });
    expect((await get("/rr/9999/v2/monitoring/rdds/alarmed", rr)).body["alarmed"]).toBe("Disabled");
    expect((await get("/rr/9999/v2/monitoring/dns/alarmed", rr)).status).toBe(404);
    // The session of one target does not open another's resources.
    expect((await h.get("/rr/9999/v2/monitoring/rdap/alarmed", { cookie: ry })).status).toBe(401);
  });
});
