import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["0s", 0],
    ["500ms", 500],
    ["90s", 90_000],
    ["5m", 300_000],
    ["6h", 21_600_000],
    ["1h30m", 5_400_000],
    ["1d", 86_400_000],
    ["1d2h3m4s5ms", 93_784_005],
    ["05m", 300_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    "",
    "5",
    "90",
    "5 minutes",
    "1.5h",
    "-5m",
    "+5m",
    " 5m",
    "5m ",
    "30m1h",
    "1h1h",
    "5M",
    "1w",
    "1y",
    "ms",
    "5mss",
    "0x10s",
  ])("rejects %j", (text) => {
    expect(() => parseDuration(text)).toThrow(
      `invalid duration ${JSON.stringify(text)}: expected a number with a unit (ms, s, m, h, d), e.g. 90s, 5m, 6h`,
    );
  });

  it("rejects a duration beyond the safe integer range", () => {
    expect(() => parseDuration("99999999999999999d")).toThrow(
      'invalid duration "99999999999999999d": too large',
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1_000, "1s"],
    [90_000, "1m30s"],
    [21_600_000, "6h"],
    [86_400_000, "1d"],
    [93_784_005, "1d2h3m4s5ms"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("is the inverse of parseDuration", () => {
    for (const ms of [1, 999, 1_001, 59_999, 3_600_001, 172_800_000, 1_234_567_890]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s", (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });
});
