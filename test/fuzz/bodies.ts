/**
 * Hostile MoSAPI bodies for the fuzz tests: the endpoints the collectors read (with their real
 * schemas and fixtures), a corpus of named hostile classes, fast-check arbitraries for random
 * and mutated bodies, and the checks every outcome must pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import type { z } from "zod";
import type { MosapiClient } from "../../src/mosapi/client.js";
import { isMosapiError } from "../../src/mosapi/errors.js";
import { measurementSchema } from "../../src/mosapi/measurement.js";
import { metricaListSchema, metricaReportSchema } from "../../src/mosapi/metrica-models.js";
import { stateResponseSchema } from "../../src/mosapi/models.js";
import {
  alarmedResponseSchema,
  downtimeResponseSchema,
  measurementListSchema,
} from "../../src/mosapi/monitoring-models.js";
import type { Target } from "../../src/mosapi/target.js";

/** Fixed seed of every property in test/fuzz: a failure reproduces with the same inputs. */
export const FUZZ_SEED = 20261123;

/** One MoSAPI endpoint the collectors read: its resource, schema and fixtures. */
export interface FuzzEndpoint {
  readonly name: string;
  /** Resource below `/<ry|rr>/<id>/v2/`. */
  readonly resource: string;
  /** The client method that reads it. */
  readonly fetch: (client: MosapiClient, target: Target) => Promise<unknown>;
  readonly schema: z.ZodType;
  /** Fixture file names (`test/fixtures/mosapi`) that are bodies of this endpoint. */
  readonly fixturePrefix: RegExp;
}

export const ENDPOINTS: readonly FuzzEndpoint[] = [
  {
    name: "state",
    fetch: (client, target) => client.getState(target),
    resource: "monitoring/state",
    schema: stateResponseSchema,
    fixturePrefix: /^state-/,
  },
  {
    name: "alarmed",
    fetch: (client, target) => client.getAlarmed(target, "dns"),
    resource: "monitoring/dns/alarmed",
    schema: alarmedResponseSchema,
    fixturePrefix: /^alarmed-/,
  },
  {
    name: "downtime",
    fetch: (client, target) => client.getDowntime(target, "dns"),
    resource: "monitoring/dns/downtime",
    schema: downtimeResponseSchema,
    fixturePrefix: /^downtime-/,
  },
  {
    name: "measurement list",
    fetch: (client, target) => client.getIncidentMeasurements(target, "dns", "1.1"),
    resource: "monitoring/dns/incidents/1.1/measurements",
    schema: measurementListSchema,
    fixturePrefix: /^measurements-/,
  },
  {
    name: "measurement",
    fetch: (client, target) => client.getIncidentMeasurement(target, "dns", "1.1", "1.json"),
    resource: "monitoring/dns/incidents/1.1/measurements/1.json",
    schema: measurementSchema,
    fixturePrefix: /^measurement-/,
  },
  {
    name: "metrica report",
    fetch: (client, target) => client.getMetricaLatest(target),
    resource: "metrica/domainList/latest",
    schema: metricaReportSchema,
    fixturePrefix: /^metrica-report-/,
  },
  {
    name: "metrica list",
    fetch: (client, target) => client.getMetricaReports(target),
    resource: "metrica/domainLists",
    schema: metricaListSchema,
    fixturePrefix: /^metrica-list-/,
  },
];

const FIXTURE_DIR = new URL("../fixtures/mosapi/", import.meta.url);

/** Every fixture of `endpoint`, parsed JSON, by file name. */
export function fixturesOf(endpoint: FuzzEndpoint): [string, unknown][] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".json") && endpoint.fixturePrefix.test(file))
    .sort()
    .map((file) => [file, JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), "utf8")) as unknown]);
}

/** `GET` of `endpoint` for `target` through the real client. */
export function fetchEndpoint(
  client: MosapiClient,
  target: Target,
  endpoint: FuzzEndpoint,
): Promise<unknown> {
  return endpoint.fetch(client, target);
}

