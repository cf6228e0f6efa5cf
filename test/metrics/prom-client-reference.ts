/**
 * The renderer /metrics used before the hand-written writer, kept as the reference the writer
 * must equal byte for byte: a fresh prom-client registry of Gauges filled from the snapshot.
 * Only tests use it.
 */
import { activeIncident, monitoredServices } from "../../src/collectors/services.js";
import type { IncidentDetail, Snapshot, TargetSnapshot } from "../../src/collectors/snapshot.js";
import {
  OVERALL_STATUSES,
  SERVICE_STATUSES,
  SERVICE_TYPES,
  type ServiceState,
} from "../../src/mosapi/models.js";
import { targetLabels } from "../../src/mosapi/target.js";
import { labelNames, SNAPSHOT_METRICS, type MetricDefinition } from "../../src/metrics/names.js";
import { Gauge, Registry, type GaugeMetric, type PromRegistry } from "../../src/metrics/prom.js";

type Families = Record<keyof typeof SNAPSHOT_METRICS, GaugeMetric>;

function gauge(registry: PromRegistry, definition: MetricDefinition): GaugeMetric {
  return new Gauge({
    name: definition.name,
    help: definition.help,
    labelNames: labelNames(definition),
    registers: [registry],
  });
}

function percentToRatio(percent: number): number {
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
  families.abuseUniqueDomains.set(labels, report.uniqueAbuseDomains);
  families.abuseReportTimestamp.set(labels, report.reportTimestamp);
}

function addTarget(families: Families, entry: TargetSnapshot): void {
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
  families.dataTimestamp.set(labels, state.lastUpdateApiDatabase);
  for (const status of OVERALL_STATUSES) {
    families.status.set({ ...labels, status }, state.status === status ? 1 : 0);
  }
  for (const serviceType of SERVICE_TYPES) {
    const service = state.services[serviceType];
    if (service !== undefined) addService(families, labels, serviceType, service);
  }
  addServiceDetails(families, labels, entry);
}

/**
 * Renders the MoSAPI-derived families of `snapshot` in the Prometheus text format.
 * Targets appear in snapshot (configuration) order, services in {@link SERVICE_TYPES} order.
 */
export async function renderWithPromClient(snapshot: Snapshot): Promise<string> {
  const registry = new Registry();
  const families = Object.fromEntries(
    Object.entries(SNAPSHOT_METRICS).map(([key, definition]) => [key, gauge(registry, definition)]),
  ) as Families;
  for (const entry of snapshot.targets) addTarget(families, entry);
  // A family with no series says nothing; leave it out rather than print HELP/TYPE alone.
  for (const gauge of Object.values(families)) {
    const { name, values } = await gauge.get();
    if (values.length === 0) registry.removeSingleMetric(name);
  }
  return registry.metrics();
}
