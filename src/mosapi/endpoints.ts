/**
 * Pure builders for MoSAPI request paths (docs/mosapi.md#hosts-and-paths, #endpoints). No I/O.
 *
 * Data endpoints are versioned (`/<ry|rr>/<id>/v<version>/<resource>`); login and logout sit one
 * level above the version (`/<ry|rr>/<id>/login`). Every path segment is percent-encoded, so an
 * id or resource segment can never add segments, a query or a fragment of its own.
 */
import type { Target } from "./target.js";

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
 * `/<entity>/<id>/v<version>/<resource>[?query]`. `resource` is slash-separated
 * (`monitoring/dns/alarmed`); each of its segments is encoded on its own.
 *
 * @throws TypeError for a version that is not a positive integer or an empty, `.` or `..` segment.
 */
export function versionedPath(
  target: Pick<Target, "entity" | "id">,
  version: number,
  resource: string,
  query?: Readonly<Record<string, string>>,
): string {
  if (!Number.isInteger(version) || version < 1) {
    throw new TypeError(`invalid MoSAPI version ${String(version)}`);
  }
  const segments = resource.split("/").map(encodeSegment).join("/");
  const search = query === undefined ? "" : new URLSearchParams(query).toString();
  return `${targetBase(target)}/v${version}/${segments}${search === "" ? "" : `?${search}`}`;
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
