/**
 * The measurement object (docs/mosapi.md#the-measurement-object; incident and recent measurements share it),
 * validated and reduced at the boundary to the small {@link MeasurementSummary} the exporter
 * keeps: per-probe statuses, failing tests grouped by (interface, code), and name-server status.
 *
 * v1 and v2 both parse: `minNameServersUp`, `nameServerAvailability`, `transport`, `testedName`
 * and `nsid` may be absent. Only the fields the summary uses are validated; the rest (`rtt`, which
 * may be null, `targetIP`, `testDateTime`, `testedName`, `nsid`, `tld`, …) are stripped unread,
 * so a surprise in a value we drop never costs the measurement. Tested names and targets other
 * than name servers are not kept. Per part (METRICS.md#odd-parts-of-answers): the core is `service`,
 * `cycleCalculationDateTime` and `status`; an odd interface, probe, test, result or name-server
 * entry is dropped on its own and noted as an oddity.
 */
import { z } from "zod";
import { unixSeconds } from "./models.js";
import { fallback, partsList, partsObject } from "./oddities.js";
import { compareErrorCodes, describeTestError, parseResultCode } from "./measurement-codes.js";

/** A probe's status for the service, lower-case; `unknown` for a status we do not recognise. */
export const PROBE_STATUSES = ["up", "down", "offline", "no_result", "unknown"] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/**
 * How much a summary keeps at most. Real measurements have a few dozen probes, a handful of
 * error groups and name servers; the caps bound memory when a body is not like that. Kept
 * strings (city, interface, status, service, name-server names) are cut to `textLength`.
 */
export const MEASUREMENT_LIMITS = {
  probes: 500,
  errorGroups: 200,
  nameServers: 100,
  textLength: 255,
} as const;

/** A probe's status for the service in one measurement. */
export type ProbeRecord = Readonly<{ city: string; status: ProbeStatus }>;

/**
 * The probe records made so far, by status and city. SLAM has a few dozen probes and a
 * measurement names each of them, but every parsed body brings its own copy of each city:
 * at 1,000 TLDs the kept summaries held each of the simulator's 6 cities 5,400 times and
 * 32,000 records (heap snapshot, BENCHMARKS.md section 4), and SLAM's measurements have
 * about 40 probes. Shared, a fleet keeps one record per (city, status). The table is a
 * cache of immutable values, bounded by {@link PROBE_RECORDS_LIMIT}: once full, a new pair
 * gets a record of its own, so an upstream inventing cities cannot grow it.
 */
const probeRecords = new Map<string, ProbeRecord>();
/** SLAM's probes × the five statuses, many times over. */
export const PROBE_RECORDS_LIMIT = 4_096;

/** The shared, frozen record of `city` with `status`. */
function probeRecord(city: string, status: ProbeStatus): ProbeRecord {
  const key = `${status}\u0000${city}`;
  let record = probeRecords.get(key);
  if (record === undefined) {
    record = Object.freeze({ city, status });
    if (probeRecords.size < PROBE_RECORDS_LIMIT) probeRecords.set(key, record);
  }
  return record;
}

/** What the exporter keeps of one measurement. */
export interface MeasurementSummary {
  /** Start of the measured cycle (Unix s). */
  cycleCalculationDateTime: number;
  /** `dns`, `dnssec`, `rdds`, `rdap` or `epp`, lower-cased. */
  service: string;
  /** The cycle's status as sent (`Up`, `Down`, `Up-inconclusive-…`). */
  status: string;
  /**
   * Per probe (city), its status for the service: the worst across interfaces, in the order
   * down > no_result > offline > unknown > up. A Down on any interface fails the service at that
   * probe (RDDS needs both RDDS43 and RDDS80). No result beats Offline because Offline describes
   * the probe as a whole while No result says that an online probe missed this test. An
   * unrecognised status beats only Up: it is never evidence that the service is up. Sorted by
   * city (code-unit order); at most {@link MEASUREMENT_LIMITS}.probes, the first by city.
   * The records are frozen and shared between summaries ({@link probeRecord}).
   */
  probes: readonly ProbeRecord[];
  /**
   * Probes per status, counted over every probe before the cap, so they stay true when `probes`
   * is cut. Probes whose status is `unknown` are counted nowhere.
   */
  probeCounts: Record<"up" | "down" | "offline" | "no_result", number>;
  /**
   * Failing test results: every metric whose result is not "ok" (internal codes included; see
   * `isInternalError`), grouped by (interface, code), counting metrics. `description` comes from
   * the catalogue (measurement-codes.ts), never from the body. Sorted by interface, then by code in
   * catalogue order (-1, -200, -816); at most {@link MEASUREMENT_LIMITS}.errorGroups, the first.
   */
  testErrors: { interface: string; code: string; description: string; count: number }[];
  /**
   * dns/dnssec only: `nameServerAvailability.nameServerStatus`, one entry per name (up only if
   * every entry for it says Up); empty otherwise. Sorted by name; at most
   * {@link MEASUREMENT_LIMITS}.nameServers.
   */
  nameServers: { name: string; up: boolean }[];
  /**
   * dns/dnssec only: per name server, how many probes saw it Up and how many Down (the one
   * reader of every layout, {@link nameServerVerdicts}); a probe counted once per name server,
   * Down winning. Sorted by name; at most {@link MEASUREMENT_LIMITS}.nameServers. Absent when
   * the measurement has no such data.
   */
  nameServerProbes?: readonly {
    readonly name: string;
    readonly up: number;
    readonly down: number;
  }[];
}

