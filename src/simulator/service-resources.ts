/**
 * The per-service monitoring endpoints besides `state` (docs/mosapi.md#endpoints):
 * `alarmed`, `downtime`, the incident list, one incident, its false-positive flag, its
 * measurement list and one measurement. All derive from the same SLAM arithmetic as `state`, so
 * `downtime` and `alarmed` always agree with `emergencyThreshold` and the incidents there.
 *
 * A service the target does not have (or RDAP in v1, which has no standalone RDAP) is 404;
 * a Disabled service answers `alarmed: "Disabled"` and 404 everywhere else, as SLAM writes no
 * other file for it.
 */
import { badRequest, notFound, ok } from "./answers.js";
import type { ResourceRequest, ResourceResponse } from "./endpoints.js";
import { measurementBody } from "./measurement.js";
import type { ServiceTimeline, SimService, StatusSpelling } from "./scenario.js";
import {
  cycleStatus,
  evaluateService,
  serviceHistory,
  type IncidentHistory,
  type ServiceHistory,
} from "./slam.js";
import { apiDatabaseTime } from "./state.js";

/** Most measurement IDs one incident's list returns (the latest ones): a day of DNS cycles. */
export const MAX_LISTED_MEASUREMENTS = 1440;

/** URL segments of the services (lower-case, docs/mosapi.md#hosts-and-paths). */
const SERVICE_SEGMENTS: Readonly<Record<string, SimService>> = {
  dns: "DNS",
  dnssec: "DNSSEC",
  rdds: "RDDS",
  rdap: "RDAP",
  epp: "EPP",
};

/** A monitored service of the requested target. */
export interface ServiceContext {
  readonly request: ResourceRequest;
  readonly service: SimService;
  readonly timeline: ServiceTimeline;
  readonly spelling: StatusSpelling;
  readonly disabled: boolean;
}

/** The service named by the `:service` segment, or undefined when the target has none. */
function serviceContext(request: ResourceRequest): ServiceContext | undefined {
  const segment = request.params["service"] ?? "";
  const service = Object.hasOwn(SERVICE_SEGMENTS, segment) ? SERVICE_SEGMENTS[segment] : undefined;
  if (service === undefined || (request.version === 1 && service === "RDAP")) return undefined;
  const { target } = request;
  const timeline = target.services[service];
  if (timeline === undefined) return undefined;
  return {
    request,
    service,
    timeline,
    spelling: timeline.statusSpelling ?? target.statusSpelling ?? "slam",
    disabled: target.overall === "Up-inconclusive" || timeline.disabled === true,
  };
}

/** `version` and `lastUpdateApiDatabase`, the head of every monitoring document. */
export function head(request: ResourceRequest) {
  return { version: request.version, lastUpdateApiDatabase: apiDatabaseTime(request.now) };
}

/** What SLAM derived for the context's service up to the request's `now`. */
export function historyOf(context: ServiceContext): ServiceHistory {
  const { request } = context;
  return serviceHistory(context.service, context.timeline, request.epoch, request.now);
}

/**
 * The measurement object of cycle `cycleIndex` of the context's service, as both an incident's
 * measurement and the recent-measurement tree serve it: one cycle, one answer.
 */
export function cycleMeasurement(
  context: ServiceContext,
  history: ServiceHistory,
  cycleIndex: number,
): ResourceResponse {
  const { request, service, timeline, spelling } = context;
  return ok(
    measurementBody({
      target: request.target,
      service,
      timeline,
      version: request.version,
      epoch: request.epoch,
      now: request.now,
      cycleIndex,
      status: cycleStatus(history, timeline, spelling, request.epoch, cycleIndex),
    }),
  );
}

/** Runs `answer` for an enabled service of the target; 404 otherwise. */
export function forEnabledService(
  request: ResourceRequest,
  answer: (context: ServiceContext) => ResourceResponse,
): ResourceResponse {
  const context = serviceContext(request);
  if (context === undefined) return notFound("No such service for this TLD or registrar.");
  if (context.disabled) return notFound("The service is not monitored (Disabled).");
  return answer(context);
}

/** Runs `answer` for the incident named by `:incidentID`; 404 when there is none. */
function forIncident(
  request: ResourceRequest,
  answer: (
    context: ServiceContext,
    incident: IncidentHistory,
    history: ServiceHistory,
  ) => ResourceResponse,
): ResourceResponse {
  return forEnabledService(request, (context) => {
    const history = historyOf(context);
    const id = request.params["incidentID"];
    const incident = history.incidents.find((h) => h.incident.incidentID === id);
    if (incident === undefined) return notFound("No such incident.");
    return answer(context, incident, history);
  });
}

