/**
 * Every MoSAPI path the exporter knows, in one table (docs/mosapi.md#endpoints), and the pure
 * builders that turn a table entry into a request path. No I/O.
 *
 * Data endpoints are versioned (`/<ry|rr>/<id>/v<version>/<resource>`); login and logout sit one
 * level above the version (`/<ry|rr>/<id>/login`). Templates hold `{name}` placeholders; each is
 * filled with one value encoded as a single path segment, so an upstream id can never add
 * segments, a query or a fragment of its own (docs/mosapi.md#hosts-and-paths).
 */
import type { Target } from "./target.js";

/**
 * The data endpoints, by name. The template is also the endpoint's low-cardinality label
 * (`mosapi_requests_total{endpoint}`) and names it in errors and logs: it never holds an id.
 */
export const ENDPOINTS = {
  state: "monitoring/state",
  alarmed: "monitoring/{service}/alarmed",
  downtime: "monitoring/{service}/downtime",
  incidentMeasurements: "monitoring/{service}/incidents/{incident}/measurements",
  incidentMeasurement: "monitoring/{service}/incidents/{incident}/measurements/{measurement}",
  metricaLatest: "metrica/domainList/latest",
  metricaByDate: "metrica/domainList/{date}",
  metricaList: "metrica/domainLists",
  /** Recent measurements (every cycle, not only incidents): one day's measurement files. */
  measurementDay: "monitoring/{service}/measurements/{year}/{month}/{day}",
  measurementFile: "monitoring/{service}/measurements/{year}/{month}/{day}/{measurement}",
  /** Probe-network traces (mtr); SLAM's file layout is known, the HTTP paths are inferred. */
  traceDay: "networkTroubleshooting/mtr/{year}/{month}/{day}",
  traceFile: "networkTroubleshooting/mtr/{year}/{month}/{day}/{file}",
} as const;

/** The name of a data endpoint in {@link ENDPOINTS}. */
export type EndpointName = keyof typeof ENDPOINTS;

type Placeholders<T extends string> = T extends `${string}{${infer P}}${infer Rest}`
  ? P | Placeholders<Rest>
  : never;

/** The values an endpoint's template needs, one per `{placeholder}`. */
export type EndpointParams<N extends EndpointName> = Readonly<
  Record<Placeholders<(typeof ENDPOINTS)[N]>, string>
>;

function encodeSegment(segment: string): string {
  // `.` and `..` survive encodeURIComponent and would walk up the path.
  if (segment === "" || segment === "." || segment === "..") {
    throw new TypeError(`invalid MoSAPI path segment ${JSON.stringify(segment)}`);
  }
  return encodeURIComponent(segment);
}

/** `/<entity>/<id>`: the per-target prefix shared by every endpoint. */
function targetBase(target: Pick<Target, "entity" | "id">): string {
  return `/${encodeSegment(target.entity)}/${encodeSegment(target.id)}`;
}

/**
 * Checks a configured API version once, where the client is built.
 *
 * @throws TypeError for a version that is not a positive integer.
 */
export function assertVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`invalid MoSAPI version ${String(version)}`);
  }
}

/**
 * The resource part of endpoint `name` (`monitoring/dns/alarmed`), each placeholder filled with
 * its value as one encoded segment.
 *
 * @throws TypeError for an empty, `.` or `..` value.
 */
export function endpointResource<N extends EndpointName>(
  name: N,
  params: EndpointParams<N>,
): string {
  const values: Readonly<Record<string, string>> = params;
  return ENDPOINTS[name].replace(/\{(\w+)\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TypeError(`missing MoSAPI path parameter ${key}`);
    return encodeSegment(value);
  });
}

/**
 * `/<entity>/<id>/v<version>/<resource>[?query]` for endpoint `name`.
 *
 * @throws TypeError for an invalid version or an empty, `.` or `..` segment.
 */
export function endpointPath<N extends EndpointName>(
  target: Pick<Target, "entity" | "id">,
  version: number,
  name: N,
  params: EndpointParams<N>,
  query?: Readonly<Record<string, string>>,
): string {
  assertVersion(version);
  const search = query === undefined ? "" : new URLSearchParams(query).toString();
  return `${targetBase(target)}/v${version}/${endpointResource(name, params)}${search === "" ? "" : `?${search}`}`;
}

/** `/<entity>/<id>/login` (unversioned). */
export function loginPath(target: Pick<Target, "entity" | "id">): string {
  return `${targetBase(target)}/login`;
}

/** `/<entity>/<id>/logout` (unversioned). */
export function logoutPath(target: Pick<Target, "entity" | "id">): string {
  return `${targetBase(target)}/logout`;
}

/**
 * The base URL without trailing slashes, so `base + path` never doubles a slash.
 *
 * @throws TypeError when `url` is not an absolute http(s) URL without query or fragment.
 */
export function normalizeBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new TypeError(`MoSAPI URL must be http(s), got ${parsed.protocol}`);
  }
  if (
    parsed.search !== "" ||
    parsed.hash !== "" ||
    parsed.username !== "" ||
    parsed.password !== ""
  ) {
    throw new TypeError("MoSAPI URL must not carry credentials, a query or a fragment");
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}
