import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  MAX_THREAT_TYPES,
  metricaListSchema,
  metricaReportSchema,
} from "../../src/mosapi/metrica-models.js";
import { recordOddities } from "../../src/mosapi/oddities.js";
import { fixtureText } from "../helpers/fixtures.js";

function body(name: string): unknown {
  return JSON.parse(fixtureText(`mosapi/${name}`));
}

function fixtures(prefix: string): { good: string[]; malformed: string[]; odd: string[] } {
  const names = readdirSync(new URL("../fixtures/mosapi/", import.meta.url)).filter(
    (name) => name.startsWith(prefix) && name.endsWith(".json"),
  );
  return {
    good: names.filter((name) => !name.includes("malformed") && !name.includes("odd")),
    malformed: names.filter((name) => name.includes("malformed")),
    // Bodies with an odd part: they parse, at the cost of that part (METRICS.md#odd-parts-of-answers).
    odd: names.filter((name) => name.includes("odd")),
  };
}

function report(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    version: 2,
    tld: "example",
    domainListDate: "2026-11-24",
    uniqueAbuseDomains: 0,
    domainListData: [],
    ...extra,
  };
}

describe.each([
  ["metrica-report-", metricaReportSchema],
  ["metrica-list-", metricaListSchema],
] as const)("%s*.json fixtures", (prefix, schema) => {
  const { good, malformed, odd } = fixtures(prefix);

  it("exist, well-formed and malformed", () => {
    expect(good.length).toBeGreaterThan(0);
    expect(malformed.length).toBeGreaterThan(0);
  });

  it.each(good)("%s parses", (name) => {
    expect(() => schema.parse(body(name))).not.toThrow();
  });

  it.each(malformed)("%s fails with a ZodError that quotes no domain", (name) => {
    const result = schema.safeParse(body(name));
    expect(result.error).toBeInstanceOf(ZodError);
    expect(`${result.error?.message} ${JSON.stringify(result.error?.issues)}`).not.toMatch(
      /secret-victim/,
    );
  });

  it.each(odd)("%s parses, noting its odd part by path only (no domain)", (name) => {
    const { oddities } = recordOddities(() => schema.parse(body(name)));
    expect(oddities.length).toBeGreaterThan(0);
    expect(JSON.stringify(oddities)).not.toMatch(/secret-victim/);
  });
});

it("every metrica-*.json fixture is a report or a list", () => {
  const all = fixtures("metrica-");
  const covered = [...fixtures("metrica-report-").good, ...fixtures("metrica-list-").good];
  expect(all.good.sort()).toEqual(covered.sort());
});

