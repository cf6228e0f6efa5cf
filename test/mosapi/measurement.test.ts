import { readdirSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { ZodError } from "zod";
import {
  MEASUREMENT_LIMITS,
  measurementSchema,
  type MeasurementSummary,
} from "../../src/mosapi/measurement.js";
import { recordOddities } from "../../src/mosapi/oddities.js";
import { recentMeasurementSchema } from "../../src/mosapi/recent-measurement.js";
import { fixtureText } from "../helpers/fixtures.js";

function body(name: string): unknown {
  return JSON.parse(fixtureText(`mosapi/${name}`));
}

function parseFixture(name: string): MeasurementSummary {
  return measurementSchema.parse(body(name));
}

const names = readdirSync(new URL("../fixtures/mosapi/", import.meta.url)).filter(
  (name) => name.startsWith("measurement-") && name.endsWith(".json"),
);
const good = names.filter((name) => !name.includes("malformed") && !name.includes("odd"));
const malformed = names.filter((name) => name.includes("malformed"));
/** Bodies with an odd part: they parse, at the cost of that part (METRICS.md#odd-parts-of-answers). */
const odd = names.filter((name) => name.includes("odd"));

/** The summary of `raw` and the oddities its parse noted. */
function parseNoting(raw: unknown) {
  return recordOddities(() => measurementSchema.parse(raw));
}

interface ProbeInput {
  city: string;
  status: string;
  results?: (string | number)[];
}

/** A minimal v2 measurement body with one entry per interface. */
function measurement(
  interfaces: Record<string, ProbeInput[]>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: 2,
    lastUpdateApiDatabase: 1795435200,
    tld: "example",
    service: "dns",
    cycleCalculationDateTime: 1795434960,
    status: "Up",
    testedInterface: Object.entries(interfaces).map(([name, probes]) => ({
      interface: name,
      probes: probes.map((probe) => ({
        city: probe.city,
        status: probe.status,
        testData: [
          {
            target: "ns1.example",
            status: "Up",
            metrics: (probe.results ?? []).map((result) => ({ rtt: null, result })),
          },
        ],
      })),
    })),
    ...extra,
  };
}

describe("measurement-*.json fixtures", () => {
  it("exist, well-formed and malformed", () => {
    expect(good.length).toBeGreaterThanOrEqual(5);
    expect(malformed.length).toBeGreaterThan(0);
  });

  it.each(good)("%s parses", (name) => {
    expect(() => parseFixture(name)).not.toThrow();
  });

  it.each(malformed)("%s fails with a ZodError", (name) => {
    expect(() => parseFixture(name)).toThrow(ZodError);
  });

  it.each(odd)("%s parses, noting its odd part", (name) => {
    expect(parseNoting(body(name)).oddities.length).toBeGreaterThan(0);
  });
});

