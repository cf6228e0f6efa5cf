/**
 * Snapshot → MoSAPI-derived metric families in the text format. Rebuilt from the snapshot, so a
 * TLD, service or incident that disappears upstream disappears from the output. Each target's
 * lines are rendered once per entry object and reused: the store replaces only the entry that
 * changed (copy on write), so after a refresh only that target is rendered again.
 */
import { activeIncident, monitoredServices } from "../collectors/services.js";
import type { IncidentDetail, Snapshot, TargetSnapshot } from "../collectors/snapshot.js";
import {
  OVERALL_STATUSES,
  SERVICE_STATUSES,
  SERVICE_TYPES,
  type ServiceState,
} from "../mosapi/models.js";
import { targetKey, targetLabels } from "../mosapi/target.js";
import { familyHeader, FamilyWriter, type LabelValues } from "./exposition.js";
import { SNAPSHOT_METRICS } from "./names.js";

type FamilyKey = keyof typeof SNAPSHOT_METRICS;

/** Where one family's series go: our text writer, or (in a test) a prom-client Gauge. */
export interface SeriesSink {
  set(labels: LabelValues, value: number): void;
}

/** One sink per snapshot family. */
export type SeriesSinks = Record<FamilyKey, SeriesSink>;

type Families = SeriesSinks;

/** Families in catalogue order, the order prom-client printed them in. */
const FAMILY_KEYS = Object.keys(SNAPSHOT_METRICS) as FamilyKey[];
const HEADERS = FAMILY_KEYS.map((key) => familyHeader(SNAPSHOT_METRICS[key]));

function newFamilies(): Record<FamilyKey, FamilyWriter> {
  return Object.fromEntries(
    FAMILY_KEYS.map((key) => [key, new FamilyWriter(SNAPSHOT_METRICS[key].name)]),
  ) as Record<FamilyKey, FamilyWriter>;
}

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
  families.abuseUniqueDomains.set(labels, report.uniqueAbuseDomains);
  families.abuseReportTimestamp.set(labels, report.reportTimestamp);
}

/**
 * The series of one target: the mapping from snapshot to metrics that the golden files pin.
 * Exported so a test can feed the same series into prom-client and compare the text.
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

/** Sample lines of one or more targets, per family in {@link FAMILY_KEYS} order. */
type Fragments = readonly string[];

function fragmentsOf(entries: readonly TargetSnapshot[]): Fragments {
  const families = newFamilies();
  for (const entry of entries) addTarget(families, entry);
  return FAMILY_KEYS.map((key) => families[key].text());
}

/**
 * Two entries for one target would share series, which a per-target rendering cannot merge.
 * The store never holds such a snapshot (targets are unique in the configuration).
 */
function hasDuplicateTargets(snapshot: Snapshot): boolean {
  const keys = new Set(snapshot.targets.map((entry) => targetKey(entry.target)));
  return keys.size !== snapshot.targets.length;
}

/**
 * Renders snapshots, remembering each target entry's lines for as long as the entry object
 * lives, so rendering the next snapshot costs only its changed entries and the concatenation.
 */
export class SnapshotRenderer {
  readonly #fragments = new WeakMap<TargetSnapshot, Fragments>();

  /** @param onTargetRendered called for every entry actually rendered (not found in the cache) */
  constructor(private readonly onTargetRendered: (entry: TargetSnapshot) => void = () => {}) {}

  /**
   * The MoSAPI-derived families of `snapshot` in the Prometheus text format: families in
   * catalogue order (those without series left out), targets in snapshot (configuration)
   * order, services in {@link SERVICE_TYPES} order.
   */
  render(snapshot: Snapshot): string {
    const perTarget = hasDuplicateTargets(snapshot)
      ? [fragmentsOf(snapshot.targets)]
      : snapshot.targets.map((entry) => this.#fragmentsOf(entry));
    const parts: string[] = [];
    FAMILY_KEYS.forEach((_key, family) => {
      const lines = perTarget.map((fragments) => fragments[family] ?? "").filter((l) => l !== "");
      // A family with no series says nothing; leave it out rather than print HELP/TYPE alone.
      if (lines.length === 0) return;
      parts.push(parts.length === 0 ? "" : "\n", HEADERS[family] ?? "");
      for (const piece of lines) parts.push(piece);
    });
    // prom-client prints an empty registry as a single newline.
    return parts.length === 0 ? "\n" : parts.join("");
  }

  #fragmentsOf(entry: TargetSnapshot): Fragments {
    let fragments = this.#fragments.get(entry);
    if (fragments === undefined) {
      fragments = fragmentsOf([entry]);
      this.#fragments.set(entry, fragments);
      this.onTargetRendered(entry);
    }
    return fragments;
  }
}

/**
 * Renders the MoSAPI-derived families of `snapshot` in the Prometheus text format with a fresh
 * {@link SnapshotRenderer} (nothing cached between calls).
 */
export function renderSnapshot(snapshot: Snapshot): Promise<string> {
  return Promise.resolve(new SnapshotRenderer().render(snapshot));
}
