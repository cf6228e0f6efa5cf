/**
 * What the status board (HTML pages and `/api/v1/status`) derives from a snapshot: which targets
 * are failing, how many incidents are active, and the worst-first order. Pure functions, so the
 * HTML and the JSON view can never disagree.
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import type { TargetSnapshot } from "../snapshot/snapshot.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import type { ServiceType } from "../mosapi/models.js";
import type { Target } from "../mosapi/target.js";

/** Overall states, best last; anything without data ranks as `unknown`. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  down: 0,
  "up-inconclusive": 1,
  unknown: 2,
  up: 3,
};

/** ICANN's escalation ladder: shares of the emergency threshold (percent). */
export const THRESHOLD_MARKS = [10, 25, 50, 75, 100] as const;

/**
 * Emergency threshold of each service in minutes of downtime per rolling week (Registry
 * Agreement Specification 10 §6): the `emergencyThreshold` percent is downtime over this.
 */
export const THRESHOLD_MINUTES: Readonly<Record<ServiceType, number>> = {
  dns: 240,
  dnssec: 240,
  rdds: 1440,
  rdap: 1440,
  epp: 1440,
};

/** True when the last `state` refresh failed or any collector's last attempt failed. */
export function isFailing(target: TargetSnapshot): boolean {
  if (target.stateAttempted && !target.up) return true;
  return COLLECTOR_NAMES.some((name) => target.collectors[name]?.lastError !== undefined);
}

/** True when the `state` data shown is an older success: the latest `state` refresh failed. */
export function isStale(target: TargetSnapshot): boolean {
  return target.state !== undefined && target.stateAttempted && !target.up;
}

/** Incidents the last good `state` lists as active, over every service. */
export function countActiveIncidents(target: TargetSnapshot): number {
  const services = target.state?.services ?? {};
  return SERVICE_TYPES.reduce(
    (sum, type) =>
      sum + (services[type]?.incidents.filter((i) => i.state === "active").length ?? 0),
    0,
  );
}

/** The highest `emergencyThreshold` (percent) of any service; 0 without data. */
export function maxThreshold(target: TargetSnapshot): number {
  const services = target.state?.services ?? {};
  return Math.max(0, ...SERVICE_TYPES.map((type) => services[type]?.emergencyThreshold ?? 0));
}

/** The highest mark of {@link THRESHOLD_MARKS} reached by any service, or 0. */
export function thresholdTier(target: TargetSnapshot): number {
  const max = maxThreshold(target);
  return [...THRESHOLD_MARKS].reverse().find((mark) => max >= mark) ?? 0;
}

/** True when the target or any of its services is `down` in the last good `state`. */
export function isDown(target: TargetSnapshot): boolean {
  const state = target.state;
  if (state === undefined) return false;
  return (
    state.status === "down" || SERVICE_TYPES.some((type) => state.services[type]?.status === "down")
  );
}

/**
 * The early warning's line, one definition with the alert `MosapiNameServerLosingProbes`
 * (prometheus/mosapi-alerts.yml; a test keeps the two equal): at least this share of the
 * probes with a verdict, and at least this many, lose a name server in the latest recent
 * measurement while the service is still Up. SLAM calls a name server down at 51 % of the
 * probes; a quarter is half way there, and two probes rule out one probe's own trouble.
 */
export const EARLY_WARNING = { share: 0.25, minProbes: 2 } as const;

/** Probes of the latest recent measurement losing a name server, or the service itself. */
export interface EarlyWarning {
  readonly service: ServiceType;
  /** The name server the probes lose; undefined when they lose the service (probes down). */
  readonly nameServer?: string;
  /** Probes that saw it down. */
  readonly down: number;
  /** Probes with a verdict on it: up + down (offline probes and probes without a result are not). */
  readonly probes: number;
  /** Start of the measured cycle, Unix seconds. */
  readonly cycle: number;
}

/** True when `down` of `probes` probes cross {@link EARLY_WARNING}'s line. */
export function crossesEarlyWarning(down: number, probes: number): boolean {
  return probes > 0 && down >= EARLY_WARNING.minProbes && down / probes >= EARLY_WARNING.share;
}

/**
 * The early warnings of `target`: per service the last good `state` calls Up (exactly `up`,
 * as the alert), each name server its latest recent measurement's probes lose (by name, the
 * most specific first), then the probes that lose the service itself, when they cross
 * {@link EARLY_WARNING}'s line. A service that is
 * already down or inconclusive has its own signal.
 */
export function earlyWarnings(target: TargetSnapshot): readonly EarlyWarning[] {
  const services = target.state?.services;
  if (services === undefined || target.measurements === undefined) return [];
  // A page asks many times per target (order, counts, filters, cells); snapshots are immutable.
  let warnings = WARNINGS.get(target);
  if (warnings === undefined) {
    warnings = findEarlyWarnings(target, services);
    WARNINGS.set(target, warnings);
  }
  return warnings;
}

const WARNINGS = new WeakMap<TargetSnapshot, readonly EarlyWarning[]>();

