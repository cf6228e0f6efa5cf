import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envVarName, helpText } from "../../src/config/flags.js";
import { validateConfig } from "../../src/config/schema.js";

const doc = await readFile(new URL("../../CONFIGURATION.md", import.meta.url), "utf8");

describe("CONFIGURATION.md", () => {
  it("documents every flag with its environment variable", () => {
    const flags = [...helpText().matchAll(/--([a-z.-]+)/g)].map((match) => match[1] ?? "");
    expect(flags.length).toBeGreaterThanOrEqual(9);
    for (const flag of new Set(flags)) {
      expect(doc).toContain(`\`--${flag}`);
      if (flag !== "help" && flag !== "version") expect(doc).toContain(envVarName(flag));
    }
  });

  it("documents every config section and key", () => {
    for (const section of ["mosapi", "credentials", "targets", "collectors"]) {
      expect(doc).toContain(`### \`${section}\``);
    }
    for (const variant of ["basic", "tls_client"]) expect(doc).toContain(`**\`${variant}\`**`);
    const keys = [
      ["url", "version", "timeout", "max_concurrency", "source_address"],
      ["tls.ca_file", "tls.min_version"],
      ["username", "password", "password_file", "password_env", "cert_file", "key_file"],
      ["tld", "registrar_id", "credentials", "troubleshooting"],
      ["state", "alarmed", "downtime", "incidents", "metrica", "measurements"],
    ].flat();
    for (const key of keys) expect(doc).toContain(`| \`${key}\` |`);
  });

  it("shows only valid configs in its yaml examples", () => {
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const block of blocks) {
      const validation = validateConfig(parse(block));
      expect(validation.ok ? [] : validation.problems, block).toEqual([]);
    }
  });
});
