/**
 * The answers versioned resources give: a JSON body with a status, errors in MoSAPI's
 * `{resultCode, message, description}` shape (docs/mosapi.md#http-status-codes-and-error-bodies).
 */
import type { ResourceResponse } from "./endpoints.js";

/** A MoSAPI error body. */
export function errorBody(
  resultCode: string,
  message: string,
  description: string,
): { resultCode: string; message: string; description: string } {
  return { resultCode, message, description };
}

/** 200 with `body`. */
export function ok(body: unknown, headers?: Readonly<Record<string, string>>): ResourceResponse {
  return headers === undefined ? { status: 200, body } : { status: 200, body, headers };
}

/** 404 `{resultCode: "404", message: "Not Found", description}`. */
export function notFound(description: string): ResourceResponse {
  return { status: 404, body: errorBody("404", "Not Found", description) };
}

/** 400 with an extended result code (`2011`…`2014`, docs/mosapi.md#http-status-codes-and-error-bodies). */
export function badRequest(resultCode: string, description: string): ResourceResponse {
  return { status: 400, body: errorBody(resultCode, "Bad Request", description) };
}
