import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/schema.js";

const base = {
  credentials: { login: { basic: { username: "u", password_env: "PW" } } },
  targets: [{ tld: "example", credentials: "login" }],
};

function ok(data: Record<string, unknown>) {
  const validation = validateConfig({ ...base, ...data });
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return validation.config;
}

describe("validateConfig", () => {
  it("normalises the URL: trailing slashes removed, base path kept", () => {
    expect(ok({ mosapi: { url: "https://mosapi.icann.org/" } }).mosapi.url).toBe(
      "https://mosapi.icann.org",
    );
    expect(ok({ mosapi: { url: "HTTP://Proxy.Example:8080/mosapi//" } }).mosapi.url).toBe(
      "http://proxy.example:8080/mosapi",
    );
  });

  it("treats an empty section as all defaults", () => {
    const config = ok({ mosapi: null, collectors: null });
    expect(config.mosapi.timeoutMs).toBe(15_000);
    expect(config.collectors.metrica).toBe(21_600_000);
  });

  it("accepts 0 and 0s as disabled and compound durations", () => {
    const config = ok({
      collectors: { state: "1h30m", alarmed: 0, downtime: "0s", incidents: "1s" },
    });
    expect(config.collectors).toMatchObject({
      state: 5_400_000,
      alarmed: 0,
      downtime: 0,
      incidents: 1_000,
    });
  });

  it("takes a registrar ID as a YAML integer or a digit string", () => {
    const config = ok({
      targets: [
        { registrar_id: 9999, credentials: "login" },
        { registrar_id: "1", credentials: "login" },
      ],
    });
    expect(config.targets).toEqual([
      { entity: "rr", id: "9999", credentials: "login" },
      { entity: "rr", id: "1", credentials: "login" },
    ]);
  });

  it("accepts IPv6 source addresses and both TLS versions", () => {
    const config = ok({
      mosapi: { source_address: "2001:db8::10", tls: { min_version: "TLSv1.3" } },
    });
    expect(config.mosapi).toMatchObject({
      sourceAddress: "2001:db8::10",
      tls: { minVersion: "TLSv1.3" },
    });
  });

  it("reports several problems of one mapping at once", () => {
    const validation = validateConfig({
      ...base,
      mosapi: { version: 0, max_concurrency: 1.5, foo: 1, bar: 2 },
    });
    expect(validation.ok).toBe(false);
    if (validation.ok) return;
    expect(validation.problems.map((problem) => problem.segments.join("."))).toEqual([
      "mosapi.version",
      "mosapi.max_concurrency",
      "mosapi.foo",
      "mosapi.bar",
    ]);
  });
});
