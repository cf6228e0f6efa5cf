/**
 * Odd parts of upstream answers (METRICS.md#odd-parts-of-answers): a `null` where a list
 * belongs, an empty map sent as `[]`, a service without a status, an incident without a start
 * time. Such a part costs only itself: it is dropped or defaulted, the rest of the answer is
 * used, and parsing reports an {@link Oddity} for it so the exporter can count, log and show it.
 *
 * The lenient schema builders here keep types flowing from zod: each validates one *part* on
 * its own (an object's field, a list's item, a map's entry) and, when the part is odd, notes
 * an oddity at its path instead of failing the whole answer. zod has no per-parse context and
 * parsing is synchronous, so the notes go to the recording opened by {@link recordOddities}
 * for the duration of one parse; outside a recording they are discarded.
 */
import { z } from "zod";

/**
 * What was odd about a part; the `reason` label of `mosapi_upstream_oddities_total`.
 * - `null_value`: `null` where a value, list or map belongs (read as "none");
 * - `array_for_map`: `[]` where an object belongs (PHP encodes an empty map so; read as empty);
 * - `missing_field`: a field we expect is absent (the part is dropped or the field defaulted);
 * - `wrong_type`: a value of the wrong type or format (the part is dropped or defaulted);
 * - `unknown_value`: a value outside the documented set (it becomes `unknown`).
 */
export const ODDITY_REASONS = [
  "null_value",
  "array_for_map",
  "missing_field",
  "wrong_type",
  "unknown_value",
] as const;
export type OddityReason = (typeof ODDITY_REASONS)[number];

/** One odd part of one answer. */
export interface Oddity {
  /** Endpoint template of the answer, e.g. `monitoring/state`. */
  readonly endpoint: string;
  readonly reason: OddityReason;
  /** Where, as a JSON path into the answer: `testedServices.RDAP.incidents[0].startTime`. */
  readonly path: string;
}

/** A step of a JSON path: an object key or an array index. */
type Step = string | number;

interface Recording {
  readonly at: Step[];
  readonly found: { reason: OddityReason; path: string }[];
}

/** At most this many oddities are kept per answer; a body full of odd parts is still one body. */
export const MAX_ODDITIES_PER_ANSWER = 100;

let recording: Recording | undefined;

/** `a.b[0].c`; a key that is not a plain identifier is quoted (`["x y"]`). */
export function formatPath(steps: readonly Step[]): string {
  let text = "";
  for (const step of steps) {
    if (typeof step === "number") text += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) text += text === "" ? step : `.${step}`;
    else text += `[${JSON.stringify(step.slice(0, 64))}]`;
  }
  return text === "" ? "(root)" : text;
}

/**
 * Runs `parse` (a synchronous zod parse) and returns its value with the oddities its lenient
 * parts noted, each at most once per path.
 */
export function recordOddities<T>(parse: () => T): {
  value: T;
  oddities: { reason: OddityReason; path: string }[];
} {
  const outer = recording;
  const current: Recording = { at: [], found: [] };
  recording = current;
  try {
    const value = parse();
    return { value, oddities: current.found };
  } finally {
    recording = outer;
  }
}

/** Notes an oddity at the current path plus `steps`; a no-op outside {@link recordOddities}. */
export function noteOddity(reason: OddityReason, ...steps: Step[]): void {
  if (recording === undefined || recording.found.length >= MAX_ODDITIES_PER_ANSWER) return;
  const path = formatPath([...recording.at, ...steps]);
  if (!recording.found.some((o) => o.path === path && o.reason === reason)) {
    recording.found.push({ reason, path });
  }
}

/**
 * Parses `value` with `schema` as the part at `step`: notes made inside carry its path, and
 * when the part fails its notes are withdrawn (the part as a whole is what was odd).
 */
function parsePart<S extends z.ZodType>(schema: S, value: unknown, step: Step) {
  const mark = recording?.found.length ?? 0;
  recording?.at.push(step);
  try {
    const result = schema.safeParse(value, { reportInput: true });
    if (!result.success && recording !== undefined) recording.found.length = mark;
    return result;
  } finally {
    recording?.at.pop();
  }
}

/** The reason a value that failed its schema is odd. */
function oddityOf(value: unknown): OddityReason {
  if (value === undefined) return "missing_field";
  if (value === null) return "null_value";
  return "wrong_type";
}

/**
 * Notes the dropped part at `step` by its first issue: the path of the odd field inside it
 * and what was odd there (`incidents[0].startTime`, `null_value`).
 */
function noteDropped(step: Step, error: z.ZodError): void {
  const issue = error.issues[0];
  const inner = (issue?.path ?? []).filter(
    (s): s is Step => typeof s === "string" || typeof s === "number",
  );
  noteOddity(oddityOf(issue?.input), step, ...inner);
}

/** Re-reports a part's issues under `step`, for a part whose failure fails its parent. */
function bubble(ctx: z.RefinementCtx, step: Step, error: z.ZodError): void {
  for (const issue of error.issues.slice(0, 10)) {
    ctx.addIssue({
      code: "custom",
      message: issue.message,
      path: [step, ...issue.path],
      input: issue.input,
    });
  }
}

