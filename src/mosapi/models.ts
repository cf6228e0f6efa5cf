/**
 * Schemas for MoSAPI response bodies, validated once at the boundary (docs/mosapi.md#state).
 *
 * Lenient by contract, per part (docs/mosapi.md#odd-parts-of-answers): unknown fields are stripped, status strings are
 * matched case-insensitively (SLAM writes `Up-inconclusive-no-data`, the spec
 * `UP-inconclusive-no-data`), an unrecognised status becomes `unknown` (never "up"), Disabled
 * services carry no numbers, RDAP may be missing, registrars carry `registrarID` instead of
 * `tld`. An odd part (a service, an incident, a field) is dropped or defaulted and noted as an
 * oddity (oddities.ts); only an answer without its core (the overall `status`) is a schema
 * error: the caller keeps its last good data and counts `invalid_response`.
 */
import { z } from "zod";
import { fallback, noteOddity, partsList, partsMap, partsObject } from "./oddities.js";

/** MoSAPI services, lower-case as in URL paths and our `service_type` label. */
export const SERVICE_TYPES = ["dns", "dnssec", "rdds", "rdap", "epp"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** Values of `mosapi_status{status}`. */
export const OVERALL_STATUSES = ["up", "down", "up-inconclusive", "unknown"] as const;

/** Values of `mosapi_service_status{status}`. */
export const SERVICE_STATUSES = [
  "up",
  "down",
  "disabled",
  "up-inconclusive-no-data",
  "up-inconclusive-no-probes",
  "up-inconclusive-reconfig",
  "unknown",
] as const;

function matchStatus<T extends string>(known: readonly T[], raw: string): T | "unknown" {
  const lower = raw.trim().toLowerCase();
  return known.find((k) => k === lower) ?? "unknown";
}

/**
 * An array of at most `max` items. The length is checked before any item is parsed: zod makes
 * one issue per bad item, so a body of millions of bad items (still under the response size
 * cap) would otherwise cost seconds of blocked event loop and gigabytes of memory.
 */
export function boundedArray<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess((value, ctx) => {
    if (Array.isArray(value) && value.length > max) {
      ctx.addIssue({ code: "custom", message: `too many items: ${value.length}, at most ${max}` });
      return z.NEVER;
    }
    return value;
  }, z.array(item));
}

/** Unix seconds; MoSAPI sends integers, a numeric string is tolerated. */
export const unixSeconds = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().nonnegative().max(1e11));

/** A float that may arrive as a JSON number or a numeric string (`"10.0000"`). */
const decimal = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number());

/**
 * An upstream identifier the client puts into a path as one encoded segment: `.` and `..` are
 * the only values encoding cannot make harmless (URL parsers treat even `%2E%2E` as `..`).
 */
export function isPathSegment(id: string): boolean {
  return id !== "" && id !== "." && id !== "..";
}

/** Identifiers that are strings in the spec but have been seen as numbers. */
const idString = z
  .union([z.string().min(1), z.number().int().transform(String)])
  .refine(isPathSegment, { message: "not usable as a path segment" });

/** Values of an incident's `state`; anything but Active/Resolved is `unknown` (see below). */
export const INCIDENT_STATES = ["active", "resolved", "unknown"] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/**
 * One incident. `incidentID` and `startTime` are its core: without them it is dropped (an
 * oddity). The state is the `state` field when it is Active or Resolved (any case); when the
 * field is absent, `endTime` decides (null = active, as SLAM sets them). Any other `state`
 * value is `unknown` (an oddity): neither active nor resolved, whatever `endTime` says — we do
 * not guess which way a state we do not know leans.
 */
