import { describe, expect, it } from "vitest";
import type { ParsedConfig } from "../../src/config/schema.js";
import { validateConfig } from "../../src/config/schema.js";
import { configWarnings } from "../../src/config/warnings.js";

function parsed(
  mosapi: Record<string, unknown>,
  collectors: Record<string, unknown> = {},
): ParsedConfig {
  const validation = validateConfig({
    mosapi,
    credentials: { login: { basic: { username: "u", password_env: "PW" } } },
    targets: [{ tld: "example", credentials: "login" }],
    collectors,
  });
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return validation.config;
}

describe("configWarnings", () => {
  it("warns about intervals below 60s against any *.icann.org host", () => {
    const config = parsed({ url: "https://mosapi-ote.icann.org" }, { state: "59s", metrica: 0 });
    expect(configWarnings(config)).toEqual([
      "collectors.state: 59s is below 1m; ICANN regenerates MoSAPI data about once a minute, so shorter intervals only add load on mosapi-ote.icann.org (they are meant for the simulator)",
    ]);
  });

  it("does not warn at 60s, for a disabled collector, or on other hosts", () => {
    expect(configWarnings(parsed({}, { state: "60s", alarmed: 0 }))).toEqual([]);
    for (const url of [
      "http://127.0.0.1:8089",
      "http://localhost:8089",
      "http://[::1]:8089",
      "https://icann.org.example.net",
    ]) {
      expect(configWarnings(parsed({ url }, { state: "5s" })), url).toEqual([]);
    }
  });

  it("warns about more than 4 concurrent sessions against ICANN only", () => {
    expect(configWarnings(parsed({ max_concurrency: 5 }))).toEqual([
      "mosapi.max_concurrency: 5 is above the 4 concurrent sessions ICANN documents per certificate; MoSAPI may refuse the extra sessions",
    ]);
    expect(configWarnings(parsed({ max_concurrency: 4 }))).toEqual([]);
    expect(
      configWarnings(parsed({ url: "https://mosapi.example.net", max_concurrency: 16 })),
    ).toEqual([]);
  });
});

describe("insecure_skip_verify", () => {
  it("is off unless set, and loudly warned about when set", () => {
    const base = {
      credentials: { c: { basic: { username: "u", password: "p" } } },
      targets: [{ tld: "example", credentials: "c" }],
    };
    const plain = validateConfig(base);
    const insecure = validateConfig({ ...base, mosapi: { tls: { insecure_skip_verify: true } } });
    if (!plain.ok || !insecure.ok) throw new Error("fixture configs must be valid");
    expect(plain.config.mosapi.tls.insecureSkipVerify).toBe(false);
    expect(configWarnings(plain.config).join("\n")).not.toContain("insecure_skip_verify");
    expect(configWarnings(insecure.config)).toContain(
      "mosapi.tls.insecure_skip_verify: TLS certificate verification of MoSAPI is OFF; anyone on the network path can read your credentials and session cookies and feed the exporter false data",
    );
  });
});
