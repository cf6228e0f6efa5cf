/**
 * The MoSAPI path grammar the simulator serves: `/<ry|rr>/<id>/login`, `/<ry|rr>/<id>/logout`
 * and `/<ry|rr>/<id>/v<N>/<resource…>` (docs/mosapi.md#hosts-and-paths, #endpoints). Versioned resources are one
 * table (state, alarmed, downtime, incidents and their measurements, METRICA), one row per
 * endpoint; the same table names the endpoint kind that accounting and logs use.
 */
import type { Entity } from "../mosapi/target.js";
import { metricaDateResource, metricaLatestResource, metricaListsResource } from "./metrica.js";
import type { ScenarioTarget } from "./scenario.js";
import {
  alarmedResource,
  downtimeResource,
  falsePositiveResource,
  incidentResource,
  incidentsResource,
  measurementResource,
  measurementsResource,
} from "./service-resources.js";
import { stateBody, type ApiVersion } from "./state.js";
import {
  recentDayResource,
  recentListingResource,
  recentMeasurementResource,
} from "./recent-measurements.js";
import { traceDayResource, traceFileResource, traceListingResource } from "./traces.js";

/** A request path split into target and the segments after it. */
export interface MosapiPath {
  readonly entity: Entity;
  readonly id: string;
  /** `ry/example`, as in scenario target lists. */
  readonly targetKey: string;
  readonly rest: readonly string[];
}

/** What a versioned resource is given to answer. */
export interface ResourceRequest {
  readonly target: ScenarioTarget;
  readonly version: ApiVersion;
  /** Scenario epoch and current time, Unix seconds. */
  readonly epoch: number;
  readonly now: number;
  /** Values of the `:name` segments of the pattern. */
  readonly params: Readonly<Record<string, string>>;
  /** Query parameters (the first value of each). */
  readonly query: Readonly<Record<string, string>>;
}

