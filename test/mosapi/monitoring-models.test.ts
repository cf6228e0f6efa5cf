import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import {
  alarmedResponseSchema,
  downtimeResponseSchema,
  latestMeasurementId,
  measurementListSchema,
  type MeasurementList,
} from "../../src/mosapi/monitoring-models.js";
import { recordOddities } from "../../src/mosapi/oddities.js";
import { fixtureText } from "../helpers/fixtures.js";

const LAST_UPDATE = 1795435200;

function body(name: string): unknown {
  return JSON.parse(fixtureText(`mosapi/${name}`));
}

/**
 * `test/fixtures/mosapi/<prefix>*.json`, split into well-formed, `malformed` ones and `odd`
 * ones (they parse at the cost of an odd part, METRICS.md#odd-parts-of-answers).
 */
function fixtures(prefix: string): { good: string[]; malformed: string[]; odd: string[] } {
  const names = readdirSync(new URL("../fixtures/mosapi/", import.meta.url)).filter(
    (name) => name.startsWith(prefix) && name.endsWith(".json"),
  );
  return {
    good: names.filter((name) => !name.includes("malformed") && !name.includes("odd")),
    malformed: names.filter((name) => name.includes("malformed")),
    odd: names.filter((name) => name.includes("odd")),
  };
}

describe.each([
  ["alarmed-", alarmedResponseSchema],
  ["downtime-", downtimeResponseSchema],
  ["measurements-", measurementListSchema],
] as const)("%s*.json fixtures", (prefix, schema) => {
  const { good, malformed, odd } = fixtures(prefix);

  it("exist, well-formed and malformed", () => {
    expect(good.length).toBeGreaterThan(0);
    expect(malformed.length).toBeGreaterThan(0);
  });

  it.each(good)("%s parses", (name) => {
    expect(() => schema.parse(body(name))).not.toThrow();
  });

  it.each(malformed)("%s fails with a ZodError", (name) => {
    expect(() => schema.parse(body(name))).toThrow(ZodError);
  });

  it.each(odd)("%s parses, noting its odd part", (name) => {
    expect(recordOddities(() => schema.parse(body(name))).oddities.length).toBeGreaterThan(0);
  });
});

describe("alarmedResponseSchema", () => {
  it.each([
    ["alarmed-yes.json", "yes"],
    ["alarmed-yes-uppercase.json", "yes"],
    ["alarmed-no.json", "no"],
    ["alarmed-disabled.json", "disabled"],
  ])("reads %s as %s and strips unknown fields", (name, alarmed) => {
    expect(alarmedResponseSchema.parse(body(name))).toEqual({
      lastUpdateApiDatabase: LAST_UPDATE,
      alarmed,
    });
  });

  it.each(["Maybe", "", " true ", "unknown-ish"])("reads %j as unknown, never no", (alarmed) => {
    expect(alarmedResponseSchema.parse({ lastUpdateApiDatabase: 1, alarmed }).alarmed).toBe(
      "unknown",
    );
  });

  it("tolerates surrounding spaces and a numeric-string timestamp", () => {
    expect(alarmedResponseSchema.parse({ lastUpdateApiDatabase: "42", alarmed: " No " })).toEqual({
      lastUpdateApiDatabase: 42,
      alarmed: "no",
    });
  });

  it.each([
    { lastUpdateApiDatabase: 1, alarmed: true },
    { lastUpdateApiDatabase: 1, alarmed: null },
    { lastUpdateApiDatabase: 1 },
  ])("rejects %j", (raw) => {
    expect(alarmedResponseSchema.safeParse(raw).success).toBe(false);
  });

  it.each([
    [{ alarmed: "Yes" }, "missing_field"],
    [{ lastUpdateApiDatabase: -1, alarmed: "Yes" }, "wrong_type"],
    [{ lastUpdateApiDatabase: 1.5, alarmed: "Yes" }, "wrong_type"],
    [{ lastUpdateApiDatabase: null, alarmed: "Yes" }, "null_value"],
  ])("reads %j without its timestamp (%s)", (raw, reason) => {
    const { value, oddities } = recordOddities(() => alarmedResponseSchema.parse(raw));
    expect(value).toEqual({ lastUpdateApiDatabase: undefined, alarmed: "yes" });
    expect(oddities).toEqual([{ reason, path: "lastUpdateApiDatabase" }]);
  });

  it("notes a value outside Yes/No/Disabled", () => {
    const { value, oddities } = recordOddities(() =>
      alarmedResponseSchema.parse({ lastUpdateApiDatabase: 1, alarmed: "Maybe" }),
    );
    expect(value.alarmed).toBe("unknown");
    expect(oddities).toEqual([{ reason: "unknown_value", path: "alarmed" }]);
  });
});

describe("downtimeResponseSchema", () => {
  it("reads the spec example as downtimeMinutes", () => {
    expect(downtimeResponseSchema.parse(body("downtime-935.json"))).toEqual({
      lastUpdateApiDatabase: LAST_UPDATE,
      downtimeMinutes: 935,
    });
  });

  it("tolerates numeric strings", () => {
    expect(downtimeResponseSchema.parse(body("downtime-numeric-string.json"))).toEqual({
      lastUpdateApiDatabase: LAST_UPDATE,
      downtimeMinutes: 12,
    });
  });

  it("accepts zero", () => {
    expect(
      downtimeResponseSchema.parse({ lastUpdateApiDatabase: 1, downtime: 0 }).downtimeMinutes,
    ).toBe(0);
  });

  it.each([-5, 1.5, "1.5", "-3", "", "ten", null, true])("rejects downtime %j", (downtime) => {
    expect(downtimeResponseSchema.safeParse({ lastUpdateApiDatabase: 1, downtime }).success).toBe(
      false,
    );
  });
});

