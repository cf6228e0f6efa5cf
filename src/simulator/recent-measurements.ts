/**
 * The recent-measurement tree (docs/mosapi.md#probe-network-trees): every completed cycle of an
 * enabled service, not only incidents, as SLAM stores them,
 * `monitoring/<svc>/measurements/<yyyy>/<mm>/<dd>/<cycleStart>.json`. Listings are
 * `{version, lastUpdateApiDatabase, years|months|days|measurements: [...]}`, newest first. The
 * tree holds {@link TREE_HISTORY_DAYS} days before the scenario epoch.
 */
import { notFound, ok } from "./answers.js";
import { TREE_HISTORY_DAYS, dayBounds, listLevel, treeDays } from "./day-tree.js";
import type { ResourceRequest, ResourceResponse } from "./endpoints.js";
import {
  cycleMeasurement,
  forEnabledService,
  head,
  historyOf,
  type ServiceContext,
} from "./service-resources.js";

const DAY_SECONDS = 86_400;

/** First and last completed cycle index the tree holds for the service. */
function cycleRange(context: ServiceContext): { first: number; last: number; cycle: number } {
  const { request } = context;
  const history = historyOf(context);
  const cycle = history.rules.cycleSeconds;
  const first = Math.ceil((request.epoch - TREE_HISTORY_DAYS * DAY_SECONDS) / cycle);
  return { first, last: history.lastCycle, cycle };
}

/**
 * `…/measurements`, `…/measurements/<yyyy>`, `…/measurements/<yyyy>/<mm>`: the years, months
 * of a year, or days of a month that hold measurements; 404 for a year or month with none.
 */
export function recentListingResource(request: ResourceRequest): ResourceResponse {
  return forEnabledService(request, (context) => {
    const { first, last, cycle } = cycleRange(context);
    const level = listLevel(treeDays(first * cycle, (last + 1) * cycle - 1), request.params);
    if (level === undefined) return notFound("No measurements for this period.");
    return ok({ ...head(request), [level.key]: level.values });
  });
}

/** `…/measurements/<yyyy>/<mm>/<dd>`: the IDs of that day's completed cycles, newest first. */
export function recentDayResource(request: ResourceRequest): ResourceResponse {
  return forEnabledService(request, (context) => {
    const bounds = dayBounds(request.params);
    const { first, last, cycle } = cycleRange(context);
    if (bounds === undefined) return notFound("No measurements for this day.");
    const from = Math.max(first, Math.ceil(bounds.start / cycle));
    const to = Math.min(last, Math.ceil(bounds.end / cycle) - 1);
    if (to < from) return notFound("No measurements for this day.");
    const measurements: string[] = [];
    for (let c = to; c >= from; c--) measurements.push(`${c * cycle}.json`);
    return ok({ ...head(request), measurements });
  });
}

/** `…/measurements/<yyyy>/<mm>/<dd>/<cycleStart>.json`: that cycle's measurement object. */
export function recentMeasurementResource(request: ResourceRequest): ResourceResponse {
  return forEnabledService(request, (context) => {
    const bounds = dayBounds(request.params);
    const match = /^(\d{1,11})\.json$/.exec(request.params["measurementID"] ?? "");
    const { first, last, cycle } = cycleRange(context);
    const start = Number(match?.[1]);
    const index = start / cycle;
    if (
      bounds === undefined ||
      match === null ||
      !Number.isInteger(index) ||
      index < first ||
      index > last ||
      start < bounds.start ||
      start >= bounds.end
    ) {
      return notFound("No such measurement.");
    }
    return cycleMeasurement(context, historyOf(context), index);
  });
}
