/**
 * The probe network's two day-partitioned trees (docs/mosapi.md#probe-network-trees):
 * recent measurements, `monitoring/<svc>/measurements/<yyyy>/<mm>/<dd>/<cycleStart>.json`, and
 * mtr traces, `networkTroubleshooting/mtr/<yyyy>/<mm>/<dd>/<probe>-<ip>-<cycle>-<test>.json.gz`.
 *
 * The measurement tree's paths and listing bodies are confirmed by a client that quotes the
 * spec; the trace tree's HTTP paths are inferred from ICANN's producer code (SLAM writes the
 * files there) and unconfirmed, so they live in the endpoint table alone (endpoints.ts) and its
 * listing is read leniently: the file names are any array of strings in the body.
 */
import { z } from "zod";
import { boundedArray } from "./models.js";

/** A UTC calendar day of a tree: the `{year}/{month}/{day}` segments of its paths. */
export interface TreeDay {
  readonly year: string;
  readonly month: string;
  readonly day: string;
}

/** The UTC day containing `ms` (ms since the epoch), as the tree spells it. */
export function treeDay(ms: number): TreeDay {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return {
    year: String(date.getUTCFullYear()).padStart(4, "0"),
    month: two(date.getUTCMonth() + 1),
    day: two(date.getUTCDate()),
  };
}

/** `2026/11/23`. */
export function dayPath(day: TreeDay): string {
  return `${day.year}/${day.month}/${day.day}`;
}

/** The most names one day listing may hold: a day of 1-minute cycles, or of traces. */
const MAX_LISTED = 200_000;

const name = z.union([z.string(), z.number().transform(String)]);

/**
 * A day listing of the trace tree: its file names. The key holding them is unknown (the
 * measurement tree says `measurements`), so a bare array, or the first array of strings under
 * any key of an object, is the list; an object without one is an empty day. Entries that are
 * not strings are ignored rather than costing the listing.
 */
export const fileListingSchema = z
  .unknown()
  .transform((body): unknown => {
    if (Array.isArray(body)) return body;
    if (typeof body !== "object" || body === null) return [];
    for (const value of Object.values(body)) {
      if (Array.isArray(value) && value.some((item) => typeof item === "string")) return value;
    }
    return [];
  })
  .pipe(boundedArray(z.unknown(), MAX_LISTED))
  .transform((items: unknown[]) =>
    items.flatMap((item) => {
      const parsed = name.safeParse(item);
      return parsed.success && parsed.data !== "" ? [parsed.data] : [];
    }),
  );

/** One trace file's identity, from its name. */
export interface TraceFile {
  readonly file: string;
  /** Probe node name (may contain `-`). */
  readonly probe: string;
  /** The traced address, IPv4 or IPv6. */
  readonly ip: string;
  /** When SLAM's tracer round started (minute) and when this mtr started, Unix seconds. */
  readonly cycle: number;
  readonly test: number;
}

