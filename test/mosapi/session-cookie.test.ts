import { describe, expect, it } from "vitest";
import {
  cookieLifetime,
  parseCookieDate,
  sessionLifetimeMs,
} from "../../src/mosapi/session-cookie.js";
import { RENEW_MARGIN_MS, renewalTime } from "../../src/mosapi/session.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const COOKIE = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";

describe("parseCookieDate (RFC 6265 §5.1.1)", () => {
  it("reads the three HTTP-date formats", () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseCookieDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(expected);
    expect(parseCookieDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(expected);
    expect(parseCookieDate("Sun Nov  6 08:49:37 1994")).toBe(expected);
  });

  it("reads two-digit years as RFC 6265 does: 70–99 → 19xx, 00–69 → 20xx", () => {
    expect(parseCookieDate("Mon, 23-Nov-26 12:15:00 GMT")).toBe(Date.UTC(2026, 10, 23, 12, 15));
    expect(parseCookieDate("Thu, 01-Jan-70 00:00:00 GMT")).toBe(0);
  });

  it.each([
    "",
    "garbage",
    "1",
    "Sun, 06 Nov 1994 GMT", // no time
    "Sun, 31 Apr 2026 08:49:37 GMT", // no such day
    "Sun, 06 Nov 1994 24:00:00 GMT",
    "Sun, 06 Nov 1500 08:49:37 GMT", // before 1601
    "Sun, 06 Foo 1994 08:49:37 GMT",
    "Sun, 06 Nov 19945 08:49:37 GMT",
  ])("rejects %j without throwing", (text) => {
    expect(parseCookieDate(text)).toBeUndefined();
  });
});

describe("cookieLifetime (RFC 6265 §5.2)", () => {
  it("reads Max-Age and Expires in any case and order, ignoring the cookie's own value", () => {
    expect(
      cookieLifetime(
        `id=${COOKIE}; path=/ry/example; EXPIRES=Mon, 23 Nov 2026 12:15:00 GMT; max-age=900; Secure`,
      ),
    ).toEqual({ maxAgeSeconds: 900, expiresMs: Date.UTC(2026, 10, 23, 12, 15) });
    expect(cookieLifetime("id=Max-Age=5; Path=/")).toEqual({});
  });

  it("ignores invalid attributes, so an earlier valid one stays (last valid wins)", () => {
    expect(cookieLifetime("id=x; Max-Age=900; Max-Age=15m; Max-Age=; Max-Age=+5")).toEqual({
      maxAgeSeconds: 900,
    });
    expect(cookieLifetime("id=x; Max-Age=60; Max-Age=900")).toEqual({ maxAgeSeconds: 900 });
    expect(cookieLifetime("id=x; Expires=soon; Expires")).toEqual({});
    expect(cookieLifetime("id=x; Max-Age=-1")).toEqual({ maxAgeSeconds: -1 });
  });
});

describe("sessionLifetimeMs", () => {
  const inFifteenMinutes = new Date(NOW + 15 * 60_000).toUTCString();

  it("prefers Max-Age over Expires", () => {
    const line = `id=${COOKIE}; Expires=${inFifteenMinutes}; Max-Age=600; Path=/ry/example`;
    expect(sessionLifetimeMs(line, COOKIE, undefined, NOW)).toBe(600_000);
  });

  it("counts Expires from the answer's Date, not from our clock", () => {
    // MoSAPI's clock is an hour ahead of ours: the lifetime is still 15 minutes.
    const serverNow = NOW + 3_600_000;
    const line = `id=${COOKIE}; Expires=${new Date(serverNow + 900_000).toUTCString()}`;
    expect(sessionLifetimeMs(line, COOKIE, new Date(serverNow).toUTCString(), NOW)).toBe(900_000);
  });

  it("counts Expires from our clock when Date is missing or unreadable", () => {
    const line = `id=${COOKIE}; Expires=${inFifteenMinutes}`;
    expect(sessionLifetimeMs(line, COOKIE, undefined, NOW)).toBe(900_000);
    expect(sessionLifetimeMs(line, COOKIE, "yesterday", NOW + 60_000)).toBe(840_000);
  });

  it("reads the line of the session's id cookie among several", () => {
    const lines = [
      "other=1; Max-Age=5",
      `id=another; Max-Age=10`,
      `id="${COOKIE}"; Max-Age=900; Path=/ry/example`,
    ];
    expect(sessionLifetimeMs(lines, COOKIE, undefined, NOW)).toBe(900_000);
  });

  it.each([
    ["no lifetime", `id=${COOKIE}; Path=/ry/example; Secure; HttpOnly`],
    ["garbage Max-Age", `id=${COOKIE}; Max-Age=fifteen minutes`],
    ["garbage Expires", `id=${COOKIE}; Expires=tomorrow`],
    ["Max-Age 0", `id=${COOKIE}; Max-Age=0`],
    ["negative Max-Age", `id=${COOKIE}; Max-Age=-900; Expires=${inFifteenMinutes}`],
    ["Expires in the past", `id=${COOKIE}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`],
    ["a huge Max-Age", `id=${COOKIE}; Max-Age=${"9".repeat(400)}`],
  ])("gives no lifetime for %s, without throwing", (_what, line) => {
    expect(sessionLifetimeMs(line, COOKIE, undefined, NOW)).toBeUndefined();
  });

  it("gives no lifetime without the session's line", () => {
    expect(sessionLifetimeMs(undefined, COOKIE, undefined, NOW)).toBeUndefined();
    expect(sessionLifetimeMs(["id=other; Max-Age=900"], COOKIE, undefined, NOW)).toBeUndefined();
  });
});

describe("renewalTime", () => {
  it("renews a 15-minute session 10 s before its end, a short one a tenth before", () => {
    expect(renewalTime(NOW, 900_000)).toBe(NOW + 900_000 - RENEW_MARGIN_MS);
    expect(RENEW_MARGIN_MS).toBe(10_000);
    expect(renewalTime(NOW, 20_000)).toBe(NOW + 18_000);
  });

  it("never renews a session of unknown lifetime", () => {
    expect(renewalTime(NOW, undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});
