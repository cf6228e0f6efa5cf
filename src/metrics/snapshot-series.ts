/**
 * The mapping from a target's snapshot entry to its MoSAPI-derived series: which families,
 * labels and values (the golden files pin it). Pure; where the series go is the caller's
 * (the text writers of snapshot-renderer.ts, or prom-client Gauges in a test). Everything comes
 * from the entry, so a TLD, service or incident that disappears upstream disappears here too.
 */
import { activeIncident, monitoredServices } from "../snapshot/queries.js";
import type {
  IncidentDetail,
  RecentMeasurementDetail,
  TargetSnapshot,
} from "../snapshot/snapshot.js";
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

/**
 * The families whose series may repeat within one target's {@link addTarget}: their label
 * values come from MoSAPI's lists (a test error, a name server or a threat type listed twice,
 * or two values prom-client's identity confuses, such as `a,b`), so their writer must merge
 * repeats as a Gauge does. In every other family one target's label sets are distinct by
 * construction: the target's labels, plus values from fixed lists (services, statuses, probe
 * results), object keys (collectors) or a set (trace IPs). The trace families of
 * {@link addTraces} are not per target and are not covered here.
 */
export const REPEATABLE_PER_TARGET: ReadonlySet<FamilyKey> = new Set<FamilyKey>([
  "abuseDomains",
  "incidentTestErrors",
  "incidentNameserverUp",
  "measurementNameserverProbes",
]);

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

function addRecentMeasurement(
  families: Families,
  base: Labels,
  detail: RecentMeasurementDetail,
): void {
  const { measurement } = detail;
  families.measurementTimestamp.set(base, measurement.cycleCalculationDateTime);
  for (const status of PROBE_STATUSES) {
    families.measurementProbes.set({ ...base, status }, measurement.probeCounts[status]);
  }
  for (const server of measurement.nameServerProbes) {
    for (const status of ["up", "down"] as const) {
      families.measurementNameserverProbes.set(
        { ...base, nameserver: server.name, status },
        server[status],
      );
    }
  }
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
    const recent = entry.measurements?.[serviceType];
    if (recent !== undefined) addRecentMeasurement(families, base, recent);
  }
}

/**
 * `mosapi_trace_target_info`: one series per IP traced to the target, with its role as the
 * latest recent measurements tell (the first service that names the IP), else `unknown`.
 */
function addTraceTargets(families: Families, labels: Labels, entry: TargetSnapshot): void {
  const traces = entry.traces?.traces;
  if (traces === undefined || traces.length === 0) return;
  const roles = new Map<string, string>();
  for (const serviceType of SERVICE_TYPES) {
    for (const { ip, role } of entry.measurements?.[serviceType]?.measurement.targetIps ?? []) {
      if (!roles.has(ip)) roles.set(ip, role);
    }
  }
  const ips = [...new Set(traces.map((trace) => trace.ip))].sort();
  for (const ip of ips)
    families.traceTargetInfo.set({ ...labels, ip, role: roles.get(ip) ?? "unknown" }, 1);
}

/**
 * The trace families, which carry no target label: an IP's traces are the same files for every
 * TLD it serves, so each probe × IP appears once, from the first target (in configuration
 * order) that holds it. Called once per snapshot, after {@link addTarget} for every target.
 */
export function addTraces(families: Families, entries: readonly TargetSnapshot[]): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    for (const trace of entry.traces?.traces ?? []) {
      const key = `${trace.probe}\u0000${trace.ip}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const labels = { probe: trace.probe, ip: trace.ip };
      families.traceReached.set(labels, trace.reached ? 1 : 0);
      families.traceLossRatio.set(labels, trace.lossRatio);
      if (trace.rttSeconds !== undefined) families.traceRtt.set(labels, trace.rttSeconds);
      families.traceHops.set(labels, trace.hops);
      families.traceTimestamp.set(labels, trace.testTime);
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
  addTraceTargets(families, labels, entry);
}