/** A body as sent: bytes plus the headers that go with them. */
export interface HostileBody {
  readonly body: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

function nest(depth: number, open: string, close: string, inner = "0"): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/**
 * Bodies that are never a valid answer of any endpoint, by class. Each must end in a counted
 * `invalid_response` and never cost the last good data.
 */
export function hostileCorpus(): [string, HostileBody][] {
  const text = (body: string, type = "application/json"): HostileBody => ({
    body: Buffer.from(body, "utf8"),
    headers: { "content-type": type },
  });
  const state = {
    version: 2,
    lastUpdateApiDatabase: 1735689600,
    status: "Up",
    testedServices: { DNS: { status: "Up", emergencyThreshold: 0, incidents: [] } },
  };
  const stateText = JSON.stringify(state);
  return [
    ["empty body", text("")],
    ["null", text("null")],
    ["true", text("true")],
    ["a bare number", text("1e308")],
    ["a bare string", text('"Up"')],
    // Not `[]`: a bare empty array is a valid (empty) measurement list.
    ["an empty object", text("{}")],
    ["an HTML error page", text("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")],
    ["an HTML page claiming JSON", text("<!doctype html><title>Login</title>")],
    ["truncated JSON", text(stateText.slice(0, stateText.length - 7))],
    ["JSON with trailing garbage", text(`${stateText}}`)],
    ["two JSON documents", text(`${stateText}\n${stateText}`)],
    ["JavaScript, not JSON", text("{version: 2, status: 'Up', testedServices: {}}")],
    ["NaN and Infinity literals", text('{"version": NaN, "lastUpdateApiDatabase": Infinity}')],
    ["invalid UTF-8 bytes", { body: Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0xc3, 0x28, 0x7d]) }],
    ["a UTF-16 body", { body: Buffer.from(`\uFEFF${stateText}`, "utf16le") }],
    ["NUL bytes", { body: Buffer.alloc(64, 0) }],
    ["10^4 nested arrays", text(nest(10_000, "[", "]"))],
    ["10^5 nested objects", text(nest(100_000, '{"a":', "}"))],
    [
      "10^4 nested arrays where incidents belong",
      text(
        JSON.stringify({
          ...state,
          testedServices: { DNS: { status: "Up", incidents: "@@" } },
        }).replace('"@@"', nest(10_000, "[", "]")),
      ),
    ],
    [
      "a 10^5-element array of wrong types",
      text(
        JSON.stringify({
          ...state,
          testedServices: { DNS: { status: "Up", incidents: new Array(100_000).fill(7) } },
        }),
      ),
    ],
    ["a 10^5-element top-level array", text(JSON.stringify(new Array(100_000).fill({})))],
    [
      "a timestamp of 1e308",
      text(JSON.stringify({ ...state, lastUpdateApiDatabase: 1e308, alarmed: "No", downtime: 0 })),
    ],
    [
      "numbers beyond double range (1e309)",
      text(
        stateText
          .replace('"lastUpdateApiDatabase":1735689600', '"lastUpdateApiDatabase":1e309')
          .replace("}", ',"alarmed":"No","downtime":1e309}'),
      ),
    ],
    [
      "a negative timestamp",
      text(JSON.stringify({ ...state, lastUpdateApiDatabase: -1, alarmed: "No", downtime: 0 })),
    ],
    [
      "NaN-ish strings",
      text(
        JSON.stringify({
          ...state,
          lastUpdateApiDatabase: "NaN",
          alarmed: "No",
          downtime: "Infinity",
        }),
      ),
    ],
    [
      "wrong types everywhere",
      text(
        JSON.stringify({
          version: "2",
          lastUpdateApiDatabase: [],
          status: {},
          testedServices: [],
          alarmed: 1,
          downtime: {},
          measurements: "x",
          domainListDate: 20260101,
          domainLists: {},
        }),
      ),
    ],
    [
      "duplicate keys, the last one wrong",
      text(`${stateText.slice(0, -1)},"lastUpdateApiDatabase":"soon","status":null}`),
    ],
  ];
}

/** A JSON path step: an object key or an array index. */
type Step = string | number;

/** Every path to a value inside `value` (the root excluded), depth first. */
function paths(value: unknown, prefix: Step[] = []): Step[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => [[...prefix, index], ...paths(item, [...prefix, index])]);
  }
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...paths(item, [...prefix, key]),
    ]);
  }
  return [];
}

/** A deep copy of `value` with the value at `path` replaced (`replace`) or removed (`undefined`). */
function edit(value: unknown, path: readonly Step[], replace: (old: unknown) => unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replace(value);
  if (Array.isArray(value)) {
    const copy = [...(value as unknown[])];
    const index = Number(head);
    const next = edit(copy[index], rest, replace);
    if (next === undefined && rest.length === 0) copy.splice(index, 1);
    else copy[index] = next;
    return copy;
  }
  if (value !== null && typeof value === "object") {
    const key = String(head);
    const next = edit((value as Record<string, unknown>)[key], rest, replace);
    const entries = Object.entries(value).filter(([k]) => k !== key);
    return Object.fromEntries(
      next === undefined && rest.length === 0 ? entries : [...entries, [key, next]],
    );
  }
  return value;
}

