/**
 * Domain METRICA (docs/mosapi.md#domain-metrica): `metrica/domainList/latest`, `metrica/domainList/<date>`
 * and `metrica/domainLists`. Reports are daily (UTC); the latest covers yesterday in simulated
 * time and each is generated at the following midnight. Their contents come from the target's
 * `metrica` data: the same counts every day, domains `abuse-<n>.<tld>` numbered across threat
 * types (at most 20 listed per type, while `count` stays the full number).
 */
import { badRequest, notFound, ok } from "./answers.js";
import type { ResourceRequest, ResourceResponse } from "./endpoints.js";
import type { MetricaSpec, MetricaThreats, ScenarioTarget } from "./scenario.js";

const DAY_SECONDS = 86_400;
/** Longest `domainLists` range: more is 400 2011. */
export const MAX_RANGE_DAYS = 31;
/** Most domains a report lists per threat type. */
export const MAX_LISTED_DOMAINS = 20;
/** Days of reports a target keeps when its scenario does not say. */
export const DEFAULT_HISTORY_DAYS = 60;
/** Threat types in report order. */
const THREAT_TYPES: readonly (keyof MetricaThreats)[] = ["spam", "phishing", "botnetCc", "malware"];

/** `YYYY-MM-DD` of a day number (days since 1970-01-01 UTC). */
function dateOf(day: number): string {
  return new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, 10);
}

/** The day number of a `YYYY-MM-DD` calendar date; undefined for anything else. */
function parseDate(text: string | undefined): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (match === null) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  const day = ms / (DAY_SECONDS * 1000);
  return Number.isInteger(day) && dateOf(day) === text ? day : undefined;
}

/** The target's METRICA data when enabled. */
function enabledMetrica(target: ScenarioTarget): MetricaSpec | undefined {
  return target.metrica?.enabled === true ? target.metrica : undefined;
}

/** First and last day with a report at `now`. */
function reportDays(spec: MetricaSpec, now: number): { first: number; last: number } {
  const last = Math.floor(now / DAY_SECONDS) - 1;
  return { first: last - (spec.historyDays ?? DEFAULT_HISTORY_DAYS) + 1, last };
}

/** `tld` for registries, numeric `ianaId` for registrars. */
function ownerMember(target: ScenarioTarget): Record<string, string | number> {
  return target.entity === "ry" ? { tld: target.id } : { ianaId: Number(target.id) };
}

/** When the report for `day` was generated: the following midnight UTC. */
function generatedAt(day: number): Date {
  return new Date((day + 1) * DAY_SECONDS * 1000);
}

function reportResponse(target: ScenarioTarget, spec: MetricaSpec, day: number): ResourceResponse {
  const suffix = target.entity === "ry" ? target.id : "example";
  let next = 1;
  const domainListData = THREAT_TYPES.map((threatType) => {
    const count = spec.threats[threatType];
    const listed = Math.min(Math.max(count, 0), MAX_LISTED_DOMAINS);
    const domains = Array.from({ length: listed }, (_, i) => `abuse-${next + i}.${suffix}`);
    next += Math.max(count, 0);
    return { threatType, count, domains };
  });
  const body = {
    version: 2,
    ...ownerMember(target),
    domainListDate: dateOf(day),
    uniqueAbuseDomains: next - 1,
    domainListData,
  };
  return ok(body, { "Last-Modified": generatedAt(day).toUTCString() });
}

const NOT_ENABLED = "Domain METRICA is not enabled for this TLD or registrar.";

/** `metrica/domainList/latest`: yesterday's report; 404 when METRICA is not enabled. */
export function metricaLatestResource(request: ResourceRequest): ResourceResponse {
  const spec = enabledMetrica(request.target);
  if (spec === undefined) return notFound(NOT_ENABLED);
  return reportResponse(request.target, spec, reportDays(spec, request.now).last);
}

/** `metrica/domainList/<YYYY-MM-DD>`: 400 2013 for a malformed date, 404 without a report. */
export function metricaDateResource(request: ResourceRequest): ResourceResponse {
  const spec = enabledMetrica(request.target);
  if (spec === undefined) return notFound(NOT_ENABLED);
  const day = parseDate(request.params["date"]);
  if (day === undefined) return badRequest("2013", "The date must be a YYYY-MM-DD calendar date.");
  const { first, last } = reportDays(spec, request.now);
  if (day < first || day > last) return notFound(`No report for ${dateOf(day)}.`);
  return reportResponse(request.target, spec, day);
}

/**
 * `metrica/domainLists[?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD]`: the reports in the range,
 * oldest first. `endDate` defaults to yesterday, `startDate` to 30 days before `endDate`.
 * 400 2013 / 2014 for a malformed start / end, 2012 for an end before the start, 2011 for more
 * than 31 days between them.
 */
export function metricaListsResource(request: ResourceRequest): ResourceResponse {
  const spec = enabledMetrica(request.target);
  if (spec === undefined) return notFound(NOT_ENABLED);
  const { startDate, endDate } = request.query;
  const start = parseDate(startDate);
  const end = parseDate(endDate);
  if (startDate !== undefined && start === undefined) {
    return badRequest("2013", "startDate must be a YYYY-MM-DD calendar date.");
  }
  if (endDate !== undefined && end === undefined) {
    return badRequest("2014", "endDate must be a YYYY-MM-DD calendar date.");
  }
  const { first, last } = reportDays(spec, request.now);
  const to = end ?? last;
  const from = start ?? to - (MAX_RANGE_DAYS - 1);
  if (to < from) return badRequest("2012", "endDate is before startDate.");
  if (to - from > MAX_RANGE_DAYS) {
    return badRequest("2011", `endDate is more than ${MAX_RANGE_DAYS} days after startDate.`);
  }
  const domainLists = [];
  for (let day = Math.max(from, first); day <= Math.min(to, last); day++) {
    domainLists.push({
      domainListDate: dateOf(day),
      domainListGenerationDate: generatedAt(day).toISOString().replace(".000Z", "Z"),
    });
  }
  return ok({ version: 2, ...ownerMember(request.target), domainLists });
}
