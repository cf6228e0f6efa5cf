/**
 * Turning a complete MoSAPI answer into a value or an error: status → error class, 400 bodies,
 * the login's `id` cookie, and JSON + schema validation of 2xx bodies. Pure functions.
 */
import type { z } from "zod";
import { parseRetryAfter } from "./backoff.js";
import type { ErrorContext, MosapiError, SchemaIssue } from "./errors.js";
import {
  BadRequestError,
  ForbiddenError,
  HttpStatusError,
  InvalidResponseError,
  NotFoundError,
  RateLimitedError,
  SchemaError,
} from "./errors.js";
import { errorBodySchema } from "./models.js";
import { recordOddities, type Oddity } from "./oddities.js";
import type { ErrorBody } from "./models.js";
import { scrubError, scrubText } from "./secrets.js";
import type { RawResponse } from "./transport.js";

/** Longest excerpt of a 400 body field quoted in an error. */
const MAX_FIELD_CHARS = 200;

/** True for 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * The error for a non-2xx answer other than the 401s the caller handles itself: 400 →
 * BadRequestError, 403 → ForbiddenError, 404 → NotFoundError, 429 → RateLimitedError, 503 and
 * everything else → HttpStatusError. 429 and 503 carry `Retry-After` as `retryAfterMs`.
 */
export function statusFailure(
  response: RawResponse,
  context: ErrorContext,
  secrets: readonly string[],
  nowMs: number,
): MosapiError {
  switch (response.status) {
    case 400:
      return new BadRequestError(context, errorBody(response.body, secrets));
    case 403:
      return new ForbiddenError(context);
    case 404:
      return new NotFoundError(context);
    case 429:
      return new RateLimitedError(context, parseRetryAfter(response.headers["retry-after"], nowMs));
    case 503:
      return new HttpStatusError(
        context,
        503,
        parseRetryAfter(response.headers["retry-after"], nowMs),
      );
    default:
      return new HttpStatusError(context, response.status);
  }
}

function excerpt(value: string | undefined, secrets: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  const clean = scrubText(value, secrets).replace(/\s+/g, " ").trim();
  return clean.length > MAX_FIELD_CHARS ? `${clean.slice(0, MAX_FIELD_CHARS - 1)}…` : clean;
}

/**
 * A body as JSON text: UTF-8, without a leading byte order mark, which RFC 8259 §8.1 lets a
 * parser ignore (JSON.parse would refuse it).
 */
function jsonText(body: Buffer): string {
  const text = body.toString("utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/** The parsed, scrubbed and truncated fields of a 400 body; empty when it is not that JSON. */
function errorBody(body: Buffer, secrets: readonly string[]): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(jsonText(body));
  } catch {
    return {};
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return {};
  const result: { resultCode?: string; message?: string; description?: string } = {};
  const resultCode = excerpt(parsed.data.resultCode, secrets);
  const message = excerpt(parsed.data.message, secrets);
  const description = excerpt(parsed.data.description, secrets);
  if (resultCode !== undefined) result.resultCode = resultCode;
  if (message !== undefined) result.message = message;
  if (description !== undefined) result.description = description;
  return result;
}

/** RFC 6265 cookie-octets: anything else cannot be sent back safely in a Cookie header. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

/**
 * The value of the `id` cookie among `Set-Cookie` headers (one string or several); other
 * cookies are ignored. `undefined` when there is no usable `id` cookie.
 */
export function sessionCookie(header: string | readonly string[] | undefined): string | undefined {
  const lines = header === undefined ? [] : typeof header === "string" ? [header] : header;
  for (const line of lines) {
    const pair = line.split(";", 1)[0] ?? "";
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== "id") continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    if (COOKIE_VALUE.test(value)) return value;
  }
  return undefined;
}

function describeBody(response: RawResponse): string {
  if (response.body.length === 0) return "empty response body";
  const raw = response.headers["content-type"];
  const type = (Array.isArray(raw) ? raw[0] : raw) ?? "no content-type";
  const printable = type.replace(/[^\x20-\x7E]/g, "?").slice(0, 60);
  return `response body is not valid JSON (${printable}, ${response.body.length} bytes)`;
}

function schemaIssues(error: z.ZodError): SchemaIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? "(root)" : issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/** A parsed answer and the odd parts it cost (see oddities.ts). */
export interface ParsedAnswer<T> {
  readonly value: T;
  readonly oddities: readonly Oddity[];
}

/**
 * The body of a 2xx answer parsed as JSON and validated with `schema`, with the oddities its
 * lenient parts noted (each tagged with `context.endpoint`).
 *
 * @throws InvalidResponseError when the body is not JSON (HTML page, truncated, empty);
 *   SchemaError when its core does not match `schema`.
 */
export function parseBody<S extends z.ZodType>(
  response: RawResponse,
  schema: S,
  context: ErrorContext,
  secrets: readonly string[],
): ParsedAnswer<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(jsonText(response.body));
  } catch (error) {
    // JSON.parse quotes the start of the body in its message: scrub it like any other cause.
    throw new InvalidResponseError(context, describeBody(response), {
      status: response.status,
      cause: scrubError(error, secrets),
    });
  }
  const { value: result, oddities } = recordOddities(() => schema.safeParse(json));
  if (!result.success) {
    throw new SchemaError(context, schemaIssues(result.error), response.status, result.error);
  }
  return {
    value: result.data,
    oddities: oddities.map((oddity) => ({ endpoint: context.endpoint, ...oddity })),
  };
}
