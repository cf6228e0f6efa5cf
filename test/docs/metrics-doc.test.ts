import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_METRICS } from "../../src/metrics/names.js";

const doc = readFileSync(new URL("../../METRICS.md", import.meta.url), "utf8");

/** Table rows of METRICS.md: metric name → the row's cells. */
function documentedRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of doc.split("\n")) {
    const match = /^\| `(mosapi_[a-z_]+)` \|(.*)\|$/.exec(line);
    if (match?.[1] && match[2])
      rows.set(
        match[1],
        match[2].split(/(?<!\\)\|/).map((c) => c.trim()),
      );
  }
  return rows;
}

describe("METRICS.md", () => {
  const rows = documentedRows();

  it.each(ALL_METRICS.map((m) => [m.name, m] as const))(
    "documents %s with its type and labels",
    (name, metric) => {
      const row = rows.get(name);
      expect(row, `${name} missing from METRICS.md`).toBeDefined();
      const [type, labels] = row ?? [];
      expect(type).toMatch(new RegExp(`^${metric.type}\\b`));
      const expected = [
        ...(metric.targetScoped ? ["`tld`\\|`registrar_id`"] : []),
        ...metric.labels.map((l) => `\`${l}\``),
      ];
      expect(labels).toBe(expected.join(", "));
    },
  );

  it("documents no metric the code does not export", () => {
    const known = new Set(ALL_METRICS.map((m) => m.name));
    const mentioned = new Set(doc.match(/\bmosapi_[a-z_]+[a-z]\b/g) ?? []);
    const unknown = [...mentioned].filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });
});
