/**
 * Schemas for the per-service monitoring endpoints besides `state` (docs/mosapi.md#endpoints):
 * `alarmed`, `downtime`, and the measurement lists (incident measurements, §2 row 9, and recent
 * measurements of a day, row 19). Lenient per part like models.ts: unknown fields are stripped,
 * values are matched case-insensitively; the core of each answer (the `alarmed` value, the
 * `downtime` minutes, the list of measurements) must be usable, anything else odd is noted as
 * an oddity and costs only itself.
 */
import { z } from "zod";
import { isPathSegment, unixSeconds } from "./models.js";
import { fallback, noteOddity, partsList, partsObject } from "./oddities.js";

/** Values of `alarmed`: `Yes`/`No`/`Disabled` in any case; anything else is `unknown`. */
export const ALARMED_VALUES = ["yes", "no", "disabled", "unknown"] as const;
export type Alarmed = (typeof ALARMED_VALUES)[number];

function toAlarmed(raw: string): Alarmed {
  const lower = raw.trim().toLowerCase();
  return ALARMED_VALUES.find((value) => value === lower) ?? "unknown";
}

/**
 * `GET …/monitoring/<svc>/alarmed` (§3.1): `Yes` when the latest incident is active and not a
 * false positive. An unrecognised value is `unknown`, never `no`.
 */
export const alarmedResponseSchema = partsObject({
  lastUpdateApiDatabase: fallback(unixSeconds, undefined, { expected: true }),
  alarmed: z.string(),
}).transform((raw) => {
  const alarmed = toAlarmed(raw.alarmed);
  if (alarmed === "unknown" && raw.alarmed.trim().toLowerCase() !== "unknown") {
    noteOddity("unknown_value", "alarmed");
  }
  return { lastUpdateApiDatabase: raw.lastUpdateApiDatabase, alarmed };
});
export type AlarmedResponse = z.output<typeof alarmedResponseSchema>;

/** Whole minutes: a non-negative integer, or a string of digits. */
const minutes = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+\s*$/)
      .transform(Number),
  ])
  .pipe(z.number().int().nonnegative());

/**
 * `GET …/monitoring/<svc>/downtime` (§3.1): minutes of downtime in the rolling week, as
 * `downtimeMinutes`. A negative or fractional `downtime` is a schema error.
 */
export const downtimeResponseSchema = partsObject({
  lastUpdateApiDatabase: fallback(unixSeconds, undefined, { expected: true }),
  downtime: minutes,
}).transform((raw) => ({
  lastUpdateApiDatabase: raw.lastUpdateApiDatabase,
  downtimeMinutes: raw.downtime,
}));
export type DowntimeResponse = z.output<typeof downtimeResponseSchema>;

/** One listed measurement: its ID exactly as listed (`1611252480.2.json` keeps `.json`). */
export interface MeasurementRef {
  id: string;
  /** Unix seconds of the measured cycle, when the list says so. */
  cycleTime?: number;
}

/** IDs are strings in the spec; a JSON number (`1611252480.2`) is tolerated. */
const measurementId = z
  .union([z.string().min(1), z.number().transform(String)])
  .refine(isPathSegment, { message: "not usable as a path segment" });

const measurementObject = z
  .object({
    measurementID: measurementId.optional(),
    measurementId: measurementId.optional(),
    id: measurementId.optional(),
    cycleCalculationDateTime: unixSeconds.optional(),
    measurementTime: unixSeconds.optional(),
  })
  .transform((raw, ctx): MeasurementRef => {
    const id = raw.measurementID ?? raw.measurementId ?? raw.id;
    if (id === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "measurement has no measurementID, measurementId or id",
      });
      return z.NEVER;
    }
    const cycleTime = raw.cycleCalculationDateTime ?? raw.measurementTime;
    return cycleTime === undefined ? { id } : { id, cycleTime };
  });

/** A bare ID is read as `{id}`, so every item has one schema and one set of messages. */
const measurementItem = z.preprocess(
  (value) => (typeof value === "string" || typeof value === "number" ? { id: value } : value),
  measurementObject,
);

/**
 * A list of measurements (§2 rows 9 and 19). The incident-measurement list is unconfirmed
 * (§9 item 3), so every plausible shape is accepted: `{measurements: [...]}` or a bare array,
 * whose items are IDs (`"1611252480.json"`) or objects with `measurementID`, `measurementId` or
 * `id` (first present wins) and optionally `cycleCalculationDateTime` or `measurementTime`.
 */
export const measurementListSchema = z.preprocess(
  (value) => (Array.isArray(value) ? { measurements: value } : value),
  // One measurement per cycle: 100,000 DNS cycles are more than two months of incident. The
  // list is the answer's core; an item without an ID costs only itself.
  partsObject({
    measurements: partsList(measurementItem, 100_000, {
      required: true,
      // A day listing is a thousand bare IDs (one per DNS cycle): read them without zod.
      quick: (raw) => (typeof raw === "string" && isPathSegment(raw) ? { id: raw } : undefined),
    }),
  }),
);
export type MeasurementList = z.output<typeof measurementListSchema>;

/** The Unix seconds an ID starts with (`1611252480.2.json` → 1611252480), if any. */
function leadingTimestamp(id: string): number | undefined {
  const match = /^(\d{1,11})(?:\.|$)/.exec(id);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * The ID of the newest measurement of `list`: each entry is dated by its `cycleTime`, else by
 * the Unix timestamp its ID starts with; the latest date wins (on a tie, the later entry). When
 * no entry can be dated, the last entry. Undefined for an empty list.
 */
export function latestMeasurementId(list: MeasurementList): string | undefined {
  let latest: { id: string; time: number } | undefined;
  for (const entry of list.measurements) {
    const time = entry.cycleTime ?? leadingTimestamp(entry.id);
    if (time !== undefined && (latest === undefined || time >= latest.time)) {
      latest = { id: entry.id, time };
    }
  }
  return latest?.id ?? list.measurements.at(-1)?.id;
}
