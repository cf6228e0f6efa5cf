import { describe, expect, it } from "vitest";
import type { ScenarioTarget } from "../../src/simulator/scenario.js";
import { scenarioEpoch } from "../../src/simulator/scenario.js";
import { stateBody } from "../../src/simulator/state.js";

const E = scenarioEpoch(Date.UTC(2026, 10, 23, 12));

const target: ScenarioTarget = {
  entity: "ry",
  id: "example",
  services: {
    RDAP: { inconclusive: [{ status: "reconfig", start: -600 }] },
    RDDS: { disabled: true },
    DNS: { inconclusive: [{ status: "reconfig", start: -600 }], statusSpelling: "spec" },
    EPP: {},
    DNSSEC: {},
  },
};

describe("stateBody", () => {
  it("writes SLAM's field and service order, Disabled with status only", () => {
    const body = stateBody(target, 2, E, E + 59.9);
    expect(Object.keys(body)).toEqual([
      "version",
      "lastUpdateApiDatabase",
      "tld",
      "status",
      "testedServices",
    ]);
    expect(body).toMatchObject({
      version: 2,
      lastUpdateApiDatabase: E,
      tld: "example",
      status: "Up",
    });
    const services = body["testedServices"] as Record<string, unknown>;
    expect(Object.keys(services)).toEqual(["DNS", "DNSSEC", "EPP", "RDDS", "RDAP"]);
    expect(services["RDDS"]).toEqual({ status: "Disabled" });
    expect(services["RDAP"]).toEqual({
      status: "Up-inconclusive-reconfig",
      emergencyThreshold: 0,
      incidents: [],
    });
  });

  it("rounds lastUpdateApiDatabase down to the minute", () => {
    expect(stateBody(target, 2, E, E + 119.5)["lastUpdateApiDatabase"]).toBe(E + 60);
  });

  it("v1 has no RDAP and rewrites reconfig to no-data, keeping the spelling", () => {
    const body = stateBody(target, 1, E, E);
    expect(body["version"]).toBe(1);
    const services = body["testedServices"] as Record<string, { status: string }>;
    expect(Object.keys(services)).toEqual(["DNS", "DNSSEC", "EPP", "RDDS"]);
    expect(services["DNS"]?.status).toBe("UP-inconclusive-no-data");
  });

  it("names registrars by registrarID", () => {
    const body = stateBody({ entity: "rr", id: "9999", services: { RDAP: {} } }, 2, E, E);
    expect(body["registrarID"]).toBe("9999");
    expect(body).not.toHaveProperty("tld");
  });
});
