import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  loginBackoffMs,
  parseRetryAfter,
  retryDelayMs,
} from "../../src/mosapi/backoff.js";

describe("retryDelayMs", () => {
  it("doubles from 500 ms with ±50 % jitter", () => {
    expect(retryDelayMs(0, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(500);
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.5)).toBe(1000);
    expect(retryDelayMs(0, DEFAULT_RETRY_POLICY, () => 0)).toBe(250);
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0.999999)).toBe(1500);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter(["5", "9"], now)).toBe(5000);
  });

  it("reads an HTTP-date relative to now, never negative", () => {
    expect(parseRetryAfter("Wed, 01 Jan 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 11:00:00 GMT", now)).toBe(0);
  });

  it.each([undefined, "", "soon", "1.5", "-3", "12 34"])("ignores %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("loginBackoffMs", () => {
  it("is 1, 2, 4, 8, 15, 15 minutes", () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => loginBackoffMs(n) / 60_000)).toEqual([
      1, 2, 4, 8, 15, 15, 15,
    ]);
  });
});
