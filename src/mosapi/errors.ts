/**
 * The MoSAPI client's error catalogue. Every failure of a client method is one of these classes:
 * `code` is the stable contract (switch on it, log it), `reason` is the `reason` label of
 * `mosapi_refresh_failures_total`, and `message` is for people:
 *
 *     fetch monitoring/state for TLD example failed: HTTP 503 Service Unavailable (GET /ry/example/v2/monitoring/state)
 *
 * Transport errors (no usable answer: timeout, network) and response errors (an answer we
 * reject: status, body, schema) are separate branches. Messages never contain a password, an
 * Authorization header, a cookie or a response body (only the parsed fields of a 400 body,
 * truncated and scrubbed).
 */
import type { FailureReason } from "./failure.js";
import type { ErrorBody } from "./models.js";
import { http } from "../util/builtins.js";

/**
 * Stable codes of the MoSAPI client's errors, one per failure mode. docs/errors.md explains each
 * (a test keeps it in sync with this list).
 */
export const MOSAPI_ERROR_CODES = [
  "MOSAPI_LOGIN_FAILED",
  "MOSAPI_LOGIN_BACKOFF",
  "MOSAPI_AUTH",
  "MOSAPI_FORBIDDEN",
  "MOSAPI_NOT_FOUND",
  "MOSAPI_RATE_LIMITED",
  "MOSAPI_BAD_REQUEST",
  "MOSAPI_HTTP_STATUS",
  "MOSAPI_TIMEOUT",
  "MOSAPI_NETWORK",
  "MOSAPI_INVALID_RESPONSE",
  "MOSAPI_SCHEMA",
] as const;

/** Stable error codes, one per failure mode. */
export type MosapiErrorCode = (typeof MOSAPI_ERROR_CODES)[number];

/**
 * The code of a refresh that failed on something other than a MoSAPI error: the exporter could
 * not process data it was given (a bug). Logged with its stack.
 */
export const INTERNAL_ERROR_CODE = "INTERNAL";

/** Every code a failed refresh can record (`/api/v1/status`, the refresh failure log line). */
export type RefreshErrorCode = MosapiErrorCode | typeof INTERNAL_ERROR_CODE;

/** {@link RefreshErrorCode} as a list, for documentation and tests. */
export const REFRESH_ERROR_CODES: readonly RefreshErrorCode[] = [
  ...MOSAPI_ERROR_CODES,
  INTERNAL_ERROR_CODE,
];

/** Where a failure happened. Contains no secrets by construction. */
export interface ErrorContext {
  /** What was being done, e.g. `fetch monitoring/state`, `log in`. */
  readonly operation: string;
  /** `describeTarget()` of the target, e.g. `TLD example`. */
  readonly target: string;
  /** Low-cardinality endpoint label, e.g. `monitoring/{service}/alarmed`, `login`. */
  readonly endpoint: string;
  /** Request path without origin, e.g. `/ry/example/v2/monitoring/state`. */
  readonly path: string;
}

interface Details {
  readonly status?: number;
  readonly cause?: unknown;
}

/** `HTTP 503 Service Unavailable`. */
export function describeStatus(status: number): string {
  const text = http.STATUS_CODES[status];
  return text === undefined ? `HTTP ${status}` : `HTTP ${status} ${text}`;
}

/** Base of every error the MoSAPI client throws. */
export abstract class MosapiError extends Error {
  /** Stable machine-readable code. */
  abstract readonly code: MosapiErrorCode;
  /** Failure reason for `mosapi_refresh_failures_total{reason}`. */
  abstract readonly reason: FailureReason;
  /** What was being done, e.g. `fetch monitoring/state`. */
  readonly operation: string;
  /** The target in words, e.g. `TLD example`, `registrar 9999`. */
  readonly target: string;
  /** Low-cardinality endpoint label. */
  readonly endpoint: string;
  /** Request path (no origin, no secrets). */
  readonly path: string;
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined;

  constructor(context: ErrorContext, what: string, details: Details = {}) {
    super(
      `${context.operation} for ${context.target} failed: ${what} (GET ${context.path})`,
      "cause" in details ? { cause: details.cause } : undefined,
    );
    this.name = new.target.name;
    this.operation = context.operation;
    this.target = context.target;
    this.endpoint = context.endpoint;
    this.path = context.path;
    this.status = details.status;
  }
}

/** No usable answer arrived: the deadline passed or the connection failed. */
export abstract class MosapiTransportError extends MosapiError {}

