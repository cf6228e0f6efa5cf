/**
 * The web config file's schema (`--web.config.file`, the Prometheus exporter-toolkit format):
 * TLS for our own endpoints (with the client SANs allowed), Basic auth users with bcrypt
 * hashes, extra response headers, a rate limit. Every
 * mapping is strict. Keys the toolkit knows but we do not implement are named as unsupported
 * rather than unknown, so a file written for a Go exporter fails with a useful message. Files
 * are not read here (see load.ts).
 */
import * as z from "zod";
import { DURATION_HINT, parseDuration } from "../config/duration.js";
import type { LocatedProblem } from "../config/issues.js";
import {
  configErrorMap,
  describeValue,
  mismatch,
  redactIssues,
  toProblems,
  typed,
} from "../config/issues.js";

/** exporter-toolkit's `client_auth_type` values (Go's tls.ClientAuthType names). */
export const CLIENT_AUTH_TYPES = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Node's name for each version we accept; TLS 1.0 and 1.1 are deliberately not offered. */
export const TLS_VERSIONS = { TLS12: "TLSv1.2", TLS13: "TLSv1.3" } as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;

/** A strict mapping; `unsupported` keys get their own message instead of "unknown key". */
function strict<Shape extends z.ZodRawShape>(shape: Shape, unsupported: readonly string[] = []) {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") {
        return mismatch(`a mapping with keys ${keys}`, issue.input);
      }
      const [key] = issue.keys;
      return issue.keys.length === 1 && key !== undefined && unsupported.includes(key)
        ? `not supported by mosapi-exporter; expected one of ${keys}`
        : `unknown key; expected one of ${keys}`;
    },
  });
}

/** An optional mapping where `key:` with nothing after it means the same as leaving it out. */
function optionalSection<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

const filePath = () => z.string({ error: typed("a file path") }).min(1, "must not be empty");

const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]], {
  error: (issue) =>
    issue.input === "TLS10" || issue.input === "TLS11"
      ? `${describeValue(issue.input)} is not supported (TLS 1.0 and 1.1 are obsolete); expected TLS12 or TLS13`
      : `invalid value ${describeValue(issue.input)}; expected TLS12 or TLS13`,
});

const tlsServerSchema = strict(
  {
    cert_file: filePath(),
    key_file: filePath(),
    client_auth_type: z
      .enum(CLIENT_AUTH_TYPES, {
        error: (issue) =>
          `invalid value ${describeValue(issue.input)}; expected one of ${CLIENT_AUTH_TYPES.join(", ")}`,
      })
      .default("NoClientCert"),
    client_ca_file: filePath().optional(),
    client_allowed_sans: z
      .array(z.string({ error: typed("a SAN (DNS name, IP address, e-mail address or URI)") }), {
        error: typed("a list of SANs"),
      })
      .optional(),
    min_version: tlsVersion.default("TLS12"),
    max_version: tlsVersion.default("TLS13"),
  },
  ["cert", "key", "client_ca", "cipher_suites", "prefer_server_cipher_suites", "curve_preferences"],
).superRefine((tls, ctx) => {
  const needsCa =
    tls.client_auth_type === "VerifyClientCertIfGiven" ||
    tls.client_auth_type === "RequireAndVerifyClientCert";
  if (needsCa && tls.client_ca_file === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["client_ca_file"],
      message: `missing required key; client_auth_type ${tls.client_auth_type} verifies client certificates against this CA`,
    });
  }
  if (tls.client_auth_type === "NoClientCert" && tls.client_ca_file !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["client_ca_file"],
      message:
        "set, but client_auth_type is NoClientCert; set client_auth_type: RequireAndVerifyClientCert to verify clients",
    });
  }
  const sansChecked =
    tls.client_auth_type === "RequireAnyClientCert" ||
    tls.client_auth_type === "RequireAndVerifyClientCert";
  if ((tls.client_allowed_sans?.length ?? 0) > 0 && !sansChecked) {
    ctx.addIssue({
      code: "custom",
      path: ["client_allowed_sans"],
      message: `needs client_auth_type RequireAndVerifyClientCert or RequireAnyClientCert; with ${tls.client_auth_type} a client may connect without a certificate, leaving no SAN to match`,
    });
  }
  if (tls.min_version === "TLS13" && tls.max_version === "TLS12") {
    ctx.addIssue({
      code: "custom",
      path: ["max_version"],
      message: "TLS12 is below min_version TLS13",
    });
  }
});

