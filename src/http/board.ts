/**
 * What the status board (HTML pages and `/api/v1/status`) derives from a snapshot: which targets
 * are failing, how many incidents are active, and the worst-first order. Pure functions, so the
 * HTML and the JSON view can never disagree.
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import type { TargetSnapshot } from "../snapshot/snapshot.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import type { Target } from "../mosapi/target.js";

/** Overall states, best last; anything without data ranks as `unknown`. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  down: 0,
  "up-inconclusive": 1,
  unknown: 2,
  up: 3,
};

/** True when the last `state` refresh failed or any collector's last attempt failed. */
export function isFailing(target: TargetSnapshot): boolean {
  if (target.stateAttempted && !target.up) return true;
  return COLLECTOR_NAMES.some((name) => target.collectors[name]?.lastError !== undefined);
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

/**
 * A copy of `targets`, worst first: failing refreshes, then overall status (down, inconclusive,
 * unknown, up), then the highest emergency threshold used; ties keep configuration order.
 */
export function worstFirst(targets: readonly TargetSnapshot[]): TargetSnapshot[] {
  return [...targets].sort(
    (a, b) =>
      Number(isFailing(b)) - Number(isFailing(a)) ||
      rank(a) - rank(b) ||
      maxThreshold(b) - maxThreshold(a),
  );
}

function rank(target: TargetSnapshot): number {
  return STATUS_RANK[target.state?.status ?? "unknown"] ?? 2;
}

/** `/targets/ry/example`, `/targets/rr/9999`: the detail page of a target (id URL-encoded). */
export function targetPath(target: Pick<Target, "entity" | "id">): string {
  return `/targets/${target.entity}/${encodeURIComponent(target.id)}`;
}

/** `2025-01-02T03:04:05Z`: ISO-8601 UTC to the second. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
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
