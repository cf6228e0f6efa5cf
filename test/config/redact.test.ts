import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config/config.js";
import { loadConfig } from "../../src/config/load.js";
import { formatConfigCheck } from "../../src/config/redact.js";

const FIXTURES = path.relative(
  process.cwd(),
  fileURLToPath(new URL("../fixtures/config/", import.meta.url)),
);
const fixture = (name: string): string => path.join(FIXTURES, name);
const ENV = { MOSAPI_TEST_PASSWORD: "env-secret-5d8e" };

describe("formatConfigCheck", () => {
  it.each(["good", "minimal", "warnings", "plain-http"])(
    "prints %s.yml as in %s.check.txt",
    async (name) => {
      const config = await loadConfig(fixture(`${name}.yml`), { env: ENV });
      const expected = await readFile(fixture(`${name}.check.txt`), "utf8");
      expect(formatConfigCheck(config)).toBe(expected);
    },
  );

  it("never prints a password (inline, file, environment), a key or a certificate", async () => {
    const config = await loadConfig(fixture("good.yml"), { env: ENV });
    const output = formatConfigCheck(config);
    const secrets = [...config.credentials.values()].flatMap((credential) =>
      credential.kind === "basic" ? [credential.password] : [credential.cert, credential.key],
    );
    expect(secrets).toEqual(
      expect.arrayContaining(["example-file-secret-7f3a", "env-secret-5d8e", "inline-secret-91c2"]),
    );
    for (const secret of [...secrets, config.mosapi.tls.ca ?? ""]) {
      expect(output).not.toContain(secret.trim());
    }
    expect(output).not.toContain("-----BEGIN");
  });

  it("shows a password of a config not built by the loader as <secret>", () => {
    const config: Config = {
      file: "built.yml",
      mosapi: {
        url: "http://127.0.0.1:8089",
        version: 2,
        timeoutMs: 1_500,
        maxConcurrency: 1,
        tls: { minVersion: "TLSv1.2", insecureSkipVerify: false },
      },
      credentials: new Map([["login", { kind: "basic", username: "u", password: "hand-pw-77" }]]),
      targets: [{ entity: "ry", id: "example", credentials: "login" }],
      collectors: {
        state: 5_000,
        alarmed: 0,
        downtime: 0,
        incidents: 0,
        metrica: 0,
        measurements: 0,
        troubleshooting: 0,
      },
      warnings: ["something: to look at"],
    };
    const output = formatConfigCheck(config);
    expect(output).not.toContain("hand-pw-77");
    expect(output).toContain("      password: <secret>\n");
    expect(output).toContain("  timeout: 1s500ms\n");
    expect(output).toContain("  alarmed: 0s # disabled\n");
    expect(output.split("\n")[0]).toBe(
      "mosapi-exporter: configuration built.yml is valid, 1 warning",
    );
    expect(output.endsWith("\nwarnings:\n  - something: to look at\n")).toBe(true);
  });
});
