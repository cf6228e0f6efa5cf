/**
 * The catalogue of MoSAPI measurement error codes (SLAM's value maps,
 * docs/mosapi.md#measurement-error-codes) as data, keyed by (interface, code): the same number
 * means different things on different interfaces (`-200` is "No reply from name server" on DNS
 * and "No EPP IP" on EPP).
 *
 * Everything else is derived from the tables below, so the code and docs/measurement-codes.md cannot
 * drift: the DNS-over-TCP codes are the UDP codes shifted by −400, the RDDS80 and RDAP HTTP-status
 * codes come from one offset table, and `renderMeasurementCodesMarkdown()` prints the whole catalogue.
 */

/** Interfaces of a measurement's `testedInterface[]`, upper-case as MoSAPI sends them. */
export const TEST_INTERFACES = ["DNS", "DNSSEC", "RDDS43", "RDDS80", "RDAP", "EPP"] as const;
export type TestInterface = (typeof TEST_INTERFACES)[number];

/** Description of a code the catalogue does not know (or of an unknown interface). */
export const UNKNOWN_ERROR_CODE = "Unknown error code";

/** Description of a code in −1…−199 without a more specific meaning. */
export const INTERNAL_ERROR = "Internal error (probe side, not counted against the registry)";

/**
 * How a code counts: `internal` (−1…−199, never against the registry), `dnssec` (DNS codes in
 * −401…−427 / −801…−827, the only ones that count for the DNSSEC service), `obsolete` (no longer
 * produced; old data only), `test` (any other failed test).
 */
export type ErrorCodeKind = "internal" | "dnssec" | "obsolete" | "test";

/** One row of the catalogue. */
export interface ErrorCodeEntry {
  readonly code: number;
  readonly description: string;
  readonly kind: ErrorCodeKind;
}

/** A metric's `result`: `ok`, or the failing test's code as a canonical integer string (`"-816"`). */
export type ResultCode = { readonly ok: true } | { readonly ok: false; readonly code: string };

type Row = readonly [code: number, description: string];

const OBSOLETE_UNKNOWN = "Obsolete code (old data only)";
const IP_UNSUPPORTED =
  "Internal error: the host's IP addresses use IP versions the probe does not support";

/** DNS over UDP. Every row but −200 has a TCP twin at code − 400 (−200's twin −600 differs). */
const DNS_UDP: readonly Row[] = [
  [-207, "Expected DNS class IN, got CHAOS"],
  [-208, "Expected DNS class IN, got HESIOD"],
  [-209, "Expected DNS class IN, got another class"],
  [-210, "Header section incomplete"],
  [-211, "Question section incomplete"],
  [-212, "Answer section incomplete"],
  [-213, "Authority section incomplete"],
  [-214, "Additional section incomplete"],
  [-215, "Malformed DNS response"],
  [-250, "Non-existent domain query: AA flag missing"],
  [-251, "Non-existent domain query: queried name missing from the question section"],
  ...[
    "FORMERR",
    "SERVFAIL",
    "NOTIMP",
    "REFUSED",
    "YXDOMAIN",
    "YXRRSET",
    "NXRRSET",
    "NOTAUTH",
    "NOTZONE",
    "BADVERS or BADSIG",
    "BADKEY",
    "BADTIME",
    "BADMODE",
    "BADNAME",
    "BADALG",
    "BADTRUNC",
    "BADCOOKIE",
  ].map((rcode, i): Row => [
    -253 - i,
    `Non-existent domain query: expected NXDOMAIN, got ${rcode}`,
  ]),
  [-270, "Non-existent domain query: expected NXDOMAIN, got an unexpected RCODE"],
  [-400, "No server could be reached by the local resolver"],
  [-401, "DNSSEC: the TLD is DNSSEC-enabled but has no DNSKEY at the apex"],
  [-402, "DNSSEC: no AD bit from the local resolver"],
  [-403, "DNSSEC: expected NOERROR, got NXDOMAIN from the local resolver"],
  [-405, "DNSSEC: unknown cryptographic algorithm"],
  [-406, "DNSSEC: cryptographic algorithm not implemented"],
  [-407, "DNSSEC: no RRSIGs although the TLD is DNSSEC-enabled"],
  [-408, "DNSSEC: non-existent domain query: no NSEC/NSEC3 records in the authority section"],
  [-410, "DNSSEC: signature does not cover the RRset"],
  [-414, "DNSSEC: RRSIG not signed by a DNSKEY of the TLD"],
  [-415, "DNSSEC: bogus signature"],
  [-416, "DNSSEC: signature expired"],
  [-417, "DNSSEC: signature not yet valid"],
  [-418, "DNSSEC: signature expires before its inception"],
  [-419, "DNSSEC: error in the NSEC3 denial of existence"],
  [-422, "DNSSEC: RR not covered by the NSEC records"],
  [-423, "DNSSEC: wildcard not covered by the NSEC records"],
  [-425, "DNSSEC: RRSIG has too few RDATA fields"],
  [-427, "DNSSEC: malformed DNSSEC response"],
];