/** `…/monitoring/<svc>/alarmed`: Yes iff the latest incident is active and not a false positive. */
export function alarmedResource(request: ResourceRequest): ResourceResponse {
  const context = serviceContext(request);
  if (context === undefined) return notFound("No such service for this TLD or registrar.");
  let alarmed = "Disabled";
  if (!context.disabled) {
    const latest = historyOf(context).incidents.at(-1)?.incident;
    alarmed = latest?.endTime === null && !latest.falsePositive ? "Yes" : "No";
  }
  return ok({ ...head(request), alarmed });
}

/** `…/monitoring/<svc>/downtime`: rolling-week downtime in whole minutes. */
export function downtimeResource(request: ResourceRequest): ResourceResponse {
  return forEnabledService(request, ({ service, timeline, spelling }) => {
    const report = evaluateService(service, timeline, spelling, request.epoch, request.now);
    return ok({ ...head(request), downtime: report.downtimeMinutes });
  });
}

/** A Unix-seconds query parameter: undefined when absent, null when malformed. */
function unixParameter(value: string | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  return /^\d{1,11}$/.test(value) ? Number(value) : null;
}

/**
 * `…/monitoring/<svc>/incidents[?startDate=<unix>&endDate=<unix>]`: without a range, the
 * incidents of the rolling week (as in `state`); with one, every incident overlapping it.
 * Malformed bounds answer 400 2013/2014, an end before the start 400 2012.
 */
export function incidentsResource(request: ResourceRequest): ResourceResponse {
  return forEnabledService(request, (context) => {
    const start = unixParameter(request.query["startDate"]);
    const end = unixParameter(request.query["endDate"]);
    if (start === null) return badRequest("2013", "startDate must be Unix seconds.");
    if (end === null) return badRequest("2014", "endDate must be Unix seconds.");
    if (start !== undefined && end !== undefined && end < start) {
      return badRequest("2012", "endDate is before startDate.");
    }
    const { service, timeline, spelling } = context;
    const incidents =
      start === undefined && end === undefined
        ? evaluateService(service, timeline, spelling, request.epoch, request.now).incidents
        : historyOf(context)
            .incidents.map((h) => h.incident)
            .filter(
              (i) => i.startTime <= (end ?? Infinity) && (i.endTime ?? Infinity) >= (start ?? 0),
            );
    return ok({ ...head(request), incidents });
  });
}

/** `…/incidents/<incidentID>`: the incident alone, in an `incidents` array. */
export function incidentResource(request: ResourceRequest): ResourceResponse {
  return forIncident(request, (_context, { incident }) =>
    ok({ ...head(request), incidents: [incident] }),
  );
}

/**
 * `…/incidents/<incidentID>/falsePositive`. `updateTime` is when the flag changed: for a false
 * positive the moment the incident opened, otherwise null (never changed).
 */
export function falsePositiveResource(request: ResourceRequest): ResourceResponse {
  return forIncident(request, (_context, { incident, openedAt }) =>
    ok({
      ...head(request),
      falsePositive: incident.falsePositive,
      updateTime: incident.falsePositive ? openedAt : null,
    }),
  );
}

/** `<cycleStart>.<eventNo>` */
function measurementId(cycleStart: number, incident: IncidentHistory): string {
  return `${cycleStart}.${incident.eventNo}`;
}

/**
 * `…/incidents/<incidentID>/measurements`: one entry per completed cycle of the incident, oldest
 * first, at most the latest `MAX_LISTED_MEASUREMENTS`.
 */
export function measurementsResource(request: ResourceRequest): ResourceResponse {
  return forIncident(request, (_context, incident, history) => {
    const cycle = history.rules.cycleSeconds;
    const first = Math.max(incident.firstCycle, incident.lastCycle - MAX_LISTED_MEASUREMENTS + 1);
    const measurements = [];
    for (let c = first; c <= incident.lastCycle; c++) {
      const cycleCalculationDateTime = c * cycle;
      measurements.push({
        measurementID: measurementId(cycleCalculationDateTime, incident),
        cycleCalculationDateTime,
      });
    }
    return ok({ ...head(request), measurements });
  });
}

/** `…/incidents/<incidentID>/measurements/<measurementID>`: one cycle's measurement object. */
export function measurementResource(request: ResourceRequest): ResourceResponse {
  return forIncident(request, (context, incident, history) => {
    const match = /^(\d{1,11})\.(\d+)$/.exec(request.params["measurementID"] ?? "");
    const cycleStart = Number(match?.[1]);
    const cycle = history.rules.cycleSeconds;
    const cycleIndex = cycleStart / cycle;
    if (
      match?.[2] !== String(incident.eventNo) ||
      !Number.isInteger(cycleIndex) ||
      cycleIndex < incident.firstCycle ||
      cycleIndex > incident.lastCycle
    ) {
      return notFound("No such measurement in this incident.");
    }
    return cycleMeasurement(context, history, cycleIndex);
  });
}
