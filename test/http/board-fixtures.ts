/**
 * Snapshot fixtures shared by the status-board tests (landing page, target page, JSON view): a
 * healthy TLD, a TLD whose DNS is down with its incident's latest measurement, a registrar whose
 * refreshes fail, a target not refreshed yet, and a TLD still Up whose probes start losing a
 * name server (the early warning).
 */
import type {
  RecentMeasurementDetail,
  Snapshot,
  TargetSnapshot,
} from "../../src/snapshot/snapshot.js";
import type { PageFrame } from "../../src/http/layout.js";
import { stateResponseSchema } from "../../src/mosapi/models.js";

export const NOW = Date.parse("2025-03-04T05:06:07Z");
export const AT = NOW - 30_000;

export const FRAME: PageFrame = {
  info: {
    version: "1.2.3",
    revision: "abc1234",
    nodeVersion: "v20.19.0",
    startedAt: NOW - (26 * 3600 + 5 * 60) * 1000,
  },
  now: NOW,
  ready: true,
};

/** A METRICA refresh refused with 403: the credential lacks the METRICA role. */
export const FORBIDDEN = {
  reason: "forbidden",
  code: "MOSAPI_FORBIDDEN",
  message: "metrica answered 403",
  at: AT,
} as const;

/** A parsed `monitoring/state` body. */
export function state(status: string, services: Record<string, unknown>, tld = "example") {
  return stateResponseSchema.parse({
    lastUpdateApiDatabase: 1741064700,
    tld,
    status,
    testedServices: services,
  });
}

export const healthy: TargetSnapshot = {
  target: { entity: "ry", id: "example", credentials: "example-secret-login" },
  up: true,
  stateAttempted: true,
  state: state("Up", {
    DNS: { status: "Up", emergencyThreshold: 12.5, incidents: [] },
    DNSSEC: { status: "Up", emergencyThreshold: 0 },
    RDDS: { status: "Disabled" },
    EPP: { status: "Up-inconclusive-no-data", emergencyThreshold: "1.0000" },
  }),
  alarmed: { dns: false, dnssec: false },
  downtimeMinutes: { dns: 30, dnssec: 0 },
  metrica: {
    domainListDate: "2025-03-03",
    reportTimestamp: 1740960000,
    uniqueAbuseDomains: 40,
    threats: [
      { threatType: "spam", count: 12 },
      { threatType: "botnetCc", count: null },
    ],
  },
  collectors: { state: { lastSuccessAt: AT }, alarmed: { lastSuccessAt: AT - 60_000 } },
};

export const down: TargetSnapshot = {
  target: { entity: "ry", id: "test", credentials: "c" },
  up: true,
  stateAttempted: true,
  state: state(
    "Down",
    {
      DNS: {
        status: "Down",
        emergencyThreshold: 41.667,
        incidents: [
          { incidentID: "1.2", startTime: 1741060000, falsePositive: false, state: "Active" },
          { incidentID: "1.1", startTime: 1740000000, endTime: 1740003600, state: "Resolved" },
        ],
      },
      RDAP: {
        status: "Up",
        emergencyThreshold: 2,
        incidents: [{ incidentID: "2.1", startTime: 1741060000, state: "Active" }],
      },
    },
    "test",
  ),
  alarmed: { dns: true, rdap: false },
  incidents: {
    dns: {
      incidentId: "1.2",
      measurementId: "1741063800.9",
      measurement: {
        cycleCalculationDateTime: 1741063800,
        service: "dns",
        status: "Down",
        probes: [
          { city: "Amsterdam", status: "down" },
          { city: "Johannesburg", status: "offline" },
          { city: "Singapore", status: "no_result" },
          { city: "Sydney", status: "up" },
        ],
        probeCounts: { up: 1, down: 1, offline: 1, no_result: 1 },
        testErrors: [
          { interface: "DNS", code: "-200", description: "No reply from name server", count: 4 },
          {
            interface: "DNS",
            code: "-816",
            description: "DNSSEC: signature expired (TCP)",
            count: 2,
          },
        ],
        nameServers: [
          { name: "ns1.test", up: false },
          { name: "ns2.test", up: true },
        ],
      },
    },
  },
  metrica: null,
  collectors: { state: { lastSuccessAt: AT }, incidents: { lastSuccessAt: AT } },
};

export const failing: TargetSnapshot = {
  target: { entity: "rr", id: "9999", credentials: "c" },
  up: false,
  stateAttempted: true,
  collectors: {
    state: {
      lastError: {
        reason: "timeout",
        code: "MOSAPI_TIMEOUT",
        message: "state request timed out after 15s",
        at: AT,
      },
    },
  },
};

export const pending: TargetSnapshot = {
  target: { entity: "ry", id: "invalid", credentials: "c" },
  up: false,
  stateAttempted: false,
  collectors: {},
};

/** A snapshot of `targets`. */
export function snapshotOf(...targets: TargetSnapshot[]): Snapshot {
  return { version: 1, targets };
}

/** `page` with insignificant whitespace removed, so assertions do not depend on layout. */
export function normalize(page: string): string {
  return page
    .replace(/>\s+/g, ">")
    .replace(/\s+</g, "<")
    .replace(/\s+>/g, ">")
    .replace(/\s+/g, " ");
}

/** A recent measurement of `service`: `probeCounts` and per name server up/down probes. */
export function recent(
  service: string,
  probeCounts: { up: number; down: number; offline?: number; no_result?: number },
  nameServerProbes: { name: string; up: number; down: number }[] = [],
  targetIps: { ip: string; role: "nameserver" | "rdds43" | "rdds80" | "rdap" }[] = [],
): RecentMeasurementDetail {
  const cycle = 1741064400;
  return {
    measurementId: `${cycle}.json`,
    measurement: {
      cycleCalculationDateTime: cycle,
      service,
      status: "Up",
      probes: [],
      probeCounts: { offline: 0, no_result: 0, ...probeCounts },
      testErrors: [],
      nameServers: [],
      nameServerProbes,
      targetIps,
    },
  };
}

/**
 * TLD warned: DNS and RDAP Up, but in the latest recent measurements 2 of 6 probes lose
 * ns1.warned (33 %, the early warning) and 1 of 6 loses ns2.warned (17 %, below the line).
 */
export const warned: TargetSnapshot = {
  target: { entity: "ry", id: "warned", credentials: "c" },
  up: true,
  stateAttempted: true,
  state: state(
    "Up",
    {
      DNS: { status: "Up", emergencyThreshold: 0, incidents: [] },
      RDAP: { status: "Up", emergencyThreshold: 0, incidents: [] },
    },
    "warned",
  ),
  measurements: {
    dns: recent(
      "dns",
      { up: 6, down: 0 },
      [
        { name: "ns1.warned", up: 4, down: 2 },
        { name: "ns2.warned", up: 5, down: 1 },
      ],
      [
        { ip: "192.0.2.53", role: "nameserver" },
        { ip: "2001:db8::53", role: "nameserver" },
      ],
    ),
    rdap: recent("rdap", { up: 5, down: 1 }, [], [{ ip: "198.51.100.80", role: "rdap" }]),
  },
  collectors: {
    state: { lastSuccessAt: AT },
    measurements: { lastSuccessAt: AT },
    troubleshooting: { lastSuccessAt: AT },
  },
};
