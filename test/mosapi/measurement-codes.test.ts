import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compareErrorCodes,
  describeTestError,
  INTERNAL_ERROR,
  isDnssecError,
  isInternalError,
  listErrorCodes,
  parseResultCode,
  renderMeasurementCodesMarkdown,
  TEST_INTERFACES,
  UNKNOWN_ERROR_CODE,
} from "../../src/mosapi/measurement-codes.js";

describe("describeTestError", () => {
  it.each([
    ["DNS", -200, "No reply from name server"],
    ["EPP", -200, "No EPP IP"],
    ["RDDS43", -200, "Obsolete: no reply from RDDS43 server"],
    ["RDAP", -200, UNKNOWN_ERROR_CODE],
    ["DNS", -201, "Obsolete: invalid reply from name server"],
    ["RDDS43", -201, "Whois reply contained no name servers"],
    ["RDDS80", -201, UNKNOWN_ERROR_CODE],
    ["EPP", -201, "Cannot connect to EPP server"],
    ["RDDS80", -206, "No HTTP status code"],
    ["EPP", -206, "Invalid reply to LOGIN command"],
    ["DNS", -252, "Obsolete code (old data only)"],
    ["RDDS80", -252, "Host resolution: expected NOERROR, got SERVFAIL"],
    ["DNS", -255, "Non-existent domain query: expected NXDOMAIN, got NOTIMP"],
    ["RDDS80", -255, "Timeout"],
    ["DNS", -400, "No server could be reached by the local resolver"],
    ["RDAP", -400, "Host resolution: no server could be reached by the local resolver"],
    ["DNS", -405, "DNSSEC: unknown cryptographic algorithm"],
    ["RDAP", -405, "Timeout"],
    ["DNS", -407, "DNSSEC: no RRSIGs although the TLD is DNSSEC-enabled"],
    ["RDAP", -407, "Invalid JSON in response"],
  ])("%s %i is %j (same number, different meaning)", (iface, code, description) => {
    expect(describeTestError(iface, code)).toBe(description);
  });

  it("gives DNSSEC the DNS table", () => {
    for (const entry of listErrorCodes("DNS")) {
      expect(describeTestError("DNSSEC", entry.code)).toBe(entry.description);
    }
    expect(listErrorCodes("DNSSEC")).toEqual(listErrorCodes("DNS"));
  });

  it("matches interface names case-insensitively and codes as strings", () => {
    expect(describeTestError("dnssec", "-816")).toBe("DNSSEC: signature expired (TCP)");
    expect(describeTestError(" Rdap ", " -526 ")).toBe("Expected HTTP status 200, got 404");
  });

  it.each([
    ["DNS", -9999],
    ["DNS", 0],
    ["DNS", 200],
    ["DNS", "abc"],
    ["DNS", "-200, No reply from name server"],
    ["DNS", -200.5],
    ["SMTP", -200],
    ["", -816],
  ])("%j %j is unknown", (iface, code) => {
    expect(describeTestError(iface, code)).toBe(UNKNOWN_ERROR_CODE);
  });

  describe("internal range", () => {
    it.each(TEST_INTERFACES)("-1 and -199 on %s are internal errors", (iface) => {
      expect(describeTestError(iface, -1)).toBe(INTERNAL_ERROR);
      expect(describeTestError(iface, -199)).toBe(INTERNAL_ERROR);
      expect(describeTestError(iface, -150)).toBe(INTERNAL_ERROR);
    });

    it("applies to interfaces the catalogue does not know", () => {
      expect(describeTestError("SMTP", -7)).toBe(INTERNAL_ERROR);
    });

    it.each([
      ["DNS", -2, "Internal error: unexpected RCODE from the local resolver (UDP)"],
      ["DNS", -3, "Internal error: unexpected RCODE from the local resolver (TCP)"],
      ["DNS", -4, INTERNAL_ERROR],
      [
        "RDDS43",
        -2,
        "Internal error: the host's IP addresses use IP versions the probe does not support",
      ],
      ["RDDS43", -3, "Internal error: unexpected error resolving the RDDS43 host"],
      ["RDDS80", -3, INTERNAL_ERROR],
      ["RDDS80", -4, "Internal error: unexpected error resolving the RDDS80 host"],
      ["RDAP", -5, "Internal error: unexpected error resolving the RDAP host"],
      ["RDAP", -4, INTERNAL_ERROR],
      [
        "EPP",
        -2,
        "Internal error: the host's IP addresses use IP versions the probe does not support",
      ],
      ["EPP", -5, INTERNAL_ERROR],
    ])("%s %i is %j", (iface, code, description) => {
      expect(describeTestError(iface, code)).toBe(description);
    });
  });

  describe("DNS over TCP", () => {
    it("shifts every UDP code but -200 by -400 and appends (TCP)", () => {
      const udp = listErrorCodes("DNS").filter(
        (e) => e.kind !== "obsolete" && e.code <= -207 && e.code >= -427,
      );
      expect(udp.length).toBeGreaterThan(40);
      for (const entry of udp) {
        expect(describeTestError("DNS", entry.code - 400)).toBe(`${entry.description} (TCP)`);
      }
    });

    it.each([
      [-600, "Timeout waiting for a reply from name server (TCP)"],
      [-601, "Error opening connection to name server (TCP)"],
      [-607, "Expected DNS class IN, got CHAOS (TCP)"],
      [-615, "Malformed DNS response (TCP)"],
      [-650, "Non-existent domain query: AA flag missing (TCP)"],
      [-669, "Non-existent domain query: expected NXDOMAIN, got BADCOOKIE (TCP)"],
      [-670, "Non-existent domain query: expected NXDOMAIN, got an unexpected RCODE (TCP)"],
      [-800, "No server could be reached by the local resolver (TCP)"],
      [-816, "DNSSEC: signature expired (TCP)"],
      [-827, "DNSSEC: malformed DNSSEC response (TCP)"],
      [-652, "Obsolete code (old data only)"],
      [-602, UNKNOWN_ERROR_CODE],
      [-616, UNKNOWN_ERROR_CODE],
    ])("%i is %j", (code, description) => {
      expect(describeTestError("DNS", code)).toBe(description);
    });

    it("has the NXDOMAIN-test RCODEs in order from -253 to -269", () => {
      expect(describeTestError("DNS", -253)).toMatch(/got FORMERR$/);
      expect(describeTestError("DNS", -262)).toMatch(/got BADVERS or BADSIG$/);
      expect(describeTestError("DNS", -269)).toMatch(/got BADCOOKIE$/);
    });
  });

  describe("HTTP-status ranges", () => {
    const OFFSETS: [offset: number, status: string][] = [
      [0, "100"],
      [3, "103"],
      [4, "201"],
      [12, "226"],
      [13, "300"],
      [17, "304"],
      [21, "308"],
      [22, "400"],
      [26, "404"],
      [39, "417"],
      [40, "421"],
      [46, "429"],
      [48, "451"],
      [49, "500"],
      [53, "504"],
      [57, "508"],
      [58, "510"],
      [59, "511"],
    ];

    it.each(
      OFFSETS.flatMap(([offset, status]) => [
        ["RDDS80", -300 - offset, status] as const,
        ["RDAP", -500 - offset, status] as const,
      ]),
    )("%s %i means HTTP %s", (iface, code, status) => {
      expect(describeTestError(iface, code)).toBe(`Expected HTTP status 200, got ${status}`);
    });

    it.each([
      ["RDDS80", -360],
      ["RDAP", -560],
    ])("%s %i (offset 60) is any other status", (iface, code) => {
      expect(describeTestError(iface, code)).toBe("Expected HTTP status 200, got another status");
    });

    it.each([
      ["RDDS80", -314],
      ["RDDS80", -315],
      ["RDDS80", -316],
      ["RDAP", -514],
      ["RDAP", -515],
      ["RDAP", -516],
      ["RDDS80", -361],
      ["RDAP", -561],
    ])("%s %i has no code (301-303 are followed; past 60 is unused)", (iface, code) => {
      expect(describeTestError(iface, code)).toBe(UNKNOWN_ERROR_CODE);
    });

    it("is the same table for both interfaces", () => {
      const http = (iface: string, base: number) =>
        listErrorCodes(iface)
          .filter((e) => e.code <= base && e.code >= base - 60)
          .map((e) => [base - e.code, e.description]);
      expect(http("RDDS80", -300)).toHaveLength(58);
      expect(http("RDDS80", -300)).toEqual(http("RDAP", -500));
    });

    it("is not used by DNS or EPP", () => {
      expect(describeTestError("DNS", -349)).toBe(UNKNOWN_ERROR_CODE);
      expect(describeTestError("EPP", -526)).toBe(UNKNOWN_ERROR_CODE);
      expect(describeTestError("RDDS43", -349)).toBe(UNKNOWN_ERROR_CODE);
    });
  });
});

