/**
 * The mapping from a target's snapshot entry to its MoSAPI-derived series: which families,
 * labels and values (the golden files pin it). Pure; where the series go is the caller's
 * (the text writers of snapshot-renderer.ts, or prom-client Gauges in a test). Everything comes
 * from the entry, so a TLD, service or incident that disappears upstream disappears here too.
 */
import { activeIncident, monitoredServices } from "../snapshot/queries.js";
import type { IncidentDetail, TargetSnapshot } from "../snapshot/snapshot.js";
import {
  OVERALL_STATUSES,
  SERVICE_STATUSES,
  SERVICE_TYPES,
  type ServiceState,
} from "../mosapi/models.js";
import { targetLabels } from "../mosapi/target.js";
import type { LabelValues } from "./exposition.js";
import { SNAPSHOT_METRICS } from "./names.js";

/** The key of a snapshot family in {@link SNAPSHOT_METRICS}. */
export type FamilyKey = keyof typeof SNAPSHOT_METRICS;

/** Where one family's series go: our text writer, or (in a test) a prom-client Gauge. */
export interface SeriesSink {
  set(labels: LabelValues, value: number): void;
}

/** One sink per snapshot family. */
export type SeriesSinks = Record<FamilyKey, SeriesSink>;

type Families = SeriesSinks;

/** Families in catalogue order, the order prom-client printed them in. */
export const FAMILY_KEYS = Object.keys(SNAPSHOT_METRICS) as FamilyKey[];

/** A percentage from MoSAPI as a ratio, without binary noise (10.417 → 0.10417). */
export function percentToRatio(percent: number): number {
  return Number.parseFloat((percent / 100).toPrecision(12));
}

function addService(
  families: Families,
  labels: Labels,
  serviceType: string,
  service: ServiceState,
): void {
  const base = { ...labels, service_type: serviceType };
  for (const status of SERVICE_STATUSES) {
    families.serviceStatus.set({ ...base, status }, service.status === status ? 1 : 0);
  }
  if (service.emergencyThreshold !== undefined) {
    families.emergencyThresholdRatio.set(base, percentToRatio(service.emergencyThreshold));
  }
  if (service.status === "disabled") return;
  for (const state of ["active", "resolved"] as const) {
    for (const falsePositive of [false, true]) {
      const count = service.incidents.filter(
        (i) => i.state === state && i.falsePositive === falsePositive,
      ).length;
      families.serviceIncidents.set(
        { ...base, state, false_positive: String(falsePositive) },
        count,
      );
    }
  }
  const starts = service.incidents.filter((i) => i.state === "active").map((i) => i.startTime);
  if (starts.length > 0) families.activeIncidentStart.set(base, Math.min(...starts));
}

type Labels = ReturnType<typeof targetLabels>;

/** Probe results in the order the `status` label lists them. */
const PROBE_STATUSES = ["up", "down", "offline", "no_result"] as const;

function addIncidentDetail(families: Families, base: Labels, detail: IncidentDetail): void {
  const { measurement } = detail;
  for (const status of PROBE_STATUSES) {
    families.incidentProbes.set({ ...base, status }, measurement.probeCounts[status]);
  }
  for (const error of measurement.testErrors) {
    families.incidentTestErrors.set(
      { ...base, interface: error.interface, code: error.code, description: error.description },
      error.count,
    );
  }
  for (const server of measurement.nameServers) {
    families.incidentNameserverUp.set({ ...base, nameserver: server.name }, server.up ? 1 : 0);
  }
  families.incidentMeasurementTimestamp.set(base, measurement.cycleCalculationDateTime);
}

/**
 * Families of the per-service collectors, shown only for services the current state lists as
 * monitored, and incident details only while that very incident is still active: a service
 * that gets disabled or an incident that resolves disappears with the next `state` refresh.
 */
function addServiceDetails(families: Families, labels: Labels, entry: TargetSnapshot): void {
  for (const serviceType of monitoredServices(entry)) {
    const base = { ...labels, service_type: serviceType };
    const alarmed = entry.alarmed?.[serviceType];
    if (alarmed !== undefined) families.serviceAlarmed.set(base, alarmed ? 1 : 0);
    const downtime = entry.downtimeMinutes?.[serviceType];
    if (downtime !== undefined) families.serviceDowntime.set(base, downtime * 60);
    const detail = entry.incidents?.[serviceType];
    if (
      detail !== undefined &&
      activeIncident(entry, serviceType)?.incidentId === detail.incidentId
    ) {
      addIncidentDetail(families, base, detail);
    }
  }
}

function addMetrica(families: Families, labels: Labels, entry: TargetSnapshot): void {
  const report = entry.metrica;
  if (report === undefined || report === null) return;
  for (const threat of report.threats) {
    if (threat.count !== null) {
      families.abuseDomains.set({ ...labels, threat_type: threat.threatType }, threat.count);
    }
  }
  if (report.uniqueAbuseDomains !== undefined) {
    families.abuseUniqueDomains.set(labels, report.uniqueAbuseDomains);
  }
  families.abuseReportTimestamp.set(labels, report.reportTimestamp);
}

/**
 * The series of one target: the mapping from snapshot to metrics that the golden files pin.
 * A test feeds the same series into prom-client and compares the text.
 */
export function addTarget(families: Families, entry: TargetSnapshot): void {
  const labels = targetLabels(entry.target);
  families.up.set(labels, entry.up ? 1 : 0);
  for (const [collector, status] of Object.entries(entry.collectors)) {
    if (status.lastSuccessAt !== undefined) {
      families.lastRefreshSuccess.set({ ...labels, collector }, status.lastSuccessAt / 1000);
    }
  }
  addMetrica(families, labels, entry);
  const state = entry.state;
  if (state === undefined) return;
  // Absent when MoSAPI left lastUpdateApiDatabase out (an oddity, counted elsewhere).
  if (state.lastUpdateApiDatabase !== undefined) {
    families.dataTimestamp.set(labels, state.lastUpdateApiDatabase);
  }
  for (const status of OVERALL_STATUSES) {
    families.status.set({ ...labels, status }, state.status === status ? 1 : 0);
  }
  for (const serviceType of SERVICE_TYPES) {
    const service = state.services[serviceType];
    if (service !== undefined) addService(families, labels, serviceType, service);
  }
  addServiceDetails(families, labels, entry);
}
