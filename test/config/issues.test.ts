import { describe, expect, it } from "vitest";
import { describeKind, formatPath, mismatch } from "../../src/config/issues.js";

describe("formatPath", () => {
  it.each([
    [[], ""],
    [["collectors", "state"], "collectors.state"],
    [["targets", 1, "credentials"], "targets[1].credentials"],
    [["credentials", "example-login", "basic"], "credentials.example-login.basic"],
    [["credentials", "a b"], 'credentials["a b"]'],
    [["credentials", "x", "basic", "password:hunter2"], 'credentials.x.basic["password:…"]'],
  ])("formats %j as %s", (segments, text) => {
    expect(formatPath(segments)).toBe(text);
  });
});

describe("mismatch", () => {
  it("names the kind of value, never the value", () => {
    expect(mismatch("a string", 731904)).toBe("expected a string; got a number");
    expect(mismatch("a string", ["secret"])).toBe("expected a string; got a list");
    expect(mismatch("a string", { secret: 1 })).toBe("expected a string; got a mapping");
    expect(mismatch("a string", true)).toBe("expected a string; got a boolean");
    expect(mismatch("a string", null)).toBe("expected a string; got no value");
  });

  it("says when a key is missing", () => {
    expect(mismatch("a file path", undefined)).toBe("missing required key; expected a file path");
    expect(describeKind(undefined)).toBe("nothing");
  });
});