export const incidentSchema = partsObject({
  incidentID: idString,
  startTime: unixSeconds,
  endTime: fallback(unixSeconds.nullable(), null),
  falsePositive: fallback(z.boolean(), false),
  state: fallback(z.string(), undefined),
}).transform((raw) => {
  const endTime = raw.endTime;
  const named = raw.state?.trim().toLowerCase();
  let state: IncidentState;
  if (named === undefined) state = endTime === null ? "active" : "resolved";
  else if (named === "active" || named === "resolved") state = named;
  else {
    noteOddity("unknown_value", "state");
    state = "unknown";
  }
  return {
    incidentId: raw.incidentID,
    startTime: raw.startTime,
    endTime,
    falsePositive: raw.falsePositive,
    state,
  };
});
export type Incident = z.output<typeof incidentSchema>;

/**
 * One service of `testedServices`. A missing or non-string `status` is `unknown` (an oddity),
 * as is a status we do not know; a bad `emergencyThreshold` is left out; `incidents` absent,
 * `null` or `[]` mean none, and a bad incident costs only itself.
 */
export const serviceStateSchema = partsObject({
  status: fallback(z.string(), undefined, { expected: true }),
  emergencyThreshold: fallback(decimal, undefined),
  // A rolling week holds a handful of incidents per service; 10,000 is far beyond any real one.
  incidents: partsList(incidentSchema, 10_000),
}).transform((raw) => {
  const status = raw.status === undefined ? "unknown" : matchStatus(SERVICE_STATUSES, raw.status);
  if (
    status === "unknown" &&
    raw.status !== undefined &&
    raw.status.trim().toLowerCase() !== "unknown"
  ) {
    noteOddity("unknown_value", "status");
  }
  return {
    status,
    rawStatus: raw.status ?? "unknown",
    // Disabled services carry only `status`; a number sent anyway is not shown for them.
    emergencyThreshold: status === "disabled" ? undefined : raw.emergencyThreshold,
    incidents: raw.incidents,
  };
});
export type ServiceState = z.output<typeof serviceStateSchema>;

/** JSON keys of `testedServices` are upper-case (`DNS`); matched case-insensitively. */
function serviceKey(raw: string): ServiceType | undefined {
  const lower = raw.toLowerCase();
  // A service we do not know (a future addition) is ignored, not odd.
  return SERVICE_TYPES.find((type) => type === lower);
}

/**
 * `GET /<ry|rr>/<id>/v2/monitoring/state` (docs/mosapi.md#state). Its core is the overall
 * `status` string: without it the answer is unusable. Everything else costs only itself:
 * `lastUpdateApiDatabase` may be missing (no data timestamp), `testedServices` may be missing,
 * `null` or `[]` (no services), and one bad service drops only that service.
 */
export const stateResponseSchema = partsObject({
  version: fallback(z.number().int(), undefined),
  lastUpdateApiDatabase: fallback(unixSeconds, undefined, { expected: true }),
  tld: fallback(z.string(), undefined),
  registrarID: fallback(idString, undefined),
  status: z.string(),
  testedServices: partsMap(serviceStateSchema, serviceKey, { expected: true }),
}).transform((raw) => {
  const status = matchStatus(OVERALL_STATUSES, raw.status);
  if (status === "unknown" && raw.status.trim().toLowerCase() !== "unknown") {
    noteOddity("unknown_value", "status");
  }
  const services: Partial<Record<ServiceType, ServiceState>> = {};
  for (const type of SERVICE_TYPES) {
    const service = raw.testedServices[type];
    if (service !== undefined) services[type] = service;
  }
  return {
    version: raw.version,
    lastUpdateApiDatabase: raw.lastUpdateApiDatabase,
    tld: raw.tld,
    registrarId: raw.registrarID,
    status,
    rawStatus: raw.status,
    services,
  };
});
export type StateResponse = z.output<typeof stateResponseSchema>;

/** 400 bodies: `{resultCode, message, description}`; `resultCode` seen as string and as number. */
export const errorBodySchema = z.object({
  resultCode: z.union([z.string(), z.number().transform(String)]).optional(),
  message: z.string().optional(),
  description: z.string().optional(),
});
export type ErrorBody = z.output<typeof errorBodySchema>;
