import { describe, expect, it } from "vitest";
import { parseConfigDocument } from "../../src/config/document.js";

describe("parseConfigDocument", () => {
  it("locates YAML errors without quoting the source text, which may be a secret", () => {
    const parsed = parseConfigDocument(
      "credentials:\n  a:\n    tls_client: {cert_file: s{x, key_file: k}\n  b:\n    basic: {username: u, password: hunter2-secret}\n",
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.length).toBeGreaterThan(0);
    for (const problem of parsed.problems) {
      expect(problem.message).toMatch(/^invalid YAML at line \d+, column \d+: /);
      expect(problem.message).not.toContain("hunter2-secret");
    }
  });
});