/** `"ok"`, `"-816"`, `-816` or the legacy `"-200, No reply from name server"`. */
const result = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  try {
    return parseResultCode(raw);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: error instanceof Error ? error.message : "bad result",
    });
    return z.NEVER;
  }
});

/**
 * Absent and `[]` mean "no entries" (Offline and No result probes carry `[]`); `null` too, as an
 * oddity. Each item costs only itself (oddities.ts). Lists of probes, targets and results are
 * bounded well above SLAM's sizes (hundreds of probes).
 */
function list<T extends z.ZodType>(item: T) {
  return partsList(item, 2_000);
}

/** A probe's verdict on one name server: SLAM's `probes[].testData[]`, or a nested probe. */
const nameServerTest = partsObject({ target: z.string(), status: z.string() });
const nestedProbe = partsObject({ city: z.string(), status: z.string() });
/**
 * An interface test's `target` and `status`: read only for the name-server verdicts of an
 * answer without `nameServerAvailability` (v1). Elsewhere unused (RDDS43/80 in v1 send a `null`
 * target), so an odd value here is dropped silently and costs nothing.
 */
const optionalText = z.string().optional().catch(undefined);

const rawMeasurementSchema = partsObject({
  service: z.string(),
  cycleCalculationDateTime: unixSeconds,
  status: z.string(),
  nameServerAvailability: fallback(
    partsObject({
      // One client nests each name server's probes in its entry; SLAM puts `probes` beside
      // `nameServerStatus` (docs/mosapi.md#the-measurement-object). Both are read.
      nameServerStatus: list(
        partsObject({ target: z.string(), status: z.string(), probes: list(nestedProbe) }),
      ),
      probes: list(partsObject({ city: z.string(), testData: list(nameServerTest) })),
    }),
    undefined,
  ),
  testedInterface: partsList(
    partsObject({
      interface: z.string(),
      probes: list(
        partsObject({
          city: z.string(),
          status: z.string(),
          testData: list(
            partsObject({
              target: optionalText,
              status: optionalText,
              metrics: list(partsObject({ result })),
            }),
          ),
        }),
      ),
    }),
    16,
    { expected: true },
  ),
});
type RawMeasurement = z.output<typeof rawMeasurementSchema>;

const SEVERITY: Readonly<Record<ProbeStatus, number>> = {
  up: 0,
  unknown: 1,
  offline: 2,
  no_result: 3,
  down: 4,
};

function bounded(text: string): string {
  return text.length > MEASUREMENT_LIMITS.textLength
    ? text.slice(0, MEASUREMENT_LIMITS.textLength)
    : text;
}

/** `Up`, `Down`, `Offline`, `No result` in any case; `No_Result`/`no-result` too. */
function toProbeStatus(raw: string): ProbeStatus {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "_");
  return PROBE_STATUSES.find((status) => status === key) ?? "unknown";
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function summariseProbes(raw: RawMeasurement) {
  const worst = new Map<string, ProbeStatus>();
  for (const tested of raw.testedInterface) {
    for (const probe of tested.probes) {
      const city = bounded(probe.city);
      const status = toProbeStatus(probe.status);
      const seen = worst.get(city);
      if (seen === undefined || SEVERITY[status] > SEVERITY[seen]) worst.set(city, status);
    }
  }
  const probeCounts = { up: 0, down: 0, offline: 0, no_result: 0 };
  for (const status of worst.values()) if (status !== "unknown") probeCounts[status] += 1;
  const probes = [...worst]
    .map(([city, status]) => probeRecord(city, status))
    .sort((a, b) => byText(a.city, b.city))
    .slice(0, MEASUREMENT_LIMITS.probes);
  return { probes, probeCounts };
}