/** An answer arrived but is a failure: an error status, an unreadable body, a schema mismatch. */
export abstract class MosapiResponseError extends MosapiError {}

/**
 * The operation ran out of time: `timeoutMs` of talking to MoSAPI (request, retries and the
 * waits between them), or the separate bound on waiting for a concurrency slot
 * (`SlotTimeoutError`).
 */
export class TimeoutError extends MosapiTransportError {
  readonly code = "MOSAPI_TIMEOUT";
  readonly reason = "timeout";
  /** The deadline that passed. */
  readonly timeoutMs: number;

  constructor(context: ErrorContext, timeoutMs: number, cause?: unknown) {
    super(context, `no answer within ${timeoutMs} ms`, cause === undefined ? {} : { cause });
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The operation waited longer than its queue bound for a concurrency slot: nothing was sent.
 * A `TimeoutError` (code `MOSAPI_TIMEOUT`, reason `timeout`) whose message says so, and whose
 * `timeoutMs` is the queue bound.
 */
export class SlotTimeoutError extends TimeoutError {
  constructor(context: ErrorContext, queueTimeoutMs: number) {
    super(context, queueTimeoutMs);
    // Same frame as every MosapiError message; only the "what" differs from a TimeoutError's.
    this.message =
      `${context.operation} for ${context.target} failed: waited ${queueTimeoutMs} ms for a ` +
      `concurrency slot without getting one (GET ${context.path})`;
  }
}

/** The connection failed (DNS, refused, reset, TLS handshake …). `cause` holds the original. */
export class NetworkError extends MosapiTransportError {
  readonly code = "MOSAPI_NETWORK";
  readonly reason = "network";

  constructor(context: ErrorContext, cause: unknown) {
    super(context, `network error (${networkErrorCode(cause)})`, { cause });
  }
}

/** Only the error's code or class name: messages of transport errors may quote request headers. */
function networkErrorCode(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return code;
    return cause.name;
  }
  return "unknown error";
}

/** `GET …/login` answered 401: the username or password was rejected. Starts the login backoff. */
export class LoginFailedError extends MosapiResponseError {
  readonly code = "MOSAPI_LOGIN_FAILED";
  readonly reason = "auth";
  /** Name of the credentials that were rejected. */
  readonly credentials: string;

  constructor(context: ErrorContext, credentials: string) {
    super(context, `credentials "${credentials}" rejected (${describeStatus(401)})`, {
      status: 401,
    });
    this.credentials = credentials;
  }
}

/** Logins of this session are suspended after failed logins; no request was sent. */
export class LoginBackoffError extends MosapiError {
  readonly code = "MOSAPI_LOGIN_BACKOFF";
  readonly reason = "auth";
  /** Name of the credentials whose logins are suspended. */
  readonly credentials: string;
  /** Epoch milliseconds from which the next login is allowed. */
  readonly retryAt: number;
  /** Milliseconds from now until `retryAt`. */
  readonly retryAfterMs: number;

  constructor(
    context: ErrorContext,
    credentials: string,
    failures: number,
    retryAt: number,
    now: number,
  ) {
    const waitMs = Math.max(0, retryAt - now);
    super(
      context,
      `logins with credentials "${credentials}" suspended after ${failures} failed login${failures === 1 ? "" : "s"}; ` +
        `next attempt allowed at ${new Date(retryAt).toISOString()} (in ${Math.ceil(waitMs / 1000)} s)`,
    );
    this.credentials = credentials;
    this.retryAt = retryAt;
    this.retryAfterMs = waitMs;
  }
}

/**
 * A data request answered 401: the session was rejected again right after a fresh login, or
 * the TLS client certificate is not authorized for this TLD or registrar.
 */
export class AuthError extends MosapiResponseError {
  readonly code = "MOSAPI_AUTH";
  readonly reason = "auth";
  /**
   * How we authenticated: a Basic-auth session (the 401 came even after a fresh login, e.g.
   * sessions being evicted) or a TLS client certificate (not authorized for the target or the
   * data family: a matter of roles).
   */
  readonly via: "session" | "certificate";

  constructor(context: ErrorContext, via: "session" | "certificate") {
    super(
      context,
      via === "session"
        ? `${describeStatus(401)} even after a fresh login`
        : `${describeStatus(401)}: client certificate not authorized for this ${context.target.split(" ")[0] ?? "target"}`,
      { status: 401 },
    );
    this.via = via;
  }
}

/** 403: e.g. source IP not allow-listed, or the credential lacks the role for this data. */
export class ForbiddenError extends MosapiResponseError {
  readonly code = "MOSAPI_FORBIDDEN";
  readonly reason = "forbidden";

