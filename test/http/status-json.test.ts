import { describe, expect, it } from "vitest";
import { statusJson } from "../../src/http/status-json.js";
import { FRAME, down, failing, healthy, pending, snapshotOf, warned } from "./board-fixtures.js";

describe("statusJson", () => {
  const doc = statusJson(snapshotOf(healthy, down, failing, pending), FRAME);

  it("describes the exporter and sums up the fleet", () => {
    expect(doc.apiVersion).toBe(1);
    expect(doc.generatedAt).toBe("2025-03-04T05:06:07Z");
    expect(doc.exporter).toEqual({
      version: "1.2.3",
      revision: "abc1234",
      nodeVersion: "v20.19.0",
      startedAt: "2025-03-03T03:01:07Z",
      uptimeSeconds: 26 * 3600 + 5 * 60,
      ready: true,
    });
    expect(doc.summary).toEqual({
      targets: 4,
      activeIncidents: 2,
      earlyWarningTargets: 0,
      failingTargets: 1,
    });
  });

  it("lists targets worst first, as the status board does", () => {
    expect(doc.targets.map((t) => t.key)).toEqual([
      "ry/test",
      "ry/example",
      "rr/9999",
      "ry/invalid",
    ]);
  });

  it("gives every service with incidents and the active incident's latest measurement", () => {
    const test = doc.targets.find((t) => t.key === "ry/test");
    expect(test).toMatchObject({
      entity: "ry",
      id: "test",
      name: "TLD test",
      path: "/targets/ry/test",
      up: true,
      failing: false,
      stale: false,
      status: "down",
      rawStatus: "Down",
      lastUpdateApiDatabase: "2025-03-04T05:05:00Z",
      activeIncidents: 2,
      metrica: null,
      metricaState: "none",
    });
    expect(test?.services.map((s) => s.serviceType)).toEqual(["dns", "rdap"]);
    expect(test?.services[0]).toEqual({
      serviceType: "dns",
      status: "down",
      rawStatus: "Down",
      emergencyThreshold: 41.667,
      alarmed: true,
      downtimeMinutes: null,
      incidents: [
        {
          incidentId: "1.2",
          state: "active",
          startTime: "2025-03-04T03:46:40Z",
          endTime: null,
          falsePositive: false,
          latestMeasurement: {
            measurementId: "1741063800.9",
            cycleCalculationDateTime: "2025-03-04T04:50:00Z",
            status: "Down",
            probeCounts: { up: 1, down: 1, offline: 1, no_result: 1 },
            probes: down.incidents?.dns?.measurement.probes,
            testErrors: down.incidents?.dns?.measurement.testErrors,
            nameServers: [
              { name: "ns1.test", up: false },
              { name: "ns2.test", up: true },
            ],
          },
        },
        {
          incidentId: "1.1",
          state: "resolved",
          startTime: "2025-02-19T21:20:00Z",
          endTime: "2025-02-19T22:20:00Z",
          falsePositive: false,
          latestMeasurement: null,
        },
      ],
    });
    expect(test?.services[1]?.incidents[0]?.latestMeasurement).toBeNull();
  });

  it("gives METRICA, disabled services and collectors with null for what is absent", () => {
    const example = doc.targets.find((t) => t.key === "ry/example");
    expect(example?.metrica).toEqual({
      domainListDate: "2025-03-03",
      uniqueAbuseDomains: 40,
      threats: [
        { threatType: "spam", count: 12 },
        { threatType: "botnetCc", count: null },
      ],
    });
    expect(example?.services.find((s) => s.serviceType === "rdds")).toMatchObject({
      status: "disabled",
      emergencyThreshold: null,
      alarmed: null,
    });
    expect(example?.collectors).toEqual({
      state: { lastSuccessAt: "2025-03-04T05:05:37Z", lastError: null },
      alarmed: { lastSuccessAt: "2025-03-04T05:04:37Z", lastError: null },
      downtime: { lastSuccessAt: null, lastError: null },
      incidents: { lastSuccessAt: null, lastError: null },
      metrica: { lastSuccessAt: null, lastError: null },
      measurements: { lastSuccessAt: null, lastError: null },
      troubleshooting: { lastSuccessAt: null, lastError: null },
    });
    const registrar = doc.targets.find((t) => t.key === "rr/9999");
    expect(registrar).toMatchObject({ up: false, failing: true, status: null, services: [] });
    expect(registrar?.collectors.state.lastError).toEqual({
      reason: "timeout",
      code: "MOSAPI_TIMEOUT",
      message: "state request timed out after 15s",
      at: "2025-03-04T05:05:37Z",
    });
    expect(doc.targets.find((t) => t.key === "ry/invalid")?.metricaState).toBe("pending");
  });

  it("never carries the credentials' names", () => {
    expect(JSON.stringify(doc)).not.toContain("example-secret-login");
    expect(JSON.stringify(doc)).not.toContain("credentials");
  });

  it("gives the early warnings as the board shows them, and counts the targets with one", () => {
    const withWarning = statusJson(snapshotOf(failing, healthy, warned), FRAME);
    expect(withWarning.summary.earlyWarningTargets).toBe(1);
    // example has used 12.5 % of its DNS threshold; a failing refresh comes after a warning.
    expect(withWarning.targets.map((t) => t.key)).toEqual(["ry/example", "ry/warned", "rr/9999"]);
    expect(withWarning.targets[1]?.earlyWarnings).toEqual([
      {
        serviceType: "dns",
        nameServer: "ns1.warned",
        probesDown: 2,
        probes: 6,
        cycleCalculationDateTime: "2025-03-04T05:00:00Z",
      },
    ]);
    expect(withWarning.targets[0]?.earlyWarnings).toEqual([]);
  });
});