const DNS: readonly Row[] = [
  [-2, "Internal error: unexpected RCODE from the local resolver (UDP)"],
  [-3, "Internal error: unexpected RCODE from the local resolver (TCP)"],
  [-200, "No reply from name server"],
  ...DNS_UDP,
  [-600, "Timeout waiting for a reply from name server (TCP)"],
  [-601, "Error opening connection to name server (TCP)"],
  ...DNS_UDP.map(([code, description]): Row => [code - 400, `${description} (TCP)`]),
];

/** Obsolete DNS codes; meanings from the older SLA-API validator where known. */
const DNS_OBSOLETE: readonly Row[] = [
  [-201, "Obsolete: invalid reply from name server"],
  [-202, OBSOLETE_UNKNOWN],
  [-203, OBSOLETE_UNKNOWN],
  [-204, "Obsolete: DNSSEC error"],
  [-205, OBSOLETE_UNKNOWN],
  [-206, "Obsolete: no AD bit in the answer from the resolver"],
  [-252, OBSOLETE_UNKNOWN],
  [-652, OBSOLETE_UNKNOWN],
];

/** Obsolete RDDS codes (both RDDS interfaces); meanings from the older SLA-API validator. */
const RDDS_OBSOLETE: readonly Row[] = [
  [-200, "Obsolete: no reply from RDDS43 server"],
  [-202, OBSOLETE_UNKNOWN],
  [-203, OBSOLETE_UNKNOWN],
  [-204, "Obsolete: no reply from RDDS80 server"],
  [-205, "Obsolete: cannot resolve the whois host name"],
  [-207, "Obsolete: invalid HTTP status code"],
];

/**
 * The HTTP status behind an RDDS80 (−300 − offset) or RDAP (−500 − offset) code, indexed by
 * offset. 0 marks 301–303: redirects the probe follows, so they have no code. The offset just past
 * the end (60) stands for any other status.
 */
const HTTP_STATUS_BY_OFFSET: readonly number[] = [
  100, 101, 102, 103, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 0, 0, 0, 304, 305, 306, 307,
  308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417,
  421, 422, 423, 424, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510,
  511,
];

function httpStatusRows(base: number): Row[] {
  const rows = HTTP_STATUS_BY_OFFSET.flatMap((status, offset): Row[] =>
    status === 0 ? [] : [[base - offset, `Expected HTTP status 200, got ${status}`]],
  );
  rows.push([base - HTTP_STATUS_BY_OFFSET.length, "Expected HTTP status 200, got another status"]);
  return rows;
}

/** −1 needs no row: it reads INTERNAL_ERROR like the rest of the internal range. */
const IP_UNSUPPORTED_ROW: Row = [-2, IP_UNSUPPORTED];

const RDDS43: readonly Row[] = [
  IP_UNSUPPORTED_ROW,
  [-3, "Internal error: unexpected error resolving the RDDS43 host"],
  [-201, "Whois reply contained no name servers"],
  [-222, "Host resolution: no server could be reached by the local resolver"],
  [-224, "Host resolution: expected NOERROR, got SERVFAIL"],
  [-225, "Host resolution: expected NOERROR, got NXDOMAIN"],
  [-227, "Timeout"],
  [-228, "Error opening connection to server"],
  [-229, "Empty response"],
];

const RDDS80: readonly Row[] = [
  IP_UNSUPPORTED_ROW,
  [-4, "Internal error: unexpected error resolving the RDDS80 host"],
  [-206, "No HTTP status code"],
  [-250, "Host resolution: no server could be reached by the local resolver"],
  [-252, "Host resolution: expected NOERROR, got SERVFAIL"],
  [-253, "Host resolution: expected NOERROR, got NXDOMAIN"],
  [-255, "Timeout"],
  [-256, "Error opening connection to server"],
  [-257, "HTTP protocol error"],
  [-258, "HTTPS protocol error"],
  [-259, "Too many HTTP redirects"],
  ...httpStatusRows(-300),
];

