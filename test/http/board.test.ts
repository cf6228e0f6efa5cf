import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import {
  EARLY_WARNING,
  crossesEarlyWarning,
  earlyWarnings,
  formatDuration,
  hasEarlyWarning,
  iso,
  targetPath,
} from "../../src/http/board.js";
import { healthy, recent, state, warned } from "./board-fixtures.js";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [60_000, "1m"],
    [3_600_000, "1h 0m"],
    [90_061_000, "1d 1h 1m"],
    [-5, "0s"],
  ])("%i ms → %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("iso", () => {
  it("prints UTC to the second", () => {
    expect(iso(Date.parse("2025-03-04T05:06:07.890Z"))).toBe("2025-03-04T05:06:07Z");
  });
});

describe("targetPath", () => {
  it("names the entity and the URL-encoded id", () => {
    expect(targetPath({ entity: "ry", id: "xn--zckzah" })).toBe("/targets/ry/xn--zckzah");
    expect(targetPath({ entity: "rr", id: "9999" })).toBe("/targets/rr/9999");
    expect(targetPath({ entity: "ry", id: "a/b?c" })).toBe("/targets/ry/a%2Fb%3Fc");
  });
});

describe("earlyWarnings", () => {
  it("names each name server that at least 25 % and 2 of the probes lose, and the service", () => {
    expect(earlyWarnings(warned)).toEqual([
      { service: "dns", nameServer: "ns1.warned", down: 2, probes: 6, cycle: 1741064400 },
    ]);
    // RDAP: 1 of 6 probes down is below both halves of the line.
    const rdapDown: TargetSnapshot = {
      ...warned,
      measurements: { rdap: recent("rdap", { up: 4, down: 2, offline: 3, no_result: 1 }) },
    };
    // Offline probes and probes without a result have no verdict: 2 of 6, not 2 of 10.
    expect(earlyWarnings(rdapDown)).toEqual([
      { service: "rdap", down: 2, probes: 6, cycle: 1741064400 },
    ]);
  });

  it("needs both the share and the count, as the alert does", () => {
    expect(crossesEarlyWarning(2, 8)).toBe(true);
    expect(crossesEarlyWarning(2, 9)).toBe(false);
    expect(crossesEarlyWarning(1, 2)).toBe(false);
    expect(crossesEarlyWarning(0, 0)).toBe(false);
  });

  it("says nothing for a service that is not up: down or inconclusive has its own signal", () => {
    const dnsDown: TargetSnapshot = {
      ...warned,
      state: state("Down", { DNS: { status: "Down", emergencyThreshold: 1 } }, "warned"),
    };
    expect(earlyWarnings(dnsDown)).toEqual([]);
    expect(hasEarlyWarning(healthy)).toBe(false);
  });

  it("uses the thresholds of the alert MosapiNameServerLosingProbes", () => {
    const file = path.resolve(import.meta.dirname, "../../prometheus/mosapi-alerts.yml");
    const rules = parse(readFileSync(file, "utf8")) as {
      groups: { rules: { alert?: string; expr: string }[] }[];
    };
    const alert = rules.groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === "MosapiNameServerLosingProbes");
    const expr = alert?.expr.replace(/\s+/g, " ") ?? "";
    expect(expr).toContain(
      `sum without (status) (mosapi_measurement_nameserver_probes) >= ${EARLY_WARNING.share}`,
    );
    expect(expr).toContain(
      `sum without (status) (mosapi_measurement_nameserver_probes{status="down"}) >= ${EARLY_WARNING.minProbes}`,
    );
    expect(expr).toContain('mosapi_service_status{status="up"} == 1');
  });
});

describe("earlyWarnings order", () => {
  it("lists the name servers the probes lose before the service they lose", () => {
    const both: TargetSnapshot = {
      ...warned,
      measurements: {
        dns: recent("dns", { up: 4, down: 2 }, [{ name: "ns1.warned", up: 3, down: 3 }]),
      },
    };
    expect(earlyWarnings(both).map((w) => w.nameServer ?? "(service)")).toEqual([
      "ns1.warned",
      "(service)",
    ]);
  });
});