describe("measurementListSchema", () => {
  it("reads a day's list of IDs, keeping `.json`", () => {
    expect(measurementListSchema.parse(body("measurements-day.json"))).toEqual({
      measurements: [
        { id: "1795434840.json" },
        { id: "1795434900.json" },
        { id: "1795434960.json" },
      ],
    });
  });

  it("reads objects with measurementID and cycleCalculationDateTime", () => {
    expect(measurementListSchema.parse(body("measurements-incident-objects.json"))).toEqual({
      measurements: [
        { id: "1795433880.9.json", cycleTime: 1795433880 },
        { id: "1795433760.9.json", cycleTime: 1795433760 },
        { id: "1795433820.9.json", cycleTime: 1795433820 },
      ],
    });
  });

  it("reads a bare top-level array", () => {
    expect(measurementListSchema.parse(body("measurements-bare-array.json"))).toEqual({
      measurements: [{ id: "1795433700.9" }, { id: "1795433760.9" }, { id: "1795433820.9" }],
    });
  });

  it("reads measurementId, id, numeric IDs and measurementTime", () => {
    expect(measurementListSchema.parse(body("measurements-alternative-keys.json"))).toEqual({
      measurements: [
        { id: "1795433700.9", cycleTime: 1795433700 },
        { id: "1795433760.9" },
        { id: "1795433820" },
      ],
    });
  });

  it("prefers measurementID, then measurementId, then id", () => {
    const list = measurementListSchema.parse([
      { id: "c", measurementId: "b", measurementID: "a" },
      { id: "c", measurementId: "b" },
    ]);
    expect(list.measurements.map((m) => m.id)).toEqual(["a", "b"]);
  });

  it("accepts an empty list", () => {
    expect(measurementListSchema.parse({ measurements: [] })).toEqual({ measurements: [] });
    expect(measurementListSchema.parse([])).toEqual({ measurements: [] });
  });

  it.each([[{}], [{ measurements: "1795433700.json" }], ["1795433700.json"]])(
    "rejects %j",
    (raw) => {
      expect(() => measurementListSchema.parse(raw)).toThrow(ZodError);
    },
  );

  it.each([
    [{ measurements: ["", "1795433760.json"] }, "wrong_type", "measurements[0].id"],
    [{ measurements: [null, "1795433760.json"] }, "null_value", "measurements[0]"],
    [[{ cycleCalculationDateTime: 1 }, "1795433760.json"], "wrong_type", "measurements[0]"],
    [
      [{ id: "x", cycleCalculationDateTime: "soon" }, "1795433760.json"],
      "wrong_type",
      "measurements[0].cycleCalculationDateTime",
    ],
  ])("drops the odd item of %j", (raw, reason, path) => {
    const { value, oddities } = recordOddities(() => measurementListSchema.parse(raw));
    expect(value).toEqual({ measurements: [{ id: "1795433760.json" }] });
    expect(oddities).toEqual([{ reason, path }]);
  });

  it("reads bare IDs (its fast path) exactly as the same IDs in objects (the zod path)", () => {
    const ids = ["1795433760.json", "1795433820.2", "a b", ".", "..", "", "1795433880"];
    const bare = recordOddities(() => measurementListSchema.parse(ids));
    const objects = recordOddities(() => measurementListSchema.parse(ids.map((id) => ({ id }))));
    expect(bare.value.measurements.map((m) => m.id)).toEqual([
      "1795433760.json",
      "1795433820.2",
      "a b",
      "1795433880",
    ]);
    expect(bare).toEqual(objects);
  });

  it("drops items without an ID, keeping the others", () => {
    const { value, oddities } = recordOddities(() =>
      measurementListSchema.parse(body("measurements-odd-item.json")),
    );
    expect(value).toEqual({ measurements: [] });
    expect(oddities.map((o) => o.path)).toEqual(["measurements[0]", "measurements[1]"]);
  });
});

describe("latestMeasurementId", () => {
  function list(...measurements: MeasurementList["measurements"]): MeasurementList {
    return { measurements };
  }

  it("is undefined for an empty list", () => {
    expect(latestMeasurementId(list())).toBeUndefined();
  });

  it("picks the greatest cycleTime, whatever the order", () => {
    const parsed = measurementListSchema.parse(body("measurements-incident-objects.json"));
    expect(latestMeasurementId(parsed)).toBe("1795433880.9.json");
  });

  it("dates entries without cycleTime by the timestamp their ID starts with", () => {
    expect(latestMeasurementId(measurementListSchema.parse(body("measurements-day.json")))).toBe(
      "1795434960.json",
    );
    expect(latestMeasurementId(list({ id: "1795433820.9" }, { id: "1795433700.9.json" }))).toBe(
      "1795433820.9",
    );
  });

  it("uses an entry's cycleTime rather than its ID", () => {
    expect(
      latestMeasurementId(
        list({ id: "1795439999.json", cycleTime: 1795433000 }, { id: "1795433500.json" }),
      ),
    ).toBe("1795433500.json");
  });

  it("prefers a dated entry to undated ones", () => {
    expect(latestMeasurementId(list({ id: "1795433700.json" }, { id: "latest" }))).toBe(
      "1795433700.json",
    );
  });

  it("takes the later entry on a tie", () => {
    expect(
      latestMeasurementId(list({ id: "1795433700.1.json" }, { id: "1795433700.2.json" })),
    ).toBe("1795433700.2.json");
  });

  it("falls back to the last entry when nothing can be dated", () => {
    expect(latestMeasurementId(list({ id: "b" }, { id: "a" }, { id: "x1795433700" }))).toBe(
      "x1795433700",
    );
  });
});