/** A JSON answer, or raw bytes. */
export interface ResourceResponse {
  readonly status: number;
  readonly body: unknown;
  /** Sent as is instead of `body` as JSON (a `.json.gz` file); `headers` say what it is. */
  readonly raw?: Buffer;
  /** Extra response headers (e.g. `Last-Modified` on METRICA reports). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One versioned endpoint. */
export interface VersionedResource {
  /** Endpoint kind for accounting (`state`, `alarmed`, `metrica-latest`, …). */
  readonly kind: string;
  readonly versions: readonly ApiVersion[];
  /** Segments after `v<N>`; `:name` matches any one segment. */
  readonly pattern: readonly string[];
  respond(request: ResourceRequest): ResourceResponse;
}

const INCIDENT = ["monitoring", ":service", "incidents", ":incidentID"] as const;
const RECENT = ["monitoring", ":service", "measurements"] as const;
const TRACES = ["networkTroubleshooting", "mtr"] as const;

/**
 * Every versioned endpoint the simulator serves; the first matching pattern wins (so
 * `domainList/latest` comes before `domainList/:date`).
 */
export const VERSIONED_RESOURCES: readonly VersionedResource[] = [
  {
    kind: "state",
    versions: [1, 2],
    pattern: ["monitoring", "state"],
    respond: ({ target, version, epoch, now }) => ({
      status: 200,
      body: stateBody(target, version, epoch, now),
    }),
  },
  {
    kind: "alarmed",
    versions: [1, 2],
    pattern: ["monitoring", ":service", "alarmed"],
    respond: alarmedResource,
  },
  {
    kind: "downtime",
    versions: [1, 2],
    pattern: ["monitoring", ":service", "downtime"],
    respond: downtimeResource,
  },
  {
    kind: "incidents",
    versions: [1, 2],
    pattern: ["monitoring", ":service", "incidents"],
    respond: incidentsResource,
  },
  { kind: "incident", versions: [1, 2], pattern: INCIDENT, respond: incidentResource },
  {
    kind: "falsePositive",
    versions: [1, 2],
    pattern: [...INCIDENT, "falsePositive"],
    respond: falsePositiveResource,
  },
  {
    kind: "measurements",
    versions: [1, 2],
    pattern: [...INCIDENT, "measurements"],
    respond: measurementsResource,
  },
  {
    kind: "measurement",
    versions: [1, 2],
    pattern: [...INCIDENT, "measurements", ":measurementID"],
    respond: measurementResource,
  },
  { kind: "recent-listing", versions: [1, 2], pattern: RECENT, respond: recentListingResource },
  {
    kind: "recent-listing",
    versions: [1, 2],
    pattern: [...RECENT, ":year"],
    respond: recentListingResource,
  },
  {
    kind: "recent-listing",
    versions: [1, 2],
    pattern: [...RECENT, ":year", ":month"],
    respond: recentListingResource,
  },
  {
    kind: "recent-day",
    versions: [1, 2],
    pattern: [...RECENT, ":year", ":month", ":day"],
    respond: recentDayResource,
  },
  {
    kind: "recent-measurement",
    versions: [1, 2],
    pattern: [...RECENT, ":year", ":month", ":day", ":measurementID"],
    respond: recentMeasurementResource,
  },
  { kind: "trace-listing", versions: [2], pattern: TRACES, respond: traceListingResource },
  {
    kind: "trace-listing",
    versions: [2],
    pattern: [...TRACES, ":year"],
    respond: traceListingResource,
  },
  {
    kind: "trace-listing",
    versions: [2],
    pattern: [...TRACES, ":year", ":month"],
    respond: traceListingResource,
  },
  {
    kind: "trace-day",
    versions: [2],
    pattern: [...TRACES, ":year", ":month", ":day"],
    respond: traceDayResource,
  },
  {
    kind: "trace-file",
    versions: [2],
    pattern: [...TRACES, ":year", ":month", ":day", ":file"],
    respond: traceFileResource,
  },
  {
    kind: "metrica-latest",
    versions: [2],
    pattern: ["metrica", "domainList", "latest"],
    respond: metricaLatestResource,
  },
  {
    kind: "metrica-date",
    versions: [2],
    pattern: ["metrica", "domainList", ":date"],
    respond: metricaDateResource,
  },
  {
    kind: "metrica-lists",
    versions: [2],
    pattern: ["metrica", "domainLists"],
    respond: metricaListsResource,
  },
];

/** Splits `/<ry|rr>/<id>/…`; undefined for any other path (or a malformed escape). */
export function parseMosapiPath(path: string): MosapiPath | undefined {
  const segments = path.split("/").slice(1);
  const [entity, rawId, ...rest] = segments;
  if ((entity !== "ry" && entity !== "rr") || rawId === undefined || rawId === "") return undefined;
  try {
    const id = decodeURIComponent(rawId);
    return { entity, id, targetKey: `${entity}/${id}`, rest: rest.map(decodeURIComponent) };
  } catch {
    return undefined;
  }
}

/** `v2` → 2; undefined for anything the simulator does not serve. */
export function parseVersion(segment: string | undefined): ApiVersion | undefined {
  if (segment === "v1") return 1;
  if (segment === "v2") return 2;
  return undefined;
}

/** The resource whose pattern matches `segments` (after the version), with its parameters. */
export function matchResource(
  segments: readonly string[],
): { resource: VersionedResource; params: Record<string, string> } | undefined {
  for (const resource of VERSIONED_RESOURCES) {
    if (resource.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = resource.pattern.every((part, i) => {
      const segment = segments[i] ?? "";
      if (part.startsWith(":")) {
        params[part.slice(1)] = segment;
        return segment !== "";
      }
      return part === segment;
    });
    if (matches) return { resource, params };
  }
  return undefined;
}

/** Endpoint kind of a request path: `login`, `logout`, a resource kind, or `other`. */
export function endpointKind(path: string): string {
  const parsed = parseMosapiPath(path);
  if (parsed === undefined) return "other";
  const [first, ...after] = parsed.rest;
  if ((first === "login" || first === "logout") && after.length === 0) return first;
  if (parseVersion(first) === undefined) return "other";
  return matchResource(after)?.resource.kind ?? "other";
}