const RDAP: readonly Row[] = [
  IP_UNSUPPORTED_ROW,
  [-5, "Internal error: unexpected error resolving the RDAP host"],
  [-390, "TLD not listed in the IANA RDAP bootstrap registry"],
  [-391, "RDAP base URL from the bootstrap registry does not use HTTPS"],
  [-400, "Host resolution: no server could be reached by the local resolver"],
  [-402, "Host resolution: expected NOERROR, got SERVFAIL"],
  [-403, "Host resolution: expected NOERROR, got NXDOMAIN"],
  [-405, "Timeout"],
  [-406, "Error opening connection to server"],
  [-407, "Invalid JSON in response"],
  [-408, "ldhName member missing from response"],
  [-409, "ldhName member does not match the query"],
  [-413, "HTTP protocol error"],
  [-414, "HTTPS protocol error"],
  [-415, "Too many HTTP redirects"],
  ...httpStatusRows(-500),
];

const EPP: readonly Row[] = [
  IP_UNSUPPORTED_ROW,
  [-200, "No EPP IP"],
  [-201, "Cannot connect to EPP server"],
  [-202, "Invalid client certificate or private key"],
  [-203, "Greeting timeout"],
  [-204, "Invalid greeting"],
  [-205, "LOGIN command timeout"],
  [-206, "Invalid reply to LOGIN command"],
  [-207, "UPDATE command timeout"],
  [-208, "Invalid reply to UPDATE command"],
  [-209, "INFO command timeout"],
  [-210, "Invalid reply to INFO command"],
  [-211, "Server certificate validation failed"],
];

/** Parts of the catalogue, one per distinct meaning table; DNSSEC shares DNS's. */
const SECTIONS = [
  { title: "DNS and DNSSEC", interfaces: ["DNS", "DNSSEC"], rows: DNS, obsolete: DNS_OBSOLETE },
  { title: "RDDS43", interfaces: ["RDDS43"], rows: RDDS43, obsolete: RDDS_OBSOLETE },
  { title: "RDDS80", interfaces: ["RDDS80"], rows: RDDS80, obsolete: RDDS_OBSOLETE },
  { title: "RDAP", interfaces: ["RDAP"], rows: RDAP, obsolete: [] },
  { title: "EPP", interfaces: ["EPP"], rows: EPP, obsolete: [] },
] as const satisfies readonly {
  title: string;
  interfaces: readonly TestInterface[];
  rows: readonly Row[];
  obsolete: readonly Row[];
}[];

/** −1 before −200 before −816: the order of the catalogue, docs and measurement summaries. */
export function compareErrorCodes(a: number, b: number): number {
  return Math.abs(a) - Math.abs(b) || a - b;
}

function buildTable(section: (typeof SECTIONS)[number]): ReadonlyMap<number, ErrorCodeEntry> {
  const hasDnssec = section.interfaces.some((name) => name === "DNSSEC");
  const table = new Map<number, ErrorCodeEntry>();
  const add = (code: number, description: string, kind: ErrorCodeKind): void => {
    // A programming error in the tables above: fail at import, in every test run.
    if (table.has(code)) throw new Error(`error catalogue: ${section.title} lists ${code} twice`);
    table.set(code, { code, description, kind });
  };
  for (const [code, description] of section.rows) {
    const kind = isInternalError(code)
      ? "internal"
      : hasDnssec && isDnssecError(code)
        ? "dnssec"
        : "test";
    add(code, description, kind);
  }
  for (const [code, description] of section.obsolete) add(code, description, "obsolete");
  return new Map([...table].sort(([a], [b]) => compareErrorCodes(a, b)));
}

const TABLES: ReadonlyMap<string, ReadonlyMap<number, ErrorCodeEntry>> = new Map(
  SECTIONS.flatMap((section) => {
    const table = buildTable(section);
    return section.interfaces.map((name) => [name, table] as const);
  }),
);

/** The integer behind `code` (`-816`, `"-816"`, `" -816 "`), or undefined when it is not one. */
function toInteger(code: string | number): number | undefined {
  if (typeof code === "number") return Number.isSafeInteger(code) ? code : undefined;
  return /^\s*-?\d{1,9}\s*$/.test(code) ? Number(code) : undefined;
}

/** True for internal probe errors (−1…−199), which never count against the registry. */
export function isInternalError(code: string | number): boolean {
  const n = toInteger(code);
  return n !== undefined && n <= -1 && n >= -199;
}

/** True for the DNSSEC codes (−401…−427 over UDP, −801…−827 over TCP). */
export function isDnssecError(code: string | number): boolean {
  const n = toInteger(code);
  return n !== undefined && ((n <= -401 && n >= -427) || (n <= -801 && n >= -827));
}

