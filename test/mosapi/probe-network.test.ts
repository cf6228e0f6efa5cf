import { describe, expect, it } from "vitest";
import {
  fileListingSchema,
  newestTraces,
  parseTraceFileName,
  summariseTrace,
  traceReportSchema,
  treeDay,
} from "../../src/mosapi/probe-network.js";
import { recentMeasurementSchema } from "../../src/mosapi/recent-measurement.js";

describe("trace file names", () => {
  it("reads <probe>-<ip>-<cycle>-<test>.json.gz from the right (probes may hold '-')", () => {
    expect(parseTraceFileName("Sao-Paulo-2001:db8::1-1795435200-1795435231.json.gz")).toEqual({
      file: "Sao-Paulo-2001:db8::1-1795435200-1795435231.json.gz",
      probe: "Sao-Paulo",
      ip: "2001:db8::1",
      cycle: 1795435200,
      test: 1795435231,
    });
    expect(parseTraceFileName("Sydney-192.0.2.1-1-2.json")?.ip).toBe("192.0.2.1");
  });

  it.each([
    "Sydney-192.0.2.1-1795435200.json.gz",
    "Sydney-999.0.2.1-1-2.json.gz",
    "-192.0.2.1-1-2.json.gz",
    "../x-192.0.2.1-1-2.json.gz",
    "Sydney-192.0.2.1-1-2.txt",
  ])("refuses %s", (name) => {
    expect(parseTraceFileName(name)).toBeUndefined();
  });

  it("keeps the newest file per probe × IP", () => {
    const newest = newestTraces([
      "A-192.0.2.1-100-110.json.gz",
      "A-192.0.2.1-400-420.json.gz",
      "A-192.0.2.2-100-105.json.gz",
      "not a trace",
    ]);
    expect(newest.map((t) => t.file)).toEqual([
      "A-192.0.2.1-400-420.json.gz",
      "A-192.0.2.2-100-105.json.gz",
    ]);
  });
});

describe("day listings", () => {
  it("take the file list from any array of strings, or a bare array", () => {
    expect(fileListingSchema.parse({ version: 2, mtr: ["a", "b"] })).toEqual(["a", "b"]);
    expect(fileListingSchema.parse({ version: 2, files: [1, "x", null] })).toEqual(["1", "x"]);
    expect(fileListingSchema.parse(["a"])).toEqual(["a"]);
    expect(fileListingSchema.parse({ version: 2 })).toEqual([]);
  });

  it("name UTC days as the tree does", () => {
    expect(treeDay(Date.UTC(2026, 0, 2, 23, 59))).toEqual({ year: "2026", month: "01", day: "02" });
  });
});

describe("mtr reports", () => {
  const file = parseTraceFileName("A-192.0.2.9-100-110.json.gz")!;
  const hub = (count: number, host: string, loss: number, avg = 10) => ({
    count,
    host,
    ASN: "AS64500",
    "Loss%": loss,
    Avg: avg,
  });

  it("ignores loss at a middle hop that later hops do not share (ICMP rate limiting)", () => {
    const hubs = traceReportSchema.parse({
      report: {
        mtr: { dst: "192.0.2.9" },
        hubs: [hub(1, "198.51.100.1", 0), hub(2, "198.51.100.2", 40), hub(3, "192.0.2.9", 0, 25)],
      },
    });
    expect(summariseTrace(file, hubs)).toEqual({
      probe: "A",
      ip: "192.0.2.9",
      testTime: 110,
      hops: 3,
      reached: true,
      lossRatio: 0,
      rttSeconds: 0.025,
    });
  });

  it("says where loss starts when the address is not reached", () => {
    const hubs = traceReportSchema.parse({
      report: {
        hubs: [
          hub(1, "198.51.100.1", 0),
          hub(2, "203.0.113.7", 70),
          { count: "3", host: "???", ASN: "AS???", "Loss%": "100.0" },
        ],
      },
    });
    expect(summariseTrace(file, hubs)).toMatchObject({
      reached: false,
      lossRatio: 1,
      hops: 3,
      lossStart: { hop: 2, host: "203.0.113.7", asn: "AS64500" },
    });
  });
});

