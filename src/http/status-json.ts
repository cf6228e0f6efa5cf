/**
 * `GET /api/v1/status`: the status board's snapshot as JSON for scripts (docs/status-page.md).
 * Field names are camelCase and stable; every time is an ISO-8601 UTC string; absent data is
 * `null`, never a missing key. It holds no secrets (no credentials, not even their names) and no
 * domain names (the snapshot keeps none).
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import type { CollectorName } from "../snapshot/names.js";
import type { CollectorStatus, Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import type { MeasurementSummary } from "../mosapi/measurement.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import type { ServiceType } from "../mosapi/models.js";
import type { Entity } from "../mosapi/target.js";
import { describeTarget, targetKey } from "../mosapi/target.js";
import {
  countActiveIncidents,
  earlyWarnings,
  hasEarlyWarning,
  isFailing,
  isStale,
  iso,
  targetPath,
  worstFirst,
} from "./board.js";
import type { PageFrame } from "./layout.js";

/** Version of the document's shape; bumped (with a new path) only for breaking changes. */
export const STATUS_API_VERSION = 1;

/** A collector's refresh bookkeeping. */
export interface CollectorJson {
  lastSuccessAt: string | null;
  lastError: { reason: string; code: string; message: string; at: string } | null;
}

/** The latest measurement of an active incident. */
export interface MeasurementJson {
  measurementId: string;
  cycleCalculationDateTime: string;
  status: string;
  probeCounts: MeasurementSummary["probeCounts"];
  probes: MeasurementSummary["probes"];
  testErrors: MeasurementSummary["testErrors"];
  nameServers: MeasurementSummary["nameServers"];
}

/** One incident as listed by `state`, with its latest measurement when it is the active one. */
export interface IncidentJson {
  incidentId: string;
  state: "active" | "resolved" | "unknown";
  startTime: string;
  endTime: string | null;
  falsePositive: boolean;
  latestMeasurement: MeasurementJson | null;
}

/** One service of one target. */
export interface ServiceJson {
  serviceType: ServiceType;
  status: string;
  rawStatus: string;
  /** Percent of the emergency threshold used; null for disabled services. */
  emergencyThreshold: number | null;
  alarmed: boolean | null;
  downtimeMinutes: number | null;
  incidents: IncidentJson[];
}

/** Probes of the latest recent measurement losing a name server (or the service) still Up. */
export interface EarlyWarningJson {
  serviceType: ServiceType;
  /** The name server; null when the probes lose the service itself. */
  nameServer: string | null;
  probesDown: number;
  /** Probes with a verdict: up + down. */
  probes: number;
  cycleCalculationDateTime: string;
}

/** One target. */
export interface TargetJson {
  entity: Entity;
  id: string;
  key: string;
  name: string;
  path: string;
  up: boolean;
  stateAttempted: boolean;
  failing: boolean;
  /** The `state` data is from an earlier success: the latest `state` refresh failed. */
  stale: boolean;
  status: string | null;
  rawStatus: string | null;
  lastUpdateApiDatabase: string | null;
  activeIncidents: number;
  /** As on the board: at least 25 % and 2 probes (EARLY_WARNING), the service still up. */
  earlyWarnings: EarlyWarningJson[];
  services: ServiceJson[];
  metrica: {
    domainListDate: string;
    uniqueAbuseDomains: number | null;
    threats: { threatType: string; count: number | null }[];
  } | null;
  /** `"none"`: MoSAPI has no report (404); `"pending"`: not fetched yet. */
  metricaState: "report" | "none" | "pending";
  collectors: Record<CollectorName, CollectorJson>;
}

/** The whole document. */
export interface StatusJson {
  apiVersion: number;
  generatedAt: string;
  exporter: {
    version: string;
    revision: string;
    nodeVersion: string;
    startedAt: string;
    uptimeSeconds: number;
    ready: boolean;
  };
  summary: {
    targets: number;
    activeIncidents: number;
    earlyWarningTargets: number;
    failingTargets: number;
  };
  /** Worst first, as on the status board. */
  targets: TargetJson[];
}