/**
 * The meaning of `code` on interface `interfaceName` (case-insensitive; DNSSEC shares the DNS
 * table). Codes in −1…−199 without a specific meaning read {@link INTERNAL_ERROR}; anything else
 * not in the catalogue (or on an unknown interface) reads {@link UNKNOWN_ERROR_CODE}. Never throws.
 */
export function describeTestError(interfaceName: string, code: string | number): string {
  const n = toInteger(code);
  if (n === undefined) return UNKNOWN_ERROR_CODE;
  const entry = TABLES.get(interfaceName.trim().toUpperCase())?.get(n);
  if (entry !== undefined) return entry.description;
  return isInternalError(n) ? INTERNAL_ERROR : UNKNOWN_ERROR_CODE;
}

/**
 * Every catalogued code of `interfaceName` (case-insensitive), in {@link compareErrorCodes} order;
 * empty for an unknown interface. The generic rest of −1…−199 is not listed one by one.
 */
export function listErrorCodes(interfaceName: string): readonly ErrorCodeEntry[] {
  return [...(TABLES.get(interfaceName.trim().toUpperCase())?.values() ?? [])];
}

const OK: ResultCode = { ok: true };

/**
 * A metric's `result`: `"ok"` (any case), a code as string or number (`"-816"`, `-816`), or the
 * legacy `"<code>, <description>"` (`"-200, No reply from name server"`, whose text is dropped).
 * Codes come back canonical (`"-0200"` → `"-200"`).
 *
 * @throws RangeError when `result` is none of these (the message does not quote it).
 */
export function parseResultCode(result: string | number): ResultCode {
  if (typeof result === "number") {
    if (!Number.isSafeInteger(result)) throw new RangeError("result is not an integer code");
    return { ok: false, code: String(result) };
  }
  const text = result.trim();
  if (text.toLowerCase() === "ok") return OK;
  const match = /^(-?\d{1,9})\s*(?:,|$)/.exec(text);
  if (match?.[1] === undefined) throw new RangeError('result is neither "ok" nor an error code');
  return { ok: false, code: String(Number(match[1])) };
}

function markdownRow(code: string, description: string, kind: string): string {
  return `| ${code} | ${description.replaceAll("|", "\\|")} | ${kind} |`;
}

/**
 * docs/measurement-codes.md: the whole catalogue as one table per section, generated from the data
 * above (test/mosapi/measurement-codes.test.ts fails when the file differs).
 */
export function renderMeasurementCodesMarkdown(): string {
  const lines = [
    "# Measurement error codes",
    "",
    "<!-- Generated from src/mosapi/measurement-codes.ts by renderMeasurementCodesMarkdown(); do not edit by hand.",
    "     test/mosapi/measurement-codes.test.ts fails when this file and the catalogue differ. -->",
    "",
    "Each test in a MoSAPI measurement reports its `result` as `ok` or a negative error code",
    "(from SLAM's value maps, see [mosapi.md](mosapi.md#measurement-error-codes)). **The same",
    "number means different things on different interfaces**, so the catalogue is keyed by",
    "(interface, code).",
    "",
    "- **internal**: -1 to -199 are probe-side errors and never count against the registry.",
    "- **dnssec**: for the DNSSEC service only -401 to -427 (UDP) and -801 to -827 (TCP) count;",
    "  for the DNS service every code outside the internal range counts.",
    "- **obsolete**: no longer produced; may appear in old data.",
    "- DNS over TCP uses the UDP codes shifted by -400 (-816 is -416 over TCP). RDDS80 (-300 to",
    "  -360) and RDAP (-500 to -560) encode the HTTP status received instead of 200; 301 to 303 are",
    "  followed, so they have no code.",
    `- Any other code reads "${UNKNOWN_ERROR_CODE}".`,
  ];
  for (const section of SECTIONS) {
    const [first] = section.interfaces;
    lines.push(
      "",
      `## ${section.title}`,
      "",
      `Interface${section.interfaces.length > 1 ? "s" : ""}: ${section.interfaces.map((i) => `\`${i}\``).join(", ")}.`,
      "",
      "| Code | Meaning | Kind |",
      "| ---: | --- | --- |",
      markdownRow("-1 to -199", `${INTERNAL_ERROR}, unless listed below`, "internal"),
      ...listErrorCodes(first).map((e) => markdownRow(String(e.code), e.description, e.kind)),
    );
  }
  return `${lines.join("\n")}\n`;
}