  constructor(context: ErrorContext) {
    super(context, describeStatus(403), { status: 403 });
  }
}

/** 404: no such resource (no METRICA report, unknown incident, disabled service …). */
export class NotFoundError extends MosapiResponseError {
  readonly code = "MOSAPI_NOT_FOUND";
  readonly reason = "not_found";

  constructor(context: ErrorContext) {
    super(context, describeStatus(404), { status: 404 });
  }
}

/** 429 whose `Retry-After` did not fit the deadline (or retries ran out, or none was sent). */
export class RateLimitedError extends MosapiResponseError {
  readonly code = "MOSAPI_RATE_LIMITED";
  readonly reason = "rate_limited";
  /** Server-requested wait from `Retry-After`, for the caller's scheduler. */
  readonly retryAfterMs: number | undefined;

  constructor(context: ErrorContext, retryAfterMs: number | undefined) {
    super(context, withRetryAfter(describeStatus(429), retryAfterMs), { status: 429 });
    this.retryAfterMs = retryAfterMs;
  }
}

/** 400 with MoSAPI's extended error body (docs/mosapi.md, "HTTP status codes and error bodies"). */
export class BadRequestError extends MosapiResponseError {
  readonly code = "MOSAPI_BAD_REQUEST";
  readonly reason = "http_error";
  /** `resultCode` as a string (`"2011"`), whether sent as string or number. */
  readonly resultCode: string | undefined;
  /** The body's `message` (truncated to 200 characters, secrets scrubbed). */
  readonly upstreamMessage: string | undefined;
  /** The body's `description` (truncated to 200 characters, secrets scrubbed). */
  readonly description: string | undefined;

  /** `body` must already be truncated and scrubbed: it is quoted in the message. */
  constructor(context: ErrorContext, body: ErrorBody) {
    const parts = [
      body.resultCode === undefined ? undefined : `resultCode ${body.resultCode}`,
      body.message,
      body.description,
    ].filter((part): part is string => part !== undefined && part !== "");
    super(
      context,
      parts.length === 0 ? describeStatus(400) : `${describeStatus(400)}: ${parts.join(": ")}`,
      { status: 400 },
    );
    this.resultCode = body.resultCode;
    this.upstreamMessage = body.message;
    this.description = body.description;
  }
}

/** Any other non-2xx status (5xx after retries, 3xx, 405 …). */
export class HttpStatusError extends MosapiResponseError {
  readonly code = "MOSAPI_HTTP_STATUS";
  readonly reason = "http_error";
  /** Server-requested wait from `Retry-After` (503 only), for the caller's scheduler. */
  readonly retryAfterMs: number | undefined;

  constructor(context: ErrorContext, status: number, retryAfterMs?: number) {
    super(context, withRetryAfter(describeStatus(status), retryAfterMs), { status });
    this.retryAfterMs = retryAfterMs;
  }
}

/** The body is not what any MoSAPI answer looks like: not JSON, HTML, truncated, too large, no session cookie. */
export class InvalidResponseError extends MosapiResponseError {
  readonly code = "MOSAPI_INVALID_RESPONSE";
  readonly reason = "invalid_response";

  constructor(context: ErrorContext, what: string, details: Details = {}) {
    super(context, what, details);
  }
}

/** One schema violation: where (a JSON path) and what (zod's message, which holds no input values). */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/** The body is JSON but does not match the expected schema. `cause` holds the ZodError. */
export class SchemaError extends MosapiResponseError {
  readonly code = "MOSAPI_SCHEMA";
  readonly reason = "invalid_response";
  /** Every issue, paths and messages only. */
  readonly issues: readonly SchemaIssue[];

  constructor(
    context: ErrorContext,
    issues: readonly SchemaIssue[],
    status: number,
    cause: unknown,
  ) {
    const shown = issues.slice(0, 3).map((issue) => `${issue.path}: ${issue.message}`);
    const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
    super(context, `unexpected response shape: ${shown.join("; ")}${more}`, { status, cause });
    this.issues = issues;
  }
}

function withRetryAfter(what: string, retryAfterMs: number | undefined): string {
  return retryAfterMs === undefined
    ? what
    : `${what}, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
}

/** True for every error of this catalogue. */
export function isMosapiError(error: unknown): error is MosapiError {
  return error instanceof MosapiError;
}