type Shape = Record<string, z.ZodType>;
type ShapeOutput<S extends Shape> = { [K in keyof S]: z.output<S[K]> };

/**
 * An object whose fields are parsed one at a time, so that lenient fields below know their
 * path. A field that fails fails the object (use {@link fallback} for fields that may be odd);
 * unknown fields are ignored; anything but a plain object fails.
 */
export function partsObject<S extends Shape>(shape: S) {
  return z.unknown().transform((value, ctx): ShapeOutput<S> => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: "expected an object", input: value });
      return z.NEVER;
    }
    const input = value as Record<string, unknown>;
    const output: Record<string, unknown> = {};
    let failed = false;
    for (const [key, schema] of Object.entries(shape)) {
      const result = parsePart(schema, input[key], key);
      if (result.success) output[key] = result.data;
      else {
        failed = true;
        bubble(ctx, key, result.error);
      }
    }
    return failed ? z.NEVER : (output as ShapeOutput<S>);
  });
}

/**
 * A field that costs only itself: absent gives `otherwise` (an oddity only when `expected`),
 * `null` or a value `schema` rejects give `otherwise` and an oddity.
 */
export function fallback<S extends z.ZodType, F>(
  schema: S,
  otherwise: F,
  options: { expected?: boolean } = {},
) {
  return z.unknown().transform((value): z.output<S> | F => {
    if (value === undefined) {
      if (options.expected === true) noteOddity("missing_field");
      return otherwise;
    }
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    noteOddity(oddityOf(value));
    return otherwise;
  });
}

/**
 * A list whose items cost only themselves: an item `item` rejects is dropped (an oddity at its
 * index). Absent is empty (an oddity when `expected`); `null` is empty and an oddity; anything
 * else but an array is empty and an oddity. When `required` (the list is the answer's core),
 * absent and non-arrays other than `null` fail the parent instead. More than `max` items fail the parent: the cap protects memory, so it is
 * not lenient (zod makes one issue per bad item, see models.ts `boundedArray`).
 */
export function partsList<S extends z.ZodType>(
  item: S,
  max: number,
  options: {
    expected?: boolean;
    required?: boolean;
    /**
     * A fast path for the common shape of an item: what `item` would give for `raw`, or
     * `undefined` to parse `raw` with `item`. A zod parse per item costs about 1.6 kB of garbage
     * and 3.5 µs even for a plain string (measured on a day listing of 1,000 IDs, 1.6 MB and
     * 3.5 ms per answer), which at 1,000 TLDs was about half of what the exporter allocated.
     */
    quick?: (raw: unknown) => z.output<S> | undefined;
  } = {},
) {
  const { quick } = options;
  return z.unknown().transform((value, ctx): z.output<S>[] => {
    if (value === undefined) {
      if (options.required === true) {
        ctx.addIssue({ code: "custom", message: "expected an array", input: value });
        return z.NEVER;
      }
      if (options.expected === true) noteOddity("missing_field");
      return [];
    }
    if (!Array.isArray(value)) {
      if (value !== null && options.required === true) {
        ctx.addIssue({ code: "custom", message: "expected an array", input: value });
        return z.NEVER;
      }
      noteOddity(value === null ? "null_value" : "wrong_type");
      return [];
    }
    if (value.length > max) {
      ctx.addIssue({ code: "custom", message: `too many items: ${value.length}, at most ${max}` });
      return z.NEVER;
    }
    const items: z.output<S>[] = [];
    value.forEach((raw: unknown, index) => {
      const fast = quick?.(raw);
      if (fast !== undefined) {
        items.push(fast);
        return;
      }
      const result = parsePart(item, raw, index);
      if (result.success) items.push(result.data);
      else noteDropped(index, result.error);
    });
    return items;
  });
}

/**
 * A map whose entries cost only themselves: an entry `entry` rejects is dropped (an oddity at
 * its key). Keys are passed through `key` (e.g. lower-cased); a key it maps to `undefined` is
 * ignored (unknown services, a future addition, are not odd). Absent is empty and, when
 * `expected`, an oddity; `null` and `[]` are empty and an oddity; any other non-object is
 * empty and an oddity.
 */
export function partsMap<S extends z.ZodType, K extends string>(
  entry: S,
  key: (raw: string) => K | undefined,
  options: { expected?: boolean } = {},
) {
  return z.unknown().transform((value): Partial<Record<K, z.output<S>>> => {
    const entries: Partial<Record<K, z.output<S>>> = {};
    if (value === undefined) {
      if (options.expected === true) noteOddity("missing_field");
      return entries;
    }
    if (Array.isArray(value) && value.length === 0) {
      noteOddity("array_for_map");
      return entries;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      noteOddity(value === null ? "null_value" : "wrong_type");
      return entries;
    }
    for (const [raw, item] of Object.entries(value as Record<string, unknown>)) {
      const name = key(raw);
      if (name === undefined || entries[name] !== undefined) continue;
      const result = parsePart(entry, item, raw);
      if (result.success) entries[name] = result.data;
      else noteDropped(raw, result.error);
    }
    return entries;
  });
}
