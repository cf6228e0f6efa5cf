import { describe, expect, it } from "vitest";
import {
  scenarioEpoch,
  type ScenarioTarget,
  type ServiceTimeline,
  type SimService,
} from "../../src/simulator/scenario.js";
import {
  ROLLING_WEEK_SECONDS,
  cycleStatus,
  evaluateService,
  serviceHistory,
  evaluateTarget,
  overallStatus,
} from "../../src/simulator/slam.js";

/** 2026-11-23 12:00:00 UTC, on the 5-minute grid. */
const E = scenarioEpoch(Date.UTC(2026, 10, 23, 12));
const MIN = 60;
const DAY = 86_400;

/** SLAM spelling, timeline relative to E, `now` in Unix seconds. */
function evaluate(service: SimService, timeline: ServiceTimeline, now: number) {
  return evaluateService(service, timeline, "slam", E, now);
}

describe("scenarioEpoch", () => {
  it("rounds down to the 5-minute grid", () => {
    expect(E % 300).toBe(0);
    expect(scenarioEpoch((E + 299) * 1000 + 999)).toBe(E);
    expect(scenarioEpoch((E + 300) * 1000)).toBe(E + 300);
  });
});

describe("incidents", () => {
  const dnsDownFromEpoch: ServiceTimeline = { outages: [{ start: 0 }] };

  it("opens a DNS incident on the 3rd failed cycle, not before", () => {
    const two = evaluate("DNS", dnsDownFromEpoch, E + 2 * MIN);
    expect(two.status).toBe("Down");
    expect(two.incidents).toEqual([]);
    expect(two.emergencyThreshold).toBe(0);

    const three = evaluate("DNS", dnsDownFromEpoch, E + 3 * MIN);
    expect(three.incidents).toEqual([
      { incidentID: `${E}.1`, startTime: E, endTime: null, falsePositive: false, state: "Active" },
    ]);
    expect(three.downtimeMinutes).toBe(3);
    expect(three.emergencyThreshold).toBe(1.25);
  });

  it("opens an RDDS or RDAP incident on the 2nd failed 5-minute cycle", () => {
    for (const service of ["RDDS", "RDAP"] as const) {
      expect(evaluate(service, dnsDownFromEpoch, E + 5 * MIN).incidents).toEqual([]);
      const two = evaluate(service, dnsDownFromEpoch, E + 10 * MIN);
      expect(two.incidents.map((i) => i.state)).toEqual(["Active"]);
      expect(two.downtimeMinutes).toBe(10);
      expect(two.emergencyThreshold).toBe(0.694);
    }
  });

  it("opens an EPP incident on the 2nd failed 1-minute cycle, against 24 h", () => {
    const two = evaluate("EPP", dnsDownFromEpoch, E + 2 * MIN);
    expect(two.incidents).toHaveLength(1);
    expect(two.emergencyThreshold).toBe(0.139);
  });

  it("counts only completed cycles", () => {
    expect(evaluate("DNS", dnsDownFromEpoch, E + 3 * MIN - 0.001).incidents).toEqual([]);
    expect(evaluate("DNS", { outages: [{ start: 30 }] }, E + 59).status).toBe("Up");
  });

  it("back-dates the start to the first failed cycle", () => {
    const report = evaluate("DNS", { outages: [{ start: 90 }] }, E + 10 * MIN);
    expect(report.incidents[0]?.startTime).toBe(E + MIN);
    expect(report.incidents[0]?.incidentID).toBe(`${E + MIN}.1`);
    // 01:30 → 10:00 touches cycles 1…9.
    expect(report.downtimeMinutes).toBe(9);
  });

  it("closes after 3 successful DNS cycles, ending at the last second of the last failure", () => {
    const timeline: ServiceTimeline = { outages: [{ start: 0, end: 5 * MIN }] };
    const recovering = evaluate("DNS", timeline, E + 7 * MIN);
    expect(recovering.status).toBe("Up");
    expect(recovering.incidents[0]).toMatchObject({ endTime: null, state: "Active" });

    const closed = evaluate("DNS", timeline, E + 8 * MIN);
    expect(closed.incidents[0]).toMatchObject({ endTime: E + 5 * MIN - 1, state: "Resolved" });
    expect(closed.downtimeMinutes).toBe(5);
    expect(closed.emergencyThreshold).toBe(2.083);
  });

  it("closes RDAP after 2 successful 5-minute cycles", () => {
    const timeline: ServiceTimeline = { outages: [{ start: 0, end: 10 * MIN }] };
    expect(evaluate("RDAP", timeline, E + 15 * MIN).incidents[0]?.state).toBe("Active");
    expect(evaluate("RDAP", timeline, E + 20 * MIN).incidents[0]).toMatchObject({
      state: "Resolved",
      endTime: E + 10 * MIN - 1,
    });
  });

  it("keeps a short recovery inside the same incident", () => {
    const timeline: ServiceTimeline = {
      outages: [
        { start: 0, end: 3 * MIN },
        { start: 5 * MIN, end: 6 * MIN },
      ],
    };
    const report = evaluate("DNS", timeline, E + 20 * MIN);
    expect(report.incidents).toHaveLength(1);
    expect(report.incidents[0]?.endTime).toBe(E + 6 * MIN - 1);
    expect(report.downtimeMinutes).toBe(4);
  });

  it("numbers incidents and opens a new one after a full recovery", () => {
    const timeline: ServiceTimeline = {
      outages: [
        { start: 0, end: 3 * MIN },
        { start: 10 * MIN, end: 13 * MIN },
      ],
    };
    const ids = evaluate("DNS", timeline, E + 20 * MIN).incidents.map((i) => i.incidentID);
    expect(ids).toEqual([`${E}.1`, `${E + 10 * MIN}.2`]);
  });

  it("does not open an incident (nor count downtime) for fewer failures than the rule", () => {
    const report = evaluate("DNS", { outages: [{ start: 0, end: 2 * MIN }] }, E + 30 * MIN);
    expect(report.incidents).toEqual([]);
    expect(report.downtimeMinutes).toBe(0);
    expect(evaluate("DNS", { outages: [{ start: 0, end: 2 * MIN }] }, E + 2 * MIN).status).toBe(
      "Down",
    );
  });

  it("ignores empty or inverted outage windows", () => {
    const report = evaluate(
      "DNS",
      {
        outages: [
          { start: 60, end: 60 },
          { start: 120, end: 0 },
        ],
      },
      E + 600,
    );
    expect(report).toMatchObject({ status: "Up", incidents: [], downtimeMinutes: 0 });
  });
});