function findEarlyWarnings(
  target: TargetSnapshot,
  services: NonNullable<TargetSnapshot["state"]>["services"],
): EarlyWarning[] {
  return SERVICE_TYPES.flatMap((service): EarlyWarning[] => {
    const detail = target.measurements?.[service];
    if (detail === undefined || services[service]?.status !== "up") return [];
    const m = detail.measurement;
    const cycle = m.cycleCalculationDateTime;
    const probes = m.probeCounts.up + m.probeCounts.down;
    const own: EarlyWarning[] = crossesEarlyWarning(m.probeCounts.down, probes)
      ? [{ service, down: m.probeCounts.down, probes, cycle }]
      : [];
    return m.nameServerProbes
      .filter((ns) => crossesEarlyWarning(ns.down, ns.up + ns.down))
      .map((ns): EarlyWarning => ({
        service,
        nameServer: ns.name,
        down: ns.down,
        probes: ns.up + ns.down,
        cycle,
      }))
      .concat(own);
  });
}

/** True when {@link earlyWarnings} has any. */
export function hasEarlyWarning(target: TargetSnapshot): boolean {
  return earlyWarnings(target).length > 0;
}

/** True when any service's last `alarmed` answer was `Yes`. */
export function isAlarmed(target: TargetSnapshot): boolean {
  return SERVICE_TYPES.some((type) => target.alarmed?.[type] === true);
}

/**
 * A copy of `targets`, worst first. SLA severity decides first: the highest mark of the
 * emergency threshold reached, then down, then alarmed, then the number of active incidents,
 * then an early warning (probes losing a name server of a service still Up: what may become
 * an incident). Refresh problems come after (a failed refresh says nothing about the TLD), then the overall
 * status (inconclusive, unknown, up) and the exact threshold used; ties keep configuration order.
 */
export function worstFirst(targets: readonly TargetSnapshot[]): TargetSnapshot[] {
  // Each key computed once per target, not once per comparison: 1,000 targets sort in ~1 ms.
  const keyed = targets.map((target, index) => ({
    target,
    key: [
      -thresholdTier(target),
      -Number(isDown(target)),
      -Number(isAlarmed(target)),
      -countActiveIncidents(target),
      -Number(hasEarlyWarning(target)),
      -Number(isFailing(target)),
      rank(target),
      -maxThreshold(target),
      index,
    ],
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return keyed.map((k) => k.target);
}

function rank(target: TargetSnapshot): number {
  const status = target.state?.status ?? "unknown";
  return STATUS_RANK[status.startsWith("up-inconclusive") ? "up-inconclusive" : status] ?? 2;
}

/**
 * The board's filters (`/?show=…`), each a question about one target. `problems` is every
 * target with an SLA problem, an early warning or a failing refresh; `ok` none of them.
 */
export const BOARD_FILTERS = {
  all: () => true,
  problems: (t: TargetSnapshot) =>
    thresholdTier(t) > 0 ||
    isDown(t) ||
    isAlarmed(t) ||
    countActiveIncidents(t) > 0 ||
    hasEarlyWarning(t) ||
    isFailing(t),
  threshold: (t: TargetSnapshot) => thresholdTier(t) > 0,
  down: isDown,
  alarmed: isAlarmed,
  incidents: (t: TargetSnapshot) => countActiveIncidents(t) > 0,
  warning: hasEarlyWarning,
  failing: isFailing,
  ok: (t: TargetSnapshot) =>
    t.state?.status === "up" &&
    !isFailing(t) &&
    !isAlarmed(t) &&
    thresholdTier(t) === 0 &&
    !hasEarlyWarning(t),
} as const satisfies Record<string, (target: TargetSnapshot) => boolean>;
export type BoardFilter = keyof typeof BOARD_FILTERS;

/** The filter named by a `show` query value; anything else is `all`. */
export function parseBoardFilter(value: unknown): BoardFilter {
  return typeof value === "string" && Object.hasOwn(BOARD_FILTERS, value)
    ? (value as BoardFilter)
    : "all";
}

/** `/targets/ry/example`, `/targets/rr/9999`: the detail page of a target (id URL-encoded). */
export function targetPath(target: Pick<Target, "entity" | "id">): string {
  return `/targets/${target.entity}/${encodeURIComponent(target.id)}`;
}

/** `2025-01-02T03:04:05Z`: ISO-8601 UTC to the second. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * How long ago `ms` was, seen at `now`: `just now`, `40 s ago`, `3 min ago`, `5 h ago`,
 * `2 d ago` (rounded down); a time in the future reads `in 3 min`.
 */
export function ago(ms: number, now: number): string {
  const seconds = Math.floor(Math.abs(now - ms) / 1000);
  if (seconds < 5) return "just now";
  const amount =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : seconds < 86400
          ? `${Math.floor(seconds / 3600)} h`
          : `${Math.floor(seconds / 86400)} d`;
  return ms > now ? `in ${amount}` : `${amount} ago`;
}

/** `1 target`, `2 targets`: `word` with an `s` unless `count` is 1. */
export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** `3d 4h 5m`, or seconds under a minute; negative durations read `0s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60) % 60;
  const hours = Math.floor(seconds / 3600) % 24;
  const days = Math.floor(seconds / 86400);
  return [days > 0 ? `${days}d` : "", days + hours > 0 ? `${hours}h` : "", `${minutes}m`]
    .filter((part) => part !== "")
    .join(" ");
}

/**
 * A page lists at most this many incidents (blocks or rows) and says how many it left out: a
 * state with thousands of incidents must not produce a page of megabytes.
 */
export const MAX_LISTED_INCIDENTS = 50;

/** The first `max` items, and how many were left out. */
export function capped<T>(items: readonly T[], max = MAX_LISTED_INCIDENTS) {
  return { shown: items.slice(0, max), hidden: Math.max(0, items.length - max) };
}
