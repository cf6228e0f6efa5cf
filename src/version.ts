/**
 * The exporter's version, read from its own package.json (one source of truth for npm, the
 * image and `mosapi_exporter_build_info`).
 */
import { fs } from "./util/builtins.js";

/** What this build of the exporter is: `mosapi_exporter_build_info` and the pages' header. */
export interface BuildInfo {
  /** `version` of package.json. */
  readonly version: string;
  /** Source revision (`MOSAPI_EXPORTER_REVISION`), `unknown` when not set. */
  readonly revision: string;
  /** `process.version`, e.g. `v20.19.0`. */
  readonly nodeVersion: string;
}

/** `version` of package.json, e.g. `0.1.0`. */
export function packageVersion(): string {
  // Both src/version.ts (tests) and dist/version.js (built) sit one level below the package root.
  const raw = fs.readFileSync(new URL("../package.json", import.meta.url), "utf8");
  const parsed = JSON.parse(raw) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "unknown";
}