const TRACE_NAME = /^(.+)-([0-9A-Fa-f.:]+)-(\d{1,11})-(\d{1,11})\.json(?:\.gz)?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function isIp(text: string): boolean {
  if (IPV4.test(text)) return true;
  if (!text.includes(":") || text.length > 45) return false;
  try {
    return new URL(`http://[${text}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/**
 * `<probe>-<ip>-<cycleUnix>-<testUnix>.json.gz` (SLAM's `tracerouter-mtr.pl`), read from the
 * right because probe names may hold `-` and addresses never do. Undefined for any other name,
 * and for a name that could leave its directory as a path segment.
 */
export function parseTraceFileName(file: string): TraceFile | undefined {
  if (file.length > 255 || file.includes("/") || file.includes("..")) return undefined;
  const match = TRACE_NAME.exec(file);
  const [, probe, ip, cycle, test] = match ?? [];
  if (probe === undefined || ip === undefined || cycle === undefined || test === undefined) {
    return undefined;
  }
  if (probe.trim() === "" || !isIp(ip)) return undefined;
  return { file, probe, ip: ip.toLowerCase(), cycle: Number(cycle), test: Number(test) };
}

/**
 * The newest file per probe × IP among `names` (by test time, then cycle, then name); names
 * that are not trace files are skipped.
 */
export function newestTraces(names: readonly string[]): TraceFile[] {
  const newest = new Map<string, TraceFile>();
  for (const file of names) {
    const trace = parseTraceFileName(file);
    if (trace === undefined) continue;
    const key = `${trace.probe}\u0000${trace.ip}`;
    const seen = newest.get(key);
    if (
      seen === undefined ||
      trace.test > seen.test ||
      (trace.test === seen.test && (trace.cycle > seen.cycle || trace.file > seen.file))
    ) {
      newest.set(key, trace);
    }
  }
  return [...newest.values()].sort((a, b) =>
    a.probe === b.probe ? (a.ip < b.ip ? -1 : 1) : a.probe < b.probe ? -1 : 1,
  );
}

/** A number mtr writes as a JSON number; a numeric string is tolerated. */
const numeric = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*-?\d+(\.\d+)?\s*$/)
    .transform(Number),
]);

const hubSchema = z.object({
  count: numeric.optional(),
  host: z.string().default("???"),
  ASN: z.string().nullish(),
  "Loss%": numeric.default(0),
  Avg: numeric.optional(),
});

/** One hop where loss starts: every hop from it to the last lost packets. */
export interface LossStart {
  /** 1-based hop number (mtr's `count`). */
  readonly hop: number;
  /** Numeric address, or `???` when no host answered at that hop. */
  readonly host: string;
  /** `AS64496`, or undefined when mtr did not know it. */
  readonly asn?: string;
}

/** What the exporter keeps of one trace. */
export interface TraceSummary {
  readonly probe: string;
  readonly ip: string;
  /** When the mtr started, Unix seconds (from the file name). */
  readonly testTime: number;
  readonly hops: number;
  /** The last hop answered from the traced address. */
  readonly reached: boolean;
  /** Last hop's `Loss%` ÷ 100. */
  readonly lossRatio: number;
  /** Last hop's `Avg` in seconds; undefined when it never answered. */
  readonly rttSeconds?: number;
  /** Where loss starts, when the last hop lost packets or the address was not reached. */
  readonly lossStart?: LossStart;
}

/** How many hops a summary reads: mtr runs with `--max-ttl 30`. */
const MAX_HOPS = 64;

/** One hop of an mtr report, as the exporter reads it. */
export type TraceHub = z.output<typeof hubSchema>;

/**
 * mtr's own JSON report (`mtr --json`), as SLAM writes it (docs/mosapi.md#probe-network-trees):
 * `{report: {mtr: {dst, …}, hubs: [{count, host, ASN, "Loss%", Avg, …}]}}`. Parsed into the
 * parts the exporter keeps; the caller adds probe, IP and time from the file name.
 */
export const traceReportSchema = z
  .object({
    report: z.object({
      mtr: z.object({ dst: z.string().optional() }).optional(),
      hubs: boundedArray(hubSchema, MAX_HOPS),
    }),
  })
  .transform(({ report }) => report.hubs);

/** The summary of one trace's hubs, traced to `ip`. */
export function summariseTrace(file: TraceFile, hubs: readonly TraceHub[]): TraceSummary {
  const last = hubs.at(-1);
  const reached = last !== undefined && last.host.toLowerCase() === file.ip;
  const lossRatio = last === undefined ? 1 : Math.min(Math.max(last["Loss%"], 0), 100) / 100;
  let lossStart: LossStart | undefined;
  if (!reached || lossRatio > 0) {
    // The trailing run of hops that lost packets: loss earlier on that later hops do not share
    // is a router limiting its ICMP answers, not where the path breaks.
    let first = hubs.length;
    while (first > 0 && (hubs[first - 1]?.["Loss%"] ?? 0) > 0) first -= 1;
    const hub = hubs[first];
    if (hub !== undefined) {
      lossStart = {
        hop: hub.count ?? first + 1,
        host: hub.host.slice(0, 64),
        ...(hub.ASN && hub.ASN !== "AS???" ? { asn: hub.ASN.slice(0, 32) } : {}),
      };
    }
  }
  const avg = last?.Avg;
  return {
    probe: file.probe,
    ip: file.ip,
    testTime: file.test,
    hops: hubs.length,
    reached,
    lossRatio,
    ...(reached && avg !== undefined && avg >= 0 ? { rttSeconds: avg / 1000 } : {}),
    ...(lossStart === undefined ? {} : { lossStart }),
  };
}
