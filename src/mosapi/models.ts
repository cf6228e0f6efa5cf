/**
 * Schemas for MoSAPI response bodies, validated once at the boundary (docs/mosapi.md#state).
 *
 * Lenient by contract: unknown fields are stripped, status strings are matched
 * case-insensitively (SLAM writes `Up-inconclusive-no-data`, the spec `UP-inconclusive-no-data`),
 * an unrecognised status becomes `unknown` (never "up"), Disabled services carry no numbers,
 * RDAP may be missing, registrars carry `registrarID` instead of `tld`. Wrong *types* (a string
 * where a timestamp belongs, a missing `testedServices`) are schema errors: the caller keeps its
 * last good data and counts `invalid_response`.
 */
import { z } from "zod";

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

export const incidentSchema = z
  .object({
    incidentID: idString,
    startTime: unixSeconds,
    endTime: unixSeconds.nullable().optional(),
    falsePositive: z.boolean().optional().default(false),
    state: z.string().optional(),
  })
  .transform((raw) => {
    const endTime = raw.endTime ?? null;
    const named = raw.state?.trim().toLowerCase();
    // Resolved iff endTime is set (docs/mosapi.md#incidents); the `state` string wins when it is one we know.
    const state: "active" | "resolved" =
      named === "active" || named === "resolved" ? named : endTime === null ? "active" : "resolved";
    return {
      incidentId: raw.incidentID,
      startTime: raw.startTime,
      endTime,
      falsePositive: raw.falsePositive,
      state,
    };
  });
export type Incident = z.output<typeof incidentSchema>;

export const serviceStateSchema = z
  .object({
    status: z.string(),
    emergencyThreshold: decimal.optional(),
    // A rolling week holds a handful of incidents per service; 10,000 is far beyond any real one.
    incidents: boundedArray(incidentSchema, 10_000).optional(),
  })
  .transform((raw) => {
    const status = matchStatus(SERVICE_STATUSES, raw.status);
    return {
      status,
      rawStatus: raw.status,
      // Disabled services carry only `status`; a number sent anyway is not shown for them.
      emergencyThreshold: status === "disabled" ? undefined : raw.emergencyThreshold,
      incidents: raw.incidents ?? [],
    };
  });
export type ServiceState = z.output<typeof serviceStateSchema>;

/** JSON keys of `testedServices` are upper-case (`DNS`); matched case-insensitively. */
const testedServicesSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]))
      : value,
  // A service we do not know (a future addition) is stripped, not an error.
  z.object({
    dns: serviceStateSchema.optional(),
    dnssec: serviceStateSchema.optional(),
    rdds: serviceStateSchema.optional(),
    rdap: serviceStateSchema.optional(),
    epp: serviceStateSchema.optional(),
  }),
);

/** `GET /<ry|rr>/<id>/v2/monitoring/state` (docs/mosapi.md#state). */
export const stateResponseSchema = z
  .object({
    version: z.number().int().optional(),
    lastUpdateApiDatabase: unixSeconds,
    tld: z.string().optional(),
    registrarID: idString.optional(),
    status: z.string(),
    testedServices: testedServicesSchema,
  })
  .transform((raw) => {
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
      status: matchStatus(OVERALL_STATUSES, raw.status),
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
