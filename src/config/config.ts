import type { CollectorName } from "../snapshot/names.js";
import type { Credential } from "../mosapi/credentials.js";
import type { Target } from "../mosapi/target.js";

/**
 * The exporter's configuration as loaded by `loadConfig`: validated, defaults filled in,
 * secrets resolved, deeply frozen. Nothing downstream sees raw YAML or `process.env`.
 * Never log it whole: `credentials` and `mosapi.tls.ca` hold file contents and passwords (use
 * `formatConfigCheck` for a redacted view).
 */
export interface Config {
  /** The config file path exactly as passed to `loadConfig`. */
  readonly file: string;
  readonly mosapi: {
    /** Origin (and optional base path) without a trailing slash, e.g. `https://mosapi.icann.org`. */
    readonly url: string;
    /** API version, the `vN` path segment: 1 or 2. */
    readonly version: number;
    /** Whole-request timeout, login included. */
    readonly timeoutMs: number;
    /** Concurrent requests per credential. */
    readonly maxConcurrency: number;
    /** Local IP to bind outgoing connections to (the allow-listed one). */
    readonly sourceAddress?: string;
    readonly tls: {
      /** CA bundle path (relative paths already joined to the config file's directory). */
      readonly caFile?: string;
      /** PEM contents of `caFile`; absent means the system trust store. */
      readonly ca?: string;
      readonly minVersion: "TLSv1.2" | "TLSv1.3";
      /**
       * Do not verify MoSAPI's certificate. Off by default; only an explicit
       * `insecure_skip_verify: true` turns verification off, and it is logged as a warning.
       */
      readonly insecureSkipVerify: boolean;
    };
  };
  /** Named credentials in file order; every target's `credentials` is a key here. */
  readonly credentials: ReadonlyMap<string, Credential>;
  /** Targets in file order, no duplicates. */
  readonly targets: readonly Target[];
  /** Refresh interval per collector in ms; 0 = disabled. */
  readonly collectors: Readonly<Record<CollectorName, number>>;
  /** Human warnings for the caller to log, e.g. an interval below 60s against an ICANN host (*.icann.org), a credential no target uses. */
  readonly warnings: readonly string[];
}