describe("isInternalError / isDnssecError", () => {
  it.each([
    [-1, true],
    ["-1", true],
    [-199, true],
    [" -100 ", true],
    [0, false],
    [-200, false],
    [-1.5, false],
    ["-1, Internal error", false],
    ["abc", false],
  ])("isInternalError(%j) is %s", (code, expected) => {
    expect(isInternalError(code)).toBe(expected);
  });

  it.each([
    [-400, false],
    [-401, true],
    ["-416", true],
    [-427, true],
    [-428, false],
    [-800, false],
    [-801, true],
    ["-816", true],
    [-827, true],
    [-828, false],
    [-204, false],
    ["x", false],
  ])("isDnssecError(%j) is %s", (code, expected) => {
    expect(isDnssecError(code)).toBe(expected);
  });
});

describe("listErrorCodes", () => {
  it.each(TEST_INTERFACES)("lists %s in catalogue order", (iface) => {
    const codes = listErrorCodes(iface).map((e) => e.code);
    expect(codes.length).toBeGreaterThan(5);
    expect(codes).toEqual([...codes].sort(compareErrorCodes));
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("is empty for an unknown interface", () => {
    expect(listErrorCodes("SMTP")).toEqual([]);
  });

  it.each([
    ["DNS", -2, "internal"],
    ["DNS", -200, "test"],
    ["DNS", -201, "obsolete"],
    ["DNS", -400, "test"],
    ["DNS", -416, "dnssec"],
    ["DNS", -816, "dnssec"],
    ["RDAP", -405, "test"],
    ["RDDS43", -205, "obsolete"],
    ["EPP", -211, "test"],
  ])("%s %i is of kind %s", (iface, code, kind) => {
    expect(listErrorCodes(iface).find((e) => e.code === code)?.kind).toBe(kind);
  });

  it("marks as dnssec exactly the DNSSEC codes of DNS", () => {
    const dnssec = listErrorCodes("DNS").filter((e) => e.kind === "dnssec");
    expect(dnssec.every((e) => isDnssecError(e.code))).toBe(true);
    expect(dnssec).toHaveLength(
      listErrorCodes("DNS").filter((e) => isDnssecError(e.code) && e.kind !== "obsolete").length,
    );
  });
});

describe("compareErrorCodes", () => {
  it("orders by magnitude: -1, -9, -200, -816", () => {
    expect([-816, -1, -200, -9].sort(compareErrorCodes)).toEqual([-1, -9, -200, -816]);
  });
});

describe("parseResultCode", () => {
  it.each([
    ["ok", { ok: true }],
    ["OK", { ok: true }],
    [" Ok ", { ok: true }],
    ["-816", { ok: false, code: "-816" }],
    [-816, { ok: false, code: "-816" }],
    [" -0200 ", { ok: false, code: "-200" }],
    ["-200, No reply from name server", { ok: false, code: "-200" }],
    ["-200 , No reply", { ok: false, code: "-200" }],
    [0, { ok: false, code: "0" }],
  ])("reads %j", (result, expected) => {
    expect(parseResultCode(result)).toEqual(expected);
  });

  it.each(["", "timeout", "ok, fine", "-200 No reply", "-1234567890", "--5", -816.5, Number.NaN])(
    "throws a RangeError for %j without quoting it",
    (result) => {
      expect(() => parseResultCode(result)).toThrow(RangeError);
      try {
        parseResultCode(result);
      } catch (error) {
        if (typeof result === "string" && result !== "") {
          expect((error as Error).message).not.toContain(result);
        }
      }
    },
  );
});

describe("docs/measurement-codes.md", () => {
  it("is exactly what renderMeasurementCodesMarkdown() generates", () => {
    const doc = readFileSync(new URL("../../docs/measurement-codes.md", import.meta.url), "utf8");
    // Regenerate by writing renderMeasurementCodesMarkdown() to docs/measurement-codes.md; never edit by hand.
    expect(doc).toBe(renderMeasurementCodesMarkdown());
  });

  it("documents every catalogued code of every interface", () => {
    const doc = renderMeasurementCodesMarkdown();
    for (const iface of TEST_INTERFACES) {
      for (const entry of listErrorCodes(iface)) {
        expect(doc).toContain(`| ${entry.code} | ${entry.description} | ${entry.kind} |`);
      }
    }
  });
});