describe("metricaReportSchema", () => {
  it("reads a registry report: four threat types, -1 as not monitored", () => {
    expect(metricaReportSchema.parse(body("metrica-report-tld.json"))).toEqual({
      domainListDate: "2026-11-24",
      reportTimestamp: 1795478400,
      uniqueAbuseDomains: 6,
      threats: [
        { threatType: "spam", count: 3 },
        { threatType: "phishing", count: 2 },
        { threatType: "botnetCc", count: null },
        { threatType: "malware", count: 1 },
      ],
    });
  });

  it("reads a registrar report (ianaId, numeric strings)", () => {
    expect(metricaReportSchema.parse(body("metrica-report-registrar.json"))).toEqual({
      domainListDate: "2026-11-23",
      reportTimestamp: 1795392000,
      uniqueAbuseDomains: 2,
      threats: [
        { threatType: "spam", count: 0 },
        { threatType: "phishing", count: 2 },
        { threatType: "botnetCc", count: 0 },
        { threatType: "malware", count: 0 },
      ],
    });
  });

  it("drops every domain name at the boundary", () => {
    for (const name of ["metrica-report-tld.json", "metrica-report-registrar.json"]) {
      const kept = JSON.stringify(metricaReportSchema.parse(body(name)));
      expect(kept).not.toMatch(/\.example|\.test|domains/);
    }
  });

  it("drops domains even when they are not strings", () => {
    const parsed = metricaReportSchema.parse(
      report({ domainListData: [{ threatType: "spam", count: 1, domains: { x: [1, null] } }] }),
    );
    expect(parsed.threats).toEqual([{ threatType: "spam", count: 1 }]);
  });

  it.each([
    ["2024-02-29", 1709164800],
    ["1970-01-01", 0],
  ])("dates %s at 00:00 UTC", (domainListDate, reportTimestamp) => {
    expect(metricaReportSchema.parse(report({ domainListDate })).reportTimestamp).toBe(
      reportTimestamp,
    );
  });

  it.each([
    "2026-02-29",
    "2026-13-01",
    "2026-11-31",
    "2026-1-5",
    "2026-11-24T00:00:00Z",
    "",
    20261124,
  ])("rejects domainListDate %j", (domainListDate) => {
    expect(() => metricaReportSchema.parse(report({ domainListDate }))).toThrow(ZodError);
  });

  it.each([
    ["a count below -1", { domainListData: [{ threatType: "spam", count: -2 }] }],
    ["a fractional count", { domainListData: [{ threatType: "spam", count: 1.5 }] }],
    ["a missing count", { domainListData: [{ threatType: "spam" }] }],
    ["an empty threat type", { domainListData: [{ threatType: "", count: 1 }] }],
    ["a negative uniqueAbuseDomains", { uniqueAbuseDomains: -1 }],
    ["a missing domainListData", { domainListData: undefined }],
  ])("drops %s, noting where it was", (_what, extra) => {
    const { value, oddities } = recordOddities(() => metricaReportSchema.parse(report(extra)));
    expect(value.domainListDate).toBe("2026-11-24");
    expect(value.threats).toEqual([]);
    expect(oddities).toHaveLength(1);
  });

  it("keeps the other threat types when one is odd, and says which", () => {
    const { value, oddities } = recordOddities(() =>
      metricaReportSchema.parse(
        report({
          uniqueAbuseDomains: undefined,
          domainListData: [
            { threatType: "spam", count: 4 },
            { threatType: "phishing", count: "many" },
            { threatType: "malware", count: -1 },
          ],
        }),
      ),
    );
    expect(value.uniqueAbuseDomains).toBeUndefined();
    expect(value.threats).toEqual([
      { threatType: "spam", count: 4 },
      { threatType: "malware", count: null },
    ]);
    expect(oddities).toEqual([
      { reason: "missing_field", path: "uniqueAbuseDomains" },
      { reason: "wrong_type", path: "domainListData[1].count" },
    ]);
  });

  it("keeps the first entry of a repeated threat type", () => {
    const parsed = metricaReportSchema.parse(
      report({
        domainListData: [
          { threatType: "spam", count: 4 },
          { threatType: "phishing", count: -1 },
          { threatType: "spam", count: 9 },
        ],
      }),
    );
    expect(parsed.threats).toEqual([
      { threatType: "spam", count: 4 },
      { threatType: "phishing", count: null },
    ]);
  });

  it(`keeps at most ${MAX_THREAT_TYPES} threat types`, () => {
    const domainListData = Array.from({ length: 80 }, (_, i) => ({
      threatType: `t${i}`,
      count: i,
    }));
    const parsed = metricaReportSchema.parse(report({ domainListData }));
    expect(parsed.threats).toHaveLength(MAX_THREAT_TYPES);
    expect(parsed.threats.at(-1)).toEqual({ threatType: `t${MAX_THREAT_TYPES - 1}`, count: 49 });
  });
});

describe("metricaListSchema", () => {
  it("reads the reports, generation dates in whole Unix seconds", () => {
    expect(metricaListSchema.parse(body("metrica-list-tld.json"))).toEqual({
      reports: [
        { date: "2026-11-24", generatedAt: 1795572847 },
        { date: "2026-11-23", generatedAt: 1795486241 },
        { date: "2026-11-22" },
      ],
    });
  });

  it("reads an empty registrar list", () => {
    expect(metricaListSchema.parse(body("metrica-list-registrar.json"))).toEqual({ reports: [] });
  });

  it.each([null, "yesterday", "2026-11-24", "2026-11-25T02:14:07+02:00"])(
    "reads domainListGenerationDate %j",
    (domainListGenerationDate) => {
      const parsed = metricaListSchema.parse({
        domainLists: [{ domainListDate: "2026-11-24", domainListGenerationDate }],
      });
      const expected =
        domainListGenerationDate === "2026-11-25T02:14:07+02:00"
          ? [{ date: "2026-11-24", generatedAt: 1795565647 }]
          : [{ date: "2026-11-24" }];
      expect(parsed.reports).toEqual(expected);
    },
  );

  it.each([
    [{}],
    [{ domainLists: [{ domainListDate: "24/11/2026" }] }],
    [{ domainLists: [{ domainListDate: "2026-11-24", domainListGenerationDate: 5 }] }],
  ])("rejects %j", (raw) => {
    expect(() => metricaListSchema.parse(raw)).toThrow(ZodError);
  });
});
