import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  HttpStatusError,
  LoginBackoffError,
  MosapiResponseError,
  MosapiTransportError,
  NetworkError,
  TimeoutError,
  describeStatus,
  isMosapiError,
} from "../../src/mosapi/errors.js";
import type { ErrorContext } from "../../src/mosapi/errors.js";
import { FAILURE_REASONS } from "../../src/mosapi/failure.js";
import { scrubError, scrubText } from "../../src/mosapi/secrets.js";

const context: ErrorContext = {
  operation: "fetch monitoring/state",
  target: "TLD example",
  endpoint: "monitoring/state",
  path: "/ry/example/v2/monitoring/state",
};

describe("error catalogue", () => {
  it("formats '<operation> for <target> failed: <what> (GET <path>)'", () => {
    const error = new HttpStatusError(context, 503);
    expect(error.message).toBe(
      "fetch monitoring/state for TLD example failed: HTTP 503 Service Unavailable (GET /ry/example/v2/monitoring/state)",
    );
    expect(error.name).toBe("HttpStatusError");
    expect(error).toBeInstanceOf(MosapiResponseError);
    expect(isMosapiError(error)).toBe(true);
    expect(isMosapiError(new Error("x"))).toBe(false);
    expect(FAILURE_REASONS).toContain(error.reason);
  });

  it("keeps transport and response errors apart", () => {
    expect(new TimeoutError(context, 100)).toBeInstanceOf(MosapiTransportError);
    expect(new NetworkError(context, new Error("x"))).toBeInstanceOf(MosapiTransportError);
    expect(new NetworkError(context, new Error("x"))).not.toBeInstanceOf(MosapiResponseError);
  });

  it("names a network failure by its code, never by its message", () => {
    const withCode = Object.assign(new Error("authorization: Basic c2VjcmV0"), {
      code: "UND_ERR_SOCKET",
    });
    expect(new NetworkError(context, withCode).message).toContain("network error (UND_ERR_SOCKET)");
    expect(new NetworkError(context, new TypeError("Basic c2VjcmV0")).message).toContain(
      "network error (TypeError)",
    );
    expect(new NetworkError(context, "weird").message).not.toContain("weird");
  });

  it("says when logins resume", () => {
    const now = Date.UTC(2025, 0, 1);
    const error = new LoginBackoffError(context, "example-login", 2, now + 120_000, now);
    expect(error.message).toBe(
      'fetch monitoring/state for TLD example failed: logins with credentials "example-login" suspended after 2 failed logins; next attempt allowed at 2025-01-01T00:02:00.000Z (in 120 s) (GET /ry/example/v2/monitoring/state)',
    );
    expect(error.retryAfterMs).toBe(120_000);
  });

  it("omits missing 400 fields", () => {
    expect(new BadRequestError(context, { resultCode: "2012" }).message).toContain(
      "HTTP 400 Bad Request: resultCode 2012 (GET",
    );
  });

  it("describes unknown statuses by number", () => {
    expect(describeStatus(599)).toBe("HTTP 599");
  });
});

describe("scrubbing", () => {
  it("masks secrets in text", () => {
    expect(scrubText("a s3cret b s3cret", ["s3cret", ""])).toBe("a <secret> b <secret>");
  });

  it("returns clean errors unchanged and copies dirty ones with code and cause", () => {
    const clean = new Error("fine");
    expect(scrubError(clean, ["s3cret"])).toBe(clean);
    const inner = new Error("inner s3cret");
    const dirty = Object.assign(new Error("outer", { cause: inner }), { code: "E_X" });
    const copy = scrubError(dirty, ["s3cret"]) as Error & { code: string };
    expect(copy).not.toBe(dirty);
    expect(copy.code).toBe("E_X");
    expect((copy.cause as Error).message).toBe("inner <secret>");
    expect(copy.stack).not.toContain("s3cret");
    expect(scrubError("plain", ["plain"])).toBe("plain");
  });
});