describe("downtime and emergencyThreshold", () => {
  it("rounds to 3 decimals: 25 min DNS → 10.417, 10 min RDAP → 0.694", () => {
    expect(evaluate("DNS", { outages: [{ start: -25 * MIN }] }, E).emergencyThreshold).toBe(10.417);
    const rdap = evaluate("RDAP", { outages: [{ start: -2 * DAY - 10 * MIN, end: -2 * DAY }] }, E);
    expect(rdap.downtimeMinutes).toBe(10);
    expect(rdap.emergencyThreshold).toBe(0.694);
  });

  it("is not capped at 100", () => {
    const report = evaluate("DNS", { outages: [{ start: -300 * MIN }] }, E);
    expect(report.downtimeMinutes).toBe(300);
    expect(report.emergencyThreshold).toBe(125);
  });

  it("excludes false positives from downtime but still lists them", () => {
    const report = evaluate(
      "DNS",
      { outages: [{ start: -DAY, end: -DAY + 10 * MIN, falsePositive: true }] },
      E,
    );
    expect(report.incidents).toEqual([
      {
        incidentID: `${E - DAY}.1`,
        startTime: E - DAY,
        endTime: E - DAY + 10 * MIN - 1,
        falsePositive: true,
        state: "Resolved",
      },
    ]);
    expect(report.downtimeMinutes).toBe(0);
    expect(report.emergencyThreshold).toBe(0);
  });

  it("counts only cycles inside the rolling week and lists only incidents touching it", () => {
    const week = ROLLING_WEEK_SECONDS;
    const timeline: ServiceTimeline = {
      outages: [
        { start: -8 * DAY, end: -8 * DAY + 10 * MIN },
        // Cycles at −7d−2m … −7d+2m: two before the window, three inside.
        { start: -week - 2 * MIN, end: -week + 3 * MIN },
      ],
    };
    const report = evaluate("DNS", timeline, E);
    expect(report.incidents.map((i) => i.startTime)).toEqual([E - week - 2 * MIN]);
    expect(report.incidents[0]?.incidentID).toBe(`${E - week - 2 * MIN}.2`);
    expect(report.downtimeMinutes).toBe(3);
    // A day later the whole incident has left the window.
    const later = evaluate("DNS", timeline, E + DAY);
    expect(later.incidents).toEqual([]);
    expect(later.downtimeMinutes).toBe(0);
  });
});

