/**
 * The exporter's version, read from its own package.json (one source of truth for npm, the
 * image and `mosapi_exporter_build_info`).
 */
import { readFileSync } from "node:fs";

/** `version` of package.json, e.g. `0.1.0`. */
export function packageVersion(): string {
  // Both src/version.ts (tests) and dist/version.js (built) sit one level below the package root.
  const raw = readFileSync(new URL("../package.json", import.meta.url), "utf8");
  const parsed = JSON.parse(raw) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "unknown";
}
