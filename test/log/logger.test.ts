import { describe, expect, it } from "vitest";
import { createLogger, REDACTED } from "../../src/log/logger.js";
import { createLogSink } from "../helpers/log-sink.js";

describe("createLogger (json)", () => {
  it("writes one JSON object per line with ISO time, level label and msg", () => {
    const sink = createLogSink();
    const logger = createLogger({ level: "info", format: "json", destination: sink.destination });
    logger.info({ target: "ry/example" }, "refreshed");

    const [record] = sink.records();
    expect(sink.lines()).toHaveLength(1);
    expect(record).toEqual({
      level: "info",
      time: expect.any(String) as unknown,
      target: "ry/example",
      msg: "refreshed",
    });
    expect(new Date(record!["time"] as string).toISOString()).toBe(record!["time"]);
  });

  it.each([
    ["debug", ["debug", "info", "warn", "error"]],
    ["info", ["info", "warn", "error"]],
    ["warn", ["warn", "error"]],
    ["error", ["error"]],
  ] as const)("at level %s writes only %j", (level, expected) => {
    const sink = createLogSink();
    const logger = createLogger({ level, format: "json", destination: sink.destination });
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(sink.records().map((r) => r["level"])).toEqual(expected);
  });

  it("redacts passwords, authorization and cookies at the top level and nested", () => {
    const sink = createLogSink();
    const logger = createLogger({ level: "info", format: "json", destination: sink.destination });
    logger.info(
      {
        password: "pw-top",
        authorization: "Basic dG9wOnNlY3JldA==",
        cookie: "id=top-cookie",
        key: "-----BEGIN PRIVATE KEY-----",
        basic: { username: "example_ry", password: "pw-nested" },
        request: { authorization: "Basic bmVzdGVk", cookie: "id=nested-cookie" },
        headers: { authorization: "Bearer h", cookie: "id=header-cookie", accept: "*/*" },
        tls: { key: "pem-key" },
        credentials: { "example-login": { password: "pw-cred" } },
      },
      "secrets everywhere",
    );
    const [line] = sink.lines();
    for (const secret of [
      "pw-top",
      "dG9wOnNlY3JldA",
      "top-cookie",
      "PRIVATE KEY",
      "pw-nested",
      "bmVzdGVk",
      "nested-cookie",
      "Bearer",
      "header-cookie",
      "pem-key",
      "pw-cred",
    ]) {
      expect(line).not.toContain(secret);
    }
    const [record] = sink.records();
    expect(record).toMatchObject({
      password: REDACTED,
      authorization: REDACTED,
      cookie: REDACTED,
      key: REDACTED,
      basic: { username: "example_ry", password: REDACTED },
      request: { authorization: REDACTED, cookie: REDACTED },
      headers: { authorization: REDACTED, cookie: REDACTED, accept: "*/*" },
      tls: { key: REDACTED },
      credentials: { "example-login": { password: REDACTED } },
    });
  });

  it("serialises an error with its code and its cause", () => {
    const sink = createLogSink();
    const logger = createLogger({ level: "info", format: "json", destination: sink.destination });
    const cause = new Error("connect ECONNREFUSED 127.0.0.1:1");
    const err = Object.assign(new Error("state refresh failed", { cause }), {
      code: "MOSAPI_NETWORK",
    });
    logger.error({ err }, "refresh failed");

    const [record] = sink.records();
    const logged = record!["err"] as Record<string, unknown>;
    expect(logged["type"]).toBe("Error");
    expect(logged["code"]).toBe("MOSAPI_NETWORK");
    expect(logged["message"]).toBe("state refresh failed: connect ECONNREFUSED 127.0.0.1:1");
    expect(logged["stack"]).toContain("caused by: Error: connect ECONNREFUSED");
  });

  it("child loggers keep bindings and redaction", () => {
    const sink = createLogSink();
    const logger = createLogger({ level: "info", format: "json", destination: sink.destination });
    logger.child({ component: "session" }).info({ cookie: "id=abc" }, "login ok");
    expect(sink.records()[0]).toMatchObject({ component: "session", cookie: REDACTED });
  });
});

describe("createLogger (logfmt)", () => {
  it("writes time, level and msg first, then the other fields", () => {
    const sink = createLogSink();
    const logger = createLogger({ level: "info", format: "logfmt", destination: sink.destination });
    logger.info({ target: "ry/example", count: 3, ok: true }, "state refreshed");

    const [line] = sink.lines();
    expect(line).toMatch(
      /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info msg="state refreshed" target=ry\/example count=3 ok=true$/,
    );
  });

  it("flattens errors with dots, escapes stacks onto one line and redacts", () => {
    const sink = createLogSink();
    const logger = createLogger({ level: "info", format: "logfmt", destination: sink.destination });
    const err = Object.assign(new Error('bad "input"'), { code: "CONFIG_INVALID" });
    logger.error({ err, basic: { password: "hunter2" } }, "reload failed");

    const lines = sink.lines();
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toContain(' level=error msg="reload failed" ');
    expect(line).toContain(" err.type=Error ");
    expect(line).toContain(' err.message="bad \\"input\\"" ');
    expect(line).toContain(" err.code=CONFIG_INVALID");
    expect(line).toMatch(/ err\.stack="Error: bad \\"input\\"\\n {4}at /);
    expect(line).toContain(" basic.password=<secret>");
    expect(line).not.toContain("hunter2");
  });
});