/** Builds the document; pure, never throws. */
export function statusJson(snapshot: Snapshot, frame: PageFrame): StatusJson {
  const targets = worstFirst(snapshot.targets);
  return {
    apiVersion: STATUS_API_VERSION,
    generatedAt: iso(frame.now),
    exporter: {
      version: frame.info.version,
      revision: frame.info.revision,
      nodeVersion: frame.info.nodeVersion,
      startedAt: iso(frame.info.startedAt),
      uptimeSeconds: Math.max(0, Math.floor((frame.now - frame.info.startedAt) / 1000)),
      ready: frame.ready,
    },
    summary: {
      targets: targets.length,
      activeIncidents: targets.reduce((sum, t) => sum + countActiveIncidents(t), 0),
      earlyWarningTargets: targets.filter(hasEarlyWarning).length,
      failingTargets: targets.filter(isFailing).length,
    },
    targets: targets.map(targetJson),
  };
}

function targetJson(target: TargetSnapshot): TargetJson {
  const state = target.state;
  const report = target.metrica;
  return {
    entity: target.target.entity,
    id: target.target.id,
    key: targetKey(target.target),
    name: describeTarget(target.target),
    path: targetPath(target.target),
    up: target.up,
    stateAttempted: target.stateAttempted,
    failing: isFailing(target),
    stale: isStale(target),
    status: state?.status ?? null,
    rawStatus: state?.rawStatus ?? null,
    lastUpdateApiDatabase:
      state?.lastUpdateApiDatabase === undefined ? null : iso(state.lastUpdateApiDatabase * 1000),
    activeIncidents: countActiveIncidents(target),
    earlyWarnings: earlyWarnings(target).map((w) => ({
      serviceType: w.service,
      nameServer: w.nameServer ?? null,
      probesDown: w.down,
      probes: w.probes,
      cycleCalculationDateTime: iso(w.cycle * 1000),
    })),
    services: SERVICE_TYPES.flatMap((type) => {
      const service = serviceJson(target, type);
      return service === undefined ? [] : [service];
    }),
    metrica:
      report === undefined || report === null
        ? null
        : {
            domainListDate: report.domainListDate,
            uniqueAbuseDomains: report.uniqueAbuseDomains ?? null,
            threats: report.threats.map((t) => ({ threatType: t.threatType, count: t.count })),
          },
    metricaState: report === undefined ? "pending" : report === null ? "none" : "report",
    collectors: Object.fromEntries(
      COLLECTOR_NAMES.map((name) => [name, collectorJson(target.collectors[name])]),
    ) as Record<CollectorName, CollectorJson>,
  };
}

function serviceJson(target: TargetSnapshot, type: ServiceType): ServiceJson | undefined {
  const service = target.state?.services[type];
  if (service === undefined) return undefined;
  const detail = target.incidents?.[type];
  return {
    serviceType: type,
    status: service.status,
    rawStatus: service.rawStatus,
    emergencyThreshold: service.emergencyThreshold ?? null,
    alarmed: target.alarmed?.[type] ?? null,
    downtimeMinutes: target.downtimeMinutes?.[type] ?? null,
    incidents: service.incidents.map((incident) => ({
      incidentId: incident.incidentId,
      state: incident.state,
      startTime: iso(incident.startTime * 1000),
      endTime: incident.endTime === null ? null : iso(incident.endTime * 1000),
      falsePositive: incident.falsePositive,
      latestMeasurement:
        incident.state === "active" && detail?.incidentId === incident.incidentId
          ? {
              measurementId: detail.measurementId,
              cycleCalculationDateTime: iso(detail.measurement.cycleCalculationDateTime * 1000),
              status: detail.measurement.status,
              probeCounts: { ...detail.measurement.probeCounts },
              probes: detail.measurement.probes.map((p) => ({ city: p.city, status: p.status })),
              testErrors: detail.measurement.testErrors.map((e) => ({
                interface: e.interface,
                code: e.code,
                description: e.description,
                count: e.count,
              })),
              nameServers: detail.measurement.nameServers.map((ns) => ({
                name: ns.name,
                up: ns.up,
              })),
            }
          : null,
    })),
  };
}

function collectorJson(status: CollectorStatus | undefined): CollectorJson {
  const error = status?.lastError;
  return {
    lastSuccessAt: status?.lastSuccessAt === undefined ? null : iso(status.lastSuccessAt),
    lastError:
      error === undefined
        ? null
        : { reason: error.reason, code: error.code, message: error.message, at: iso(error.at) },
  };
}