describe("measurementSchema", () => {
  it("summarises a v2 DNS measurement (udp + tcp, every probe status, nsid)", () => {
    expect(parseFixture("measurement-dns-v2.json")).toEqual({
      cycleCalculationDateTime: 1795434960,
      service: "dns",
      status: "Down",
      probes: [
        { city: "Amsterdam", status: "up" },
        { city: "Frankfurt", status: "down" },
        { city: "Nairobi", status: "offline" },
        { city: "Singapore", status: "down" },
        { city: "Sydney", status: "no_result" },
        { city: "Tokyo", status: "down" },
      ],
      probeCounts: { up: 1, down: 3, offline: 1, no_result: 1 },
      testErrors: [
        { interface: "DNS", code: "-200", description: "No reply from name server", count: 3 },
        {
          interface: "DNS",
          code: "-600",
          description: "Timeout waiting for a reply from name server (TCP)",
          count: 1,
        },
        {
          interface: "DNS",
          code: "-816",
          description: "DNSSEC: signature expired (TCP)",
          count: 1,
        },
      ],
      nameServers: [
        { name: "ns1.example", up: false },
        { name: "ns2.example", up: true },
      ],
      nameServerProbes: [
        { name: "ns1.example", up: 1, down: 1 },
        { name: "ns2.example", up: 2, down: 0 },
      ],
    });
  });

  it("keeps neither tested names, target IPs, RTTs, NSIDs nor non-NS targets", () => {
    const kept = JSON.stringify([
      parseFixture("measurement-dns-v2.json"),
      parseFixture("measurement-rdds-v2.json"),
      parseFixture("measurement-rdap-v2.json"),
    ]);
    for (const dropped of [
      "xn--test-probe",
      "192.0.2.",
      "2001:db8",
      "312e746c6c2e706368",
      "whois.nic.example",
      "rdap.nic.example",
      "rtt",
      "tld",
    ]) {
      expect(kept).not.toContain(dropped);
    }
  });

  it("summarises an RDDS measurement: a probe is as bad as its worst interface", () => {
    expect(parseFixture("measurement-rdds-v2.json")).toEqual({
      cycleCalculationDateTime: 1795434900,
      service: "rdds",
      status: "Down",
      probes: [
        { city: "Amsterdam", status: "down" },
        { city: "Frankfurt", status: "down" },
        { city: "Nairobi", status: "up" },
        { city: "Singapore", status: "no_result" },
        { city: "Tokyo", status: "offline" },
      ],
      probeCounts: { up: 1, down: 2, offline: 1, no_result: 1 },
      testErrors: [
        { interface: "RDDS43", code: "-227", description: "Timeout", count: 1 },
        {
          interface: "RDDS80",
          code: "-349",
          description: "Expected HTTP status 200, got 500",
          count: 1,
        },
      ],
      nameServers: [],
    });
  });

  it("summarises an RDAP measurement with HTTP-status codes", () => {
    const summary = parseFixture("measurement-rdap-v2.json");
    expect(summary.testErrors).toEqual([
      {
        interface: "RDAP",
        code: "-526",
        description: "Expected HTTP status 200, got 404",
        count: 2,
      },
      {
        interface: "RDAP",
        code: "-549",
        description: "Expected HTTP status 200, got 500",
        count: 1,
      },
    ]);
    expect(summary.probeCounts).toEqual({ up: 2, down: 3, offline: 0, no_result: 0 });
  });

  it("reads a v1 measurement without the v2 fields", () => {
    expect(parseFixture("measurement-dnssec-v1.json")).toEqual({
      cycleCalculationDateTime: 1795434960,
      service: "dnssec",
      status: "Up",
      probes: [
        { city: "Amsterdam", status: "up" },
        { city: "Frankfurt", status: "down" },
        { city: "Nairobi", status: "up" },
      ],
      probeCounts: { up: 2, down: 1, offline: 0, no_result: 0 },
      testErrors: [
        {
          interface: "DNSSEC",
          code: "-401",
          description: "DNSSEC: the TLD is DNSSEC-enabled but has no DNSKEY at the apex",
          count: 2,
        },
      ],
      nameServers: [],
      // v1 has no nameServerAvailability: the DNSSEC interface's testData tell the same.
      nameServerProbes: [{ name: "ns1.example", up: 2, down: 1 }],
    });
  });

  it('reads legacy "<code>, <description>" results, "OK" and null testData', () => {
    const summary = parseFixture("measurement-dns-legacy-results.json");
    expect(summary.service).toBe("dns");
    expect(summary.testErrors).toEqual([
      { interface: "DNS", code: "-200", description: "No reply from name server", count: 1 },
      {
        interface: "DNS",
        code: "-201",
        description: "Obsolete: invalid reply from name server",
        count: 1,
      },
    ]);
    expect(summary.probes).toContainEqual({ city: "Nairobi", status: "no_result" });
  });

  it("accepts results as numbers and strings alike", () => {
    const summary = measurementSchema.parse(
      measurement({ DNS: [{ city: "A", status: "Down", results: [-816, "-816", " -816 "] }] }),
    );
    expect(summary.testErrors).toEqual([
      { interface: "DNS", code: "-816", description: "DNSSEC: signature expired (TCP)", count: 3 },
    ]);
  });

  it("counts internal errors too, under their catalogue description", () => {
    const summary = measurementSchema.parse(
      measurement({ DNS: [{ city: "A", status: "Up", results: ["-2", "-150"] }] }),
    );
    expect(summary.testErrors.map((e) => [e.code, e.description])).toEqual([
      ["-2", "Internal error: unexpected RCODE from the local resolver (UDP)"],
      ["-150", "Internal error (probe side, not counted against the registry)"],
    ]);
  });

  it("sorts errors by interface, then by code in catalogue order", () => {
    const summary = measurementSchema.parse(
      measurement({
        RDDS80: [{ city: "A", status: "Down", results: ["-349", "-206"] }],
        dns: [{ city: "A", status: "Down", results: ["-816", "-1", "-200", "-9", "-600"] }],
      }),
    );
    expect(summary.testErrors.map((e) => `${e.interface} ${e.code}`)).toEqual([
      "DNS -1",
      "DNS -9",
      "DNS -200",
      "DNS -600",
      "DNS -816",
      "RDDS80 -206",
      "RDDS80 -349",
    ]);
  });

  it("describes an unknown code as such", () => {
    const summary = measurementSchema.parse(
      measurement({ EPP: [{ city: "A", status: "Down", results: ["-999"] }] }),
    );
    expect(summary.testErrors[0]?.description).toBe("Unknown error code");
  });

  describe("probe status", () => {
    it.each([
      ["Up", "up"],
      ["UP", "up"],
      ["Down", "down"],
      ["down", "down"],
      ["Offline", "offline"],
      ["OFFLINE", "offline"],
      ["No result", "no_result"],
      ["NO RESULT", "no_result"],
      ["no_result", "no_result"],
      ["No-Result", "no_result"],
      ["Maintenance", "unknown"],
      ["", "unknown"],
      ["unknown", "unknown"],
    ])("reads %j as %s", (raw, expected) => {
      const summary = measurementSchema.parse(measurement({ DNS: [{ city: "A", status: raw }] }));
      expect(summary.probes).toEqual([{ city: "A", status: expected }]);
    });

    const ORDER = ["Up", "Maintenance", "Offline", "No result", "Down"] as const;
    const NORMALISED = ["up", "unknown", "offline", "no_result", "down"] as const;
    const pairs = ORDER.flatMap((a, i) =>
      ORDER.map((b, j) => [a, b, NORMALISED[Math.max(i, j)]] as const),
    );

    it.each(pairs)("%s on one interface and %s on another is %s", (a, b, worst) => {
      const summary = measurementSchema.parse(
        measurement({
          RDDS43: [{ city: "Lima", status: a }],
          RDDS80: [{ city: "Lima", status: b }],
        }),
      );
      expect(summary.probes).toEqual([{ city: "Lima", status: worst }]);
    });

    it("counts unknown probes nowhere", () => {
      const summary = measurementSchema.parse(
        measurement({
          DNS: [
            { city: "A", status: "Up" },
            { city: "B", status: "Sleeping" },
          ],
        }),
      );
      expect(summary.probes).toHaveLength(2);
      expect(summary.probeCounts).toEqual({ up: 1, down: 0, offline: 0, no_result: 0 });
    });

    it("sorts probes by city in code-unit order", () => {
      const summary = measurementSchema.parse(
        measurement({
          DNS: ["b", "B", "a", "Zürich", "Zagreb"].map((city) => ({ city, status: "Up" })),
        }),
      );
      expect(summary.probes.map((p) => p.city)).toEqual(["B", "Zagreb", "Zürich", "a", "b"]);
    });
  });

  describe("name servers", () => {
    const nameServerAvailability = {
      nameServerStatus: [
        { target: "ns2.example", status: "UP" },
        { target: "ns1.example", status: "Up" },
        { target: "ns1.example", status: "Down" },
        { target: "ns3.example", status: "Degraded" },
      ],
    };

    it("merges, sorts and reads Up case-insensitively for dns and dnssec", () => {
      for (const service of ["dns", "DNSSEC"]) {
        const summary = measurementSchema.parse(
          measurement({}, { service, nameServerAvailability }),
        );
        expect(summary.nameServers).toEqual([
          { name: "ns1.example", up: false },
          { name: "ns2.example", up: true },
          { name: "ns3.example", up: false },
        ]);
      }
    });

    it("are empty for other services", () => {
      const summary = measurementSchema.parse(
        measurement({}, { service: "rdds", nameServerAvailability }),
      );
      expect(summary.nameServers).toEqual([]);
    });

    it("are empty when nameServerAvailability is null", () => {
      const summary = measurementSchema.parse(
        measurement({}, { nameServerAvailability: null, minNameServersUp: 2 }),
      );
      expect(summary.nameServers).toEqual([]);
    });
  });

  it("ignores the values of fields it does not keep", () => {
    const raw = measurement({ DNS: [{ city: "A", status: "Up", results: ["ok"] }] });
    const probe = (raw["testedInterface"] as { probes: Record<string, unknown>[] }[])[0]!
      .probes[0]!;
    probe["transport"] = 17;
    probe["testedName"] = null;
    const data = (probe["testData"] as Record<string, unknown>[])[0]!;
    data["target"] = null;
    data["metrics"] = [{ result: "ok", rtt: "47", nsid: 5, testDateTime: "later" }];
    expect(() => measurementSchema.parse(raw)).not.toThrow();
  });

  it.each([
    ["a result that is no code", { results: ["timeout"] }],
    ["a fractional result", { results: [-816.5] }],
    ["a code of ten digits", { results: ["-1234567890"] }],
  ])("drops %s, noting where it was", (_what, probe) => {
    const raw = measurement({ DNS: [{ city: "A", status: "Down", ...probe }] });
    const { value, oddities } = parseNoting(raw);
    expect(value.testErrors).toEqual([]);
    expect(value.probes).toEqual([{ city: "A", status: "down" }]);
    expect(oddities).toEqual([
      { reason: "wrong_type", path: "testedInterface[0].probes[0].testData[0].metrics[0].result" },
    ]);
  });

  it.each([
    ["service", { service: 5 }],
    ["status", { status: null }],
    ["cycleCalculationDateTime", { cycleCalculationDateTime: "yesterday" }],
  ])("rejects a wrong %s (the measurement's core)", (_field, extra) => {
    expect(() => measurementSchema.parse(measurement({}, extra))).toThrow(ZodError);
  });

  it.each([
    [
      "a missing testedInterface",
      { testedInterface: undefined },
      "missing_field",
      "testedInterface",
    ],
    [
      "a name-server entry without a name",
      { nameServerAvailability: { nameServerStatus: [{ target: 1, status: "Up" }] } },
      "wrong_type",
      "nameServerAvailability.nameServerStatus[0].target",
    ],
    [
      "a null nameServerAvailability",
      { nameServerAvailability: null },
      "null_value",
      "nameServerAvailability",
    ],
  ])("costs only the part: %s", (_what, extra, reason, path) => {
    const { value, oddities } = parseNoting(measurement({}, extra));
    expect(value.cycleCalculationDateTime).toBe(1795434960);
    expect(value.nameServers).toEqual([]);
    expect(oddities).toEqual([{ reason, path }]);
  });

  it("reads name-server probes beside nameServerStatus (SLAM) and nested in it (another client)", () => {
    const beside = {
      nameServerStatus: [
        { target: "ns1.example", status: "Down" },
        { target: "ns2.example", status: "Up" },
      ],
      probes: [
        {
          city: "A",
          testData: [
            { target: "ns1.example", status: "Down" },
            { target: "ns2.example", status: "Up" },
          ],
        },
        {
          city: "B",
          testData: [
            { target: "ns1.example", status: "Up" },
            { target: "ns2.example", status: "Up" },
          ],
        },
      ],
    };
    const nested = {
      nameServerStatus: [
        {
          target: "ns1.example",
          status: "Down",
          probes: [
            { city: "A", status: "Down" },
            { city: "B", status: "Up" },
          ],
        },
        {
          target: "ns2.example",
          status: "Up",
          probes: [
            { city: "A", status: "Up" },
            { city: "B", status: "Up" },
          ],
        },
      ],
    };
    const expected = [
      { name: "ns1.example", up: 1, down: 1 },
      { name: "ns2.example", up: 2, down: 0 },
    ];
    for (const availability of [beside, nested]) {
      const { value, oddities } = parseNoting(
        measurement({}, { nameServerAvailability: availability }),
      );
      expect(value.nameServerProbes).toEqual(expected);
      expect(value.nameServers).toEqual([
        { name: "ns1.example", up: false },
        { name: "ns2.example", up: true },
      ]);
      expect(oddities).toEqual([]);
    }
  });

  it("reads an answer carrying both layouts as one: each probe once per name server, Down winning", () => {
    const availability = {
      nameServerStatus: [
        {
          target: "ns1.example",
          status: "Down",
          // A and B disagree with the probes beside; C is only listed here; E's status is
          // neither Up nor Down.
          probes: [
            { city: "A", status: "Up" },
            { city: "B", status: "Down" },
            { city: "C", status: "Up" },
            { city: "E", status: "Offline" },
          ],
        },
        { target: "ns2.example", status: "Up", probes: [{ city: "A", status: "Up" }] },
      ],
      probes: [
        {
          city: "A",
          testData: [
            { target: "ns1.example", status: "Down" },
            { target: "ns2.example", status: "Up" },
          ],
        },
        {
          city: "B",
          testData: [
            { target: "ns1.example", status: "Up" },
            { target: "ns2.example", status: "up" },
          ],
        },
      ],
    };
    // The interfaces' testData (ns1.example Up at A, B, C and D) are not read: the
    // availability has verdicts, and D is in no layout of it.
    const raw = measurement(
      {
        DNS: ["A", "B", "C", "D"].map((city) => ({ city, status: "Up" })),
      },
      { nameServerAvailability: availability },
    );
    const { value, oddities } = parseNoting(raw);
    const expected = [
      { name: "ns1.example", up: 1, down: 2 },
      { name: "ns2.example", up: 2, down: 0 },
    ];
    expect(value.nameServerProbes).toEqual(expected);
    expect(oddities).toEqual([]);
    // One reader: the recent measurement counts the same.
    expect(recentMeasurementSchema.parse(raw).nameServerProbes).toEqual(expected);
  });

  it("reads the DNS/DNSSEC interfaces' testData only when nameServerAvailability has no verdict", () => {
    const tested = (city: string, tests: [string, string][]) => ({
      city,
      status: "Up",
      testData: tests.map(([target, status]) => ({ target, status, metrics: [] })),
    });
    const raw = {
      ...measurement({}),
      // SLAM's shape, but without a single per-probe verdict (every probe offline, say).
      nameServerAvailability: { nameServerStatus: [], probes: [] },
      testedInterface: [
        {
          interface: "DNS",
          probes: [
            tested("A", [
              ["ns1.example", "Up"],
              ["ns2.example", "Down"],
            ]),
            tested("B", [["ns1.example", "Down"]]),
          ],
        },
        // Not a name-server interface: its targets are not name servers.
        { interface: "RDDS43", probes: [tested("A", [["whois.nic.example", "Down"]])] },
      ],
    };
    const expected = [
      { name: "ns1.example", up: 1, down: 1 },
      { name: "ns2.example", up: 0, down: 1 },
    ];
    expect(measurementSchema.parse(raw).nameServerProbes).toEqual(expected);
    expect(recentMeasurementSchema.parse(raw).nameServerProbes).toEqual(expected);
  });

  describe("probe records", () => {
    it("shares one frozen record per city and status across measurements", () => {
      const text = fixtureText("mosapi/measurement-dns-v2.json");
      // Two parses of one text: equal cities, but each its own string, as from two answers.
      const first = measurementSchema.parse(JSON.parse(text));
      const second = measurementSchema.parse(JSON.parse(text));
      expect(first.probes.length).toBeGreaterThan(0);
      first.probes.forEach((record, index) => {
        expect(second.probes[index]).toBe(record);
        expect(Object.isFrozen(record)).toBe(true);
      });
    });

    it("gives new pairs records of their own once the table is full, the summaries unchanged", async () => {
      // A fresh module: its table starts empty whatever ran before in this file.
      vi.resetModules();
      const fresh = await import("../../src/mosapi/measurement.js");
      const batch = (n: number) =>
        measurement({
          DNS: Array.from({ length: MEASUREMENT_LIMITS.probes }, (_, i) => ({
            city: `city-${n}-${String(i).padStart(3, "0")}`,
            status: "Up",
          })),
        });
      const batches = Math.ceil(fresh.PROBE_RECORDS_LIMIT / MEASUREMENT_LIMITS.probes) + 1;
      for (let n = 0; n < batches - 1; n++) fresh.measurementSchema.parse(batch(n));
      const last = fresh.measurementSchema.parse(batch(batches - 1));
      const again = fresh.measurementSchema.parse(batch(batches - 1));
      expect(last.probes).toHaveLength(MEASUREMENT_LIMITS.probes);
      expect(last.probes[0]).toEqual({ city: `city-${batches - 1}-000`, status: "up" });
      expect(again.probes).toEqual(last.probes);
      expect(again.probes[0]).not.toBe(last.probes[0]);
      // Pairs from before the table filled up are still shared.
      const early = fresh.measurementSchema.parse(batch(0));
      expect(early.probes[0]).toBe(fresh.measurementSchema.parse(batch(0)).probes[0]);
    });
  });

  describe("limits", () => {
    it(`keeps ${MEASUREMENT_LIMITS.probes} probes but counts them all`, () => {
      const probes = Array.from({ length: 600 }, (_, i) => ({
        city: `probe-${String(i).padStart(4, "0")}`,
        status: i % 2 === 0 ? "Up" : "Down",
      }));
      const summary = measurementSchema.parse(measurement({ DNS: probes }));
      expect(summary.probes).toHaveLength(MEASUREMENT_LIMITS.probes);
      expect(summary.probes.at(-1)?.city).toBe("probe-0499");
      expect(summary.probeCounts).toEqual({ up: 300, down: 300, offline: 0, no_result: 0 });
    });

    it(`keeps the first ${MEASUREMENT_LIMITS.errorGroups} error groups`, () => {
      const results = Array.from({ length: 300 }, (_, i) => String(-1000 - i));
      const summary = measurementSchema.parse(
        measurement({ DNS: [{ city: "A", status: "Down", results }] }),
      );
      expect(summary.testErrors).toHaveLength(MEASUREMENT_LIMITS.errorGroups);
      expect(summary.testErrors[0]?.code).toBe("-1000");
      expect(summary.testErrors.at(-1)?.code).toBe("-1199");
    });

    it(`keeps ${MEASUREMENT_LIMITS.nameServers} name servers`, () => {
      const nameServerStatus = Array.from({ length: 150 }, (_, i) => ({
        target: `ns${String(i).padStart(3, "0")}.example`,
        status: "Up",
      }));
      const summary = measurementSchema.parse(
        measurement({}, { nameServerAvailability: { nameServerStatus } }),
      );
      expect(summary.nameServers).toHaveLength(MEASUREMENT_LIMITS.nameServers);
    });

    it("cuts kept strings", () => {
      const city = "x".repeat(10_000);
      const summary = measurementSchema.parse(
        measurement({ DNS: [{ city, status: "Up" }] }, { status: "U".repeat(10_000) }),
      );
      expect(summary.probes[0]?.city).toHaveLength(MEASUREMENT_LIMITS.textLength);
      expect(summary.status).toHaveLength(MEASUREMENT_LIMITS.textLength);
    });

    it("strips a deeply nested unknown field without walking it", () => {
      let deep: unknown = "bottom";
      for (let i = 0; i < 100_000; i += 1) deep = { next: deep };
      const summary = measurementSchema.parse(measurement({}, { debug: deep }));
      expect(summary).not.toHaveProperty("debug");
    });

    it("reduces a large body to a bounded summary", () => {
      const probes = Array.from({ length: 2_000 }, (_, i) => ({
        city: `p${i}`,
        status: "Down",
        results: Array.from({ length: 20 }, (_, j) => String(-200 - ((i + j) % 400))),
      }));
      const summary = measurementSchema.parse(measurement({ DNS: probes }));
      expect(summary.probes).toHaveLength(MEASUREMENT_LIMITS.probes);
      expect(summary.testErrors).toHaveLength(MEASUREMENT_LIMITS.errorGroups);
      expect(summary.testErrors.reduce((sum, e) => sum + e.count, 0)).toBeLessThanOrEqual(
        2_000 * 20,
      );
    });
  });
});
