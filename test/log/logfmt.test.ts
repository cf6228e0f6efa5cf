import { describe, expect, it } from "vitest";
import { formatValue, jsonLineToLogfmt, logfmtDestination } from "../../src/log/logfmt.js";
import { createLogSink } from "../helpers/log-sink.js";

describe("formatValue", () => {
  it.each([
    ["plain", "plain"],
    [42, "42"],
    [1.5, "1.5"],
    [false, "false"],
    [null, "null"],
    ["", '""'],
    ["two words", '"two words"'],
    ["a=b", '"a=b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["C:\\path", '"C:\\\\path"'],
    ["line1\nline2", '"line1\\nline2"'],
    ["tab\there", '"tab\\there"'],
    ["bell\u0007", '"bell\\u0007"'],
    ["xn--9dbq2a", "xn--9dbq2a"],
  ])("%j → %s", (input, expected) => {
    expect(formatValue(input)).toBe(expected);
  });
});

describe("jsonLineToLogfmt", () => {
  it("puts time, level and msg first and keeps the remaining order", () => {
    const line = JSON.stringify({
      level: "warn",
      time: "2025-01-02T03:04:05.678Z",
      target: "rr/9999",
      msg: "slow",
    });
    expect(jsonLineToLogfmt(`${line}\n`)).toBe(
      "time=2025-01-02T03:04:05.678Z level=warn msg=slow target=rr/9999\n",
    );
  });

  it("flattens nested objects and arrays with dots", () => {
    const line = JSON.stringify({
      msg: "x",
      err: { code: "E", details: { status: 503 } },
      tags: ["a", "b c"],
      empty: {},
      none: [],
    });
    expect(jsonLineToLogfmt(line)).toBe(
      'msg=x err.code=E err.details.status=503 tags.0=a tags.1="b c" empty={} none=[]\n',
    );
  });

  it("makes keys safe, since they cannot be quoted", () => {
    expect(jsonLineToLogfmt(JSON.stringify({ "a b=c": 1 }))).toBe("a_b_c=1\n");
  });

  it("passes a line that is not a JSON object through unchanged", () => {
    expect(jsonLineToLogfmt("not json\n")).toBe("not json\n");
    expect(jsonLineToLogfmt("[1,2]\n")).toBe("[1,2]\n");
  });

  it("wraps a destination line by line", () => {
    const sink = createLogSink();
    const destination = logfmtDestination(sink.destination);
    destination.write('{"level":"info","msg":"one"}\n');
    destination.write('{"level":"info","msg":"two"}\n');
    expect(sink.lines()).toEqual(["level=info msg=one", "level=info msg=two"]);
  });
});