describe("status", () => {
  it("is Up-inconclusive-<x> while a window covers the latest cycle, in the chosen spelling", () => {
    const timeline: ServiceTimeline = {
      inconclusive: [{ status: "no-data", start: -10 * MIN, end: 5 * MIN }],
    };
    expect(evaluateService("DNS", timeline, "slam", E, E).status).toBe("Up-inconclusive-no-data");
    expect(evaluateService("DNS", timeline, "spec", E, E).status).toBe("UP-inconclusive-no-data");
    expect(evaluateService("DNS", timeline, "slam", E, E + 6 * MIN).status).toBe("Up");
  });

  it("prefers Down over inconclusive, and a forced raw status over both", () => {
    const timeline: ServiceTimeline = {
      outages: [{ start: -10 * MIN }],
      inconclusive: [{ status: "no-probes", start: -10 * MIN }],
    };
    expect(evaluate("DNS", timeline, E).status).toBe("Down");
    const raw = evaluate("DNS", { ...timeline, rawStatus: "Weird-new-status" }, E);
    expect(raw.status).toBe("Weird-new-status");
    expect(raw.emergencyThreshold).toBe(4.167);
  });

  it("reports Disabled services and SLAM maintenance with status only", () => {
    const target: ScenarioTarget = {
      entity: "ry",
      id: "example",
      services: { DNS: { outages: [{ start: -10 * MIN }] }, RDDS: { disabled: true } },
    };
    const reports = evaluateTarget(target, E, E);
    expect(reports.RDDS).toEqual({ status: "Disabled" });
    expect(reports.RDAP).toBeUndefined();
    expect(overallStatus(target, reports)).toBe("Down");

    const maintenance: ScenarioTarget = { ...target, overall: "Up-inconclusive" };
    const disabledAll = evaluateTarget(maintenance, E, E);
    expect(disabledAll).toEqual({ DNS: { status: "Disabled" }, RDDS: { status: "Disabled" } });
    expect(overallStatus(maintenance, disabledAll)).toBe("Up-inconclusive");
  });

  it("is overall Up unless a service is exactly Down", () => {
    const target: ScenarioTarget = {
      entity: "ry",
      id: "example",
      services: { DNS: { rawStatus: "down-ish" }, RDAP: {} },
    };
    expect(overallStatus(target, evaluateTarget(target, E, E))).toBe("Up");
  });
});

describe("serviceHistory and cycleStatus", () => {
  it("gives each incident its event number, cycles and opening moment", () => {
    const timeline: ServiceTimeline = {
      outages: [{ start: 0, end: 3 * MIN, falsePositive: true }, { start: 10 * MIN }],
      inconclusive: [{ status: "no-data", start: 6 * MIN, end: 7 * MIN }],
    };
    const history = serviceHistory("DNS", timeline, E, E + 15 * MIN);
    expect(history.lastCycle).toBe(E / MIN + 14);
    expect(
      history.incidents.map((h) => [h.eventNo, h.firstCycle, h.lastCycle, h.openedAt]),
    ).toEqual([
      [1, E / MIN, E / MIN + 2, E + 3 * MIN],
      [2, E / MIN + 10, E / MIN + 14, E + 13 * MIN],
    ]);
    // Only the second incident counts: the first is a false positive.
    expect(history.weekDownCycles).toBe(5);
    const status = (minute: number) => cycleStatus(history, timeline, "slam", E, E / MIN + minute);
    expect([0, 3, 6, 10].map(status)).toEqual(["Down", "Up", "Up-inconclusive-no-data", "Down"]);
  });
});