/** Values that break schemas: wrong types, extreme numbers, NaN-ish strings, nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    "",
    "NaN",
    "Infinity",
    "-0",
    "1e308",
    " 12 ",
    "Up\u0000",
    "<script>alert(1)</script>",
    1e308,
    -1e308,
    -0,
    -1,
    0.5,
    2 ** 53 + 1,
    Number.MAX_SAFE_INTEGER,
    [],
    {},
    [[[[[]]]]],
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
);

/** How a valid fixture is mutated; every mutation of a valid body is a plausible upstream bug. */
export type Mutation =
  | { readonly kind: "drop"; readonly at: number }
  | { readonly kind: "replace"; readonly at: number; readonly value: unknown }
  | { readonly kind: "wrap-array" }
  | { readonly kind: "wrap-object" }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "duplicate-key"; readonly value: unknown }
  | { readonly kind: "bom" }
  | { readonly kind: "raw-number"; readonly at: number; readonly literal: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant("wrap-array" as const) }),
  fc.record({ kind: fc.constant("wrap-object" as const) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate-key" as const), value: hostileValue }),
  fc.record({ kind: fc.constant("bom" as const) }),
  fc.record({
    kind: fc.constant("raw-number" as const),
    at: fc.nat(),
    literal: fc.constantFrom(
      "1e309",
      "-1e309",
      "1e308",
      "-0",
      "0.0000001",
      "123456789012345678901234",
    ),
  }),
);

/** The body text of `fixture` after `m`. */
export function mutate(fixture: unknown, m: Mutation): string {
  const all = paths(fixture);
  const pick = (at: number): Step[] | undefined => all[at % Math.max(1, all.length)];
  switch (m.kind) {
    case "drop": {
      const path = pick(m.at);
      return JSON.stringify(path ? edit(fixture, path, () => undefined) : fixture);
    }
    case "replace": {
      const path = pick(m.at);
      return JSON.stringify(path ? edit(fixture, path, () => m.value) : m.value);
    }
    case "wrap-array":
      return JSON.stringify([fixture]);
    case "wrap-object":
      return JSON.stringify({ data: fixture });
    case "truncate": {
      const text = JSON.stringify(fixture);
      return text.slice(0, m.at % text.length);
    }
    case "duplicate-key": {
      // JSON.parse keeps the last of duplicate keys: a hostile value after the real one wins.
      const text = JSON.stringify(fixture);
      const first = all.find((p) => p.length === 1 && typeof p[0] === "string");
      if (first === undefined || !text.startsWith("{")) return text;
      return `${text.slice(0, -1)},${JSON.stringify(first[0])}:${JSON.stringify(m.value)}}`;
    }
    case "bom":
      return `\uFEFF${JSON.stringify(fixture)}`;
    case "raw-number": {
      // Number literals JSON.stringify cannot write (1e309 parses as Infinity).
      const text = JSON.stringify(fixture);
      const numbers = [...text.matchAll(/(?<=[:[,])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)];
      const hit = numbers[m.at % Math.max(1, numbers.length)];
      if (hit?.index === undefined) return text;
      return text.slice(0, hit.index) + m.literal + text.slice(hit.index + hit[0].length);
    }
  }
}

/** True when every number inside `value` is finite (a parsed body must never carry NaN/±Infinity). */
export function allNumbersFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allNumbersFinite);
  if (value !== null && typeof value === "object") {
    return Object.values(value).every(allNumbersFinite);
  }
  return true;
}

/**
 * The check every fuzzed fetch must pass: a parsed value whose numbers are all finite, or a
 * MosapiError counted as `invalid_response` with a short, single-line message.
 * @returns "ok" or "invalid_response"
 * @throws an assertion-style Error describing what went wrong
 */
export function classify(outcome: PromiseSettledResult<unknown>): "ok" | "invalid_response" {
  if (outcome.status === "fulfilled") {
    if (!allNumbersFinite(outcome.value)) {
      throw new Error(`parsed value carries a non-finite number: ${String(outcome.value)}`);
    }
    return "ok";
  }
  const error: unknown = outcome.reason;
  if (!isMosapiError(error)) {
    throw new Error(`not a MosapiError: ${String(error)}`, { cause: error });
  }
  if (error.reason !== "invalid_response") {
    throw new Error(`reason ${error.reason}, expected invalid_response: ${error.message}`);
  }
  if (error.message.length > 1000 || error.message.includes("\n")) {
    throw new Error(`message too long or multi-line (${error.message.length} chars)`);
  }
  return "invalid_response";
}
