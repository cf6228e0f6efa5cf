import { describe, expect, it } from "vitest";
import { formatDuration, iso, targetPath } from "../../src/http/board.js";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [60_000, "1m"],
    [3_600_000, "1h 0m"],
    [90_061_000, "1d 1h 1m"],
    [-5, "0s"],
  ])("%i ms → %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("iso", () => {
  it("prints UTC to the second", () => {
    expect(iso(Date.parse("2025-03-04T05:06:07.890Z"))).toBe("2025-03-04T05:06:07Z");
  });
});

describe("targetPath", () => {
  it("names the entity and the URL-encoded id", () => {
    expect(targetPath({ entity: "ry", id: "xn--zckzah" })).toBe("/targets/ry/xn--zckzah");
    expect(targetPath({ entity: "rr", id: "9999" })).toBe("/targets/rr/9999");
    expect(targetPath({ entity: "ry", id: "a/b?c" })).toBe("/targets/ry/a%2Fb%3Fc");
  });
});