function summariseErrors(raw: RawMeasurement): MeasurementSummary["testErrors"] {
  const groups = new Map<string, { interface: string; code: string; count: number }>();
  for (const tested of raw.testedInterface) {
    const name = bounded(tested.interface.trim().toUpperCase());
    for (const probe of tested.probes) {
      for (const data of probe.testData) {
        for (const metric of data.metrics) {
          if (metric.result.ok) continue;
          const key = `${name}\u0000${metric.result.code}`;
          const group = groups.get(key) ?? { interface: name, code: metric.result.code, count: 0 };
          group.count += 1;
          groups.set(key, group);
        }
      }
    }
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        byText(a.interface, b.interface) || compareErrorCodes(Number(a.code), Number(b.code)),
    )
    .slice(0, MEASUREMENT_LIMITS.errorGroups)
    .map((group) => ({ ...group, description: describeTestError(group.interface, group.code) }));
}

function summariseNameServers(raw: RawMeasurement, service: string) {
  if (service !== "dns" && service !== "dnssec") return [];
  const up = new Map<string, boolean>();
  for (const entry of raw.nameServerAvailability?.nameServerStatus ?? []) {
    const name = bounded(entry.target);
    const isUp = entry.status.trim().toLowerCase() === "up";
    up.set(name, (up.get(name) ?? true) && isUp);
  }
  return [...up]
    .map(([name, isUp]) => ({ name, up: isUp }))
    .sort((a, b) => byText(a.name, b.name))
    .slice(0, MEASUREMENT_LIMITS.nameServers);
}

/**
 * Per name server and probe city, what the probe saw: true = Up, false = Down. The one reader
 * of the per-probe name-server results, for incident and recent measurements alike; where
 * they are depends on the producer:
 *
 * 1. `nameServerAvailability`: SLAM writes `probes[].testData[]` beside `nameServerStatus`; one
 *    third-party client nests `probes` in each `nameServerStatus[]` entry. An answer carrying
 *    both is read as one: both describe the same cycle, so each (name server, probe) counts
 *    once and Down wins a disagreement (a failure one layout saw is not hidden by the other),
 *    and a probe that only one layout lists still counts.
 * 2. Only when neither layout gives a single verdict (v1 has no `nameServerAvailability`): the
 *    DNS/DNSSEC interfaces' `testData[]`, whose `target` and `status` per probe say the same.
 *
 * A status other than Up or Down (any case) is counted nowhere: it is not evidence either way.
 */
function nameServerVerdicts(raw: RawMeasurement): Map<string, Map<string, boolean>> {
  const verdicts = new Map<string, Map<string, boolean>>();
  const see = (name: string | undefined, city: string, status: string | undefined) => {
    const lower = status?.trim().toLowerCase();
    if (name === undefined || (lower !== "up" && lower !== "down")) return;
    const key = bounded(name);
    const cities = verdicts.get(key) ?? new Map<string, boolean>();
    cities.set(bounded(city), (cities.get(bounded(city)) ?? true) && lower === "up");
    verdicts.set(key, cities);
  };
  const availability = raw.nameServerAvailability;
  for (const probe of availability?.probes ?? []) {
    for (const test of probe.testData) see(test.target, probe.city, test.status);
  }
  for (const entry of availability?.nameServerStatus ?? []) {
    for (const probe of entry.probes) see(entry.target, probe.city, probe.status);
  }
  if (verdicts.size > 0) return verdicts;
  for (const tested of raw.testedInterface) {
    const name = tested.interface.trim().toUpperCase();
    if (name !== "DNS" && name !== "DNSSEC") continue;
    for (const probe of tested.probes) {
      for (const test of probe.testData) see(test.target, probe.city, test.status);
    }
  }
  return verdicts;
}

function summariseNameServerProbes(raw: RawMeasurement, service: string) {
  if (service !== "dns" && service !== "dnssec") return [];
  return [...nameServerVerdicts(raw)]
    .map(([name, cities]) => {
      const up = [...cities.values()].filter(Boolean).length;
      return { name, up, down: cities.size - up };
    })
    .sort((a, b) => byText(a.name, b.name))
    .slice(0, MEASUREMENT_LIMITS.nameServers);
}

/**
 * `GET …/measurements/<measurementID>` (incident or recent measurement, §2 rows 10 and 20),
 * parsed straight into a {@link MeasurementSummary}. Wrong types in the fields it reads, or a
 * `result` that is neither "ok" nor an error code, are schema errors.
 */
export const measurementSchema = rawMeasurementSchema.transform((raw): MeasurementSummary => {
  const service = bounded(raw.service.trim().toLowerCase());
  const nameServerProbes = summariseNameServerProbes(raw, service);
  return {
    cycleCalculationDateTime: raw.cycleCalculationDateTime,
    service,
    status: bounded(raw.status),
    ...summariseProbes(raw),
    testErrors: summariseErrors(raw),
    nameServers: summariseNameServers(raw, service),
    ...(nameServerProbes.length > 0 ? { nameServerProbes } : {}),
  };
});