const headerValue = (allowed?: readonly string[]) =>
  z.string({ error: typed("a string") }).superRefine((value, ctx) => {
    if (/[\r\n]/.test(value)) {
      ctx.addIssue({ code: "custom", message: "must not contain a line break" });
    } else if (allowed !== undefined && value !== "" && !allowed.includes(value.toLowerCase())) {
      ctx.addIssue({
        code: "custom",
        message: `invalid value ${describeValue(value)}; expected ${allowed.join(" or ")}`,
      });
    }
  });

/** The response headers the toolkit allows; no others (it is not a general header injector). */
const headersSchema = strict({
  "Content-Security-Policy": headerValue().optional(),
  "X-Frame-Options": headerValue(["deny", "sameorigin"]).optional(),
  "X-Content-Type-Options": headerValue(["nosniff"]).optional(),
  "X-XSS-Protection": headerValue().optional(),
  "Strict-Transport-Security": headerValue().optional(),
});

const httpServerSchema = strict({
  // We serve HTTP/1.1 only; the toolkit's switch is accepted so its sample files load.
  http2: z.boolean({ error: typed("a boolean") }).optional(),
  headers: optionalSection(headersSchema),
});

/** Modular crypt format of bcrypt: `$2a$`, `$2b$` or `$2y$` (htpasswd), cost, 53 characters. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

const usersSchema = z.record(
  z.string().refine((name) => name !== "" && !/[:\r\n]/.test(name), {
    error: 'invalid user name; must not be empty or contain ":" or a line break',
  }),
  // The hash is a secret: never quote it, not even when it is malformed.
  z.string({ error: typed("a bcrypt hash") }).refine((hash) => BCRYPT_HASH.test(hash), {
    error:
      "invalid bcrypt hash; expected 60 characters starting with $2y$, $2b$ or $2a$ and a cost from 04 to 31, as printed by htpasswd -nBC 10 \"\" | tr -d ':\\n'",
  }),
  { error: typed("a mapping from user names to bcrypt hashes") },
);

/** `rate_limit.interval`: a duration between two requests; `0` turns the limit off. */
const intervalSchema = z
  .union([z.string(), z.number()], { error: typed("a duration such as 1s, or 0 to disable") })
  .transform((value, ctx) => {
    if (value === 0) return 0;
    try {
      if (typeof value === "number") throw new Error(`invalid duration ${value}: ${DURATION_HINT}`);
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `${(error as Error).message}, or 0 to disable` });
      return z.NEVER;
    }
  });

/** exporter-toolkit's token bucket: one request per `interval`, up to `burst` at once. */
const rateLimitSchema = strict({
  interval: intervalSchema,
  burst: z
    .number({ error: typed("a whole number of at least 1") })
    .int("expected a whole number of at least 1")
    .min(0, "expected a whole number of at least 1")
    .optional(),
}).superRefine((limit, ctx) => {
  if (limit.interval > 0 && (limit.burst ?? 0) < 1) {
    ctx.addIssue({
      code: "custom",
      path: ["burst"],
      message: `${limit.burst === undefined ? "missing required key" : "must be at least 1"}; with an interval, a burst of 0 would refuse every request`,
    });
  }
});

/** The whole web config file. Every section is optional; an empty file changes nothing. */
export const webConfigSchema = strict({
  tls_server_config: optionalSection(tlsServerSchema),
  http_server_config: optionalSection(httpServerSchema),
  basic_auth_users: optionalSection(usersSchema),
  rate_limit: optionalSection(rateLimitSchema),
});

/** The validated web config file before its files are read. */
export type ParsedWebConfig = z.output<typeof webConfigSchema>;
/** `tls_server_config` as validated. */
export type ParsedTlsServerConfig = NonNullable<ParsedWebConfig["tls_server_config"]>;

/** The outcome of `validateWebConfig`. */
export type WebValidation =
  | { readonly ok: true; readonly config: ParsedWebConfig }
  | { readonly ok: false; readonly problems: readonly LocatedProblem[]; readonly cause: unknown };

/**
 * Validates parsed YAML against every rule, collecting all problems.
 *
 * @returns the parsed config, or every problem with a ZodError (keys redacted) as `cause`.
 */
export function validateWebConfig(data: unknown): WebValidation {
  const result = webConfigSchema.safeParse(data, { error: configErrorMap });
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: toProblems(result.error.issues),
    cause: new z.ZodError(redactIssues(result.error.issues)),
  };
}
