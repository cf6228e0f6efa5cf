/**
 * The loaded web configuration: what the HTTP server needs to serve TLS and check Basic auth.
 * Paths are absolute or relative to the working directory (already joined to the web config
 * file's directory); the certificate files themselves are read by the server so they can be
 * re-read when they change.
 */
import type { ClientAuthType, TlsVersionName } from "./schema.js";

export type { ClientAuthType, TlsVersionName } from "./schema.js";

/** `tls_server_config`, resolved. */
export interface TlsServerSettings {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientAuthType: ClientAuthType;
  readonly clientCaFile?: string;
  /**
   * `client_allowed_sans`: a client certificate must carry one of these SANs (exact match on a
   * DNS name, IP address, e-mail address or URI). Absent or empty: any certificate.
   */
  readonly clientAllowedSans?: readonly string[];
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
}

/** A validated `--web.config.file`. */
export interface WebConfig {
  /** The web config file path as given on the command line. */
  readonly file: string;
  /** Absent: plain HTTP. */
  readonly tls?: TlsServerSettings;
  /** User name → bcrypt hash (secret). Empty: no authentication. */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
  /** Extra response headers, set on every response. */
  readonly headers: Readonly<Record<string, string>>;
  /** `rate_limit` as a token bucket; absent when not configured or its interval is 0. */
  readonly rateLimit?: RateLimit;
}

/** exporter-toolkit's `rate_limit`: one request per `intervalMs`, up to `burst` at once. */
export interface RateLimit {
  readonly intervalMs: number;
  readonly burst: number;
}