describe("recent measurements", () => {
  it("count probes per name server from probes nested in nameServerStatus, and keep target IPs", () => {
    const measurement = recentMeasurementSchema.parse({
      service: "dns",
      cycleCalculationDateTime: 1795435140,
      status: "Up",
      nameServerAvailability: {
        nameServerStatus: [
          {
            target: "ns1.example",
            status: "Up",
            probes: [
              { city: "A", status: "Down" },
              { city: "B", status: "Up" },
            ],
          },
        ],
      },
      testedInterface: [
        {
          interface: "DNS",
          probes: [
            {
              city: "A",
              status: "Down",
              testData: [
                {
                  target: "ns1.example",
                  status: "Down",
                  metrics: [{ targetIP: "192.0.2.1", result: "-200" }],
                },
              ],
            },
            {
              city: "B",
              status: "Up",
              testData: [
                {
                  target: "ns1.example",
                  status: "Up",
                  metrics: [{ targetIP: "192.0.2.1", result: "ok" }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(measurement.nameServerProbes).toEqual([{ name: "ns1.example", up: 1, down: 1 }]);
    expect(measurement.targetIps).toEqual([{ ip: "192.0.2.1", role: "nameserver" }]);
    expect(measurement.probeCounts).toEqual({ up: 1, down: 1, offline: 0, no_result: 0 });
  });

  it("keeps each tested address once with its interface's role, skipping odd entries with what they hold", () => {
    const metric = (targetIP: unknown) => ({ targetIP, result: "ok" });
    const test = (metrics: unknown, extra: object = {}) => ({
      target: "ns1.example",
      status: "Up",
      metrics,
      ...extra,
    });
    const probe = (testData: unknown, extra: object = {}) => ({
      city: "A",
      status: "Up",
      testData,
      ...extra,
    });
    const tested = (name: unknown, probes: unknown) => ({ interface: name, probes });
    const measurement = recentMeasurementSchema.parse({
      service: "dns",
      cycleCalculationDateTime: 1795435140,
      status: "Up",
      testedInterface: [
        tested(" dns ", [
          probe([
            test([metric("192.0.2.1"), metric(" 2001:DB8::1 "), metric("ns.example"), "x"]),
            test([metric("192.0.2.10")], { status: null }),
            test([metric(`192.0.2.${"1".repeat(40)}`)]),
          ]),
          probe([test([metric("192.0.2.11")])], { city: undefined }),
          probe(null),
          null,
        ]),
        tested("RDDS43", [probe([test([metric("192.0.2.2"), metric("192.0.2.1")])])]),
        tested("RDDS80", [probe([test([metric("192.0.2.3")])])]),
        tested("RDAP", [probe([test([metric("192.0.2.4"), metric(4)])])]),
        tested("EPP", [probe([test([metric("192.0.2.12")])])]),
        tested(7, [probe([test([metric("192.0.2.13")])])]),
        [tested("DNS", [probe([test([metric("192.0.2.14")])])])],
      ],
    });
    expect(measurement.targetIps).toEqual([
      { ip: "192.0.2.1", role: "nameserver" },
      { ip: "192.0.2.2", role: "rdds43" },
      { ip: "192.0.2.3", role: "rdds80" },
      { ip: "192.0.2.4", role: "rdap" },
      { ip: "2001:db8::1", role: "nameserver" },
    ]);
  });

  it("reads no addresses from a body whose testedInterface is not a list", () => {
    for (const testedInterface of [undefined, null, {}, "DNS"]) {
      const body = { service: "rdap", cycleCalculationDateTime: 1795435140, status: "Up" };
      expect(recentMeasurementSchema.parse({ ...body, testedInterface }).targetIps).toEqual([]);
    }
  });
});
