import { describe, expect, it } from "vitest";
import { acceptsGzip } from "../../src/http/encoding.js";

describe("acceptsGzip", () => {
  it.each([
    ["gzip", true],
    ["GZIP", true],
    ["x-gzip", true],
    ["gzip, deflate, br", true],
    ["deflate, gzip;q=0.5", true],
    ["*", true],
    ["br, *;q=0.1", true],
    ["identity, gzip ; q=1.0", true],
  ])("accepts %j", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it.each([
    [undefined, false],
    ["", false],
    ["identity", false],
    ["br, deflate", false],
    ["gzip;q=0", false],
    ["gzip;q=0.000", false],
    ["*;q=0", false],
    // An explicit gzip weight wins over the wildcard.
    ["gzip;q=0, *", false],
  ])("refuses %j", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it("reads a header sent more than once", () => {
    expect(acceptsGzip(["br", "gzip"])).toBe(true);
  });
});
