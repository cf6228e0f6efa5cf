/**
 * A recent measurement (`monitoring/<svc>/measurements/<yyyy>/<mm>/<dd>/<cycle>.json`,
 * docs/mosapi.md#probe-network-trees): the same object as an incident measurement
 * (docs/mosapi.md#the-measurement-object), read into the same {@link MeasurementSummary} plus
 * what the early warning and the traces need: per name server how many probes saw it up and
 * down (read by `measurementSchema`, the one reader of every layout of those results), and the
 * addresses the probes tested. An odd entry in these lists costs only itself.
 */
import { z } from "zod";
import { MEASUREMENT_LIMITS, measurementSchema, type MeasurementSummary } from "./measurement.js";

/** Per name server, how many probes saw it up and how many down. */
export type NameServerProbes = NonNullable<MeasurementSummary["nameServerProbes"]>[number];

/** What a traced address is to the target, as the measurement's interfaces tell. */
export type AddressRole = "nameserver" | "rdds43" | "rdds80" | "rdap";

/** What the exporter keeps of a recent measurement. */
export interface RecentMeasurement extends MeasurementSummary {
  /** dns/dnssec only; sorted by name; empty otherwise. */
  readonly nameServerProbes: readonly NameServerProbes[];
  /**
   * Every `targetIP` the probes tested, with its role; sorted by IP, at most
   * {@link MEASUREMENT_LIMITS}.nameServers. Joins the probe network's traces to the target.
   */
  readonly targetIps: readonly { readonly ip: string; readonly role: AddressRole }[];
}

const ROLES: Readonly<Record<string, AddressRole>> = {
  DNS: "nameserver",
  DNSSEC: "nameserver",
  RDDS43: "rdds43",
  RDDS80: "rdds80",
  RDAP: "rdap",
};

/** Lists read for the addresses are cut to this many items, as the summary's lists are. */
const LIST_LIMIT = 2_000;

/**
 * `value[key]` as a list (its first {@link LIST_LIMIT} items): empty when `value` is not an
 * object or the key holds no array (absent, `null`, anything else).
 */
function listOf(value: unknown, key: string): readonly unknown[] {
  const list = fieldOf(value, key);
  if (!Array.isArray(list)) return [];
  return list.length > LIST_LIMIT ? list.slice(0, LIST_LIMIT) : (list as unknown[]);
}

/** `value[key]` when `value` is a JSON object (not an array), else undefined. */
function fieldOf(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Every `testedInterface[].probes[].testData[].metrics[].targetIP` of a known interface. An
 * entry that is odd (not an object, or without its string `interface`, `city`, `target`,
 * `status` or a `targetIP` of at most 45 characters) is skipped with what it holds; nothing
 * else is checked, as none of it is kept.
 *
 * Read by hand, not by a second zod schema: this walks every metric of a body the summary has
 * just parsed, and zod copies each level it walks. That copy was a fifth to a quarter of what a
 * recent measurement allocated (a 5 kB DNS body: 197 kB, now 164 kB; BENCHMARKS.md, section 4),
 * at up to five recent measurements per target and round.
 */
function targetIps(body: unknown): RecentMeasurement["targetIps"] {
  const roles = new Map<string, AddressRole>();
  for (const tested of listOf(body, "testedInterface")) {
    const name = fieldOf(tested, "interface");
    const role = typeof name === "string" ? ROLES[name.trim().toUpperCase()] : undefined;
    if (role === undefined) continue;
    for (const probe of listOf(tested, "probes")) {
      if (typeof fieldOf(probe, "city") !== "string") continue;
      for (const data of listOf(probe, "testData")) {
        if (typeof fieldOf(data, "target") !== "string") continue;
        if (typeof fieldOf(data, "status") !== "string") continue;
        for (const metric of listOf(data, "metrics")) {
          const raw = fieldOf(metric, "targetIP");
          if (typeof raw !== "string" || raw.length > 45) continue;
          const ip = raw.trim().toLowerCase();
          if (/^[0-9a-f.:]+$/.test(ip) && !roles.has(ip)) roles.set(ip, role);
        }
      }
    }
  }
  return [...roles]
    .map(([ip, role]) => ({ ip, role }))
    .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
    .slice(0, MEASUREMENT_LIMITS.nameServers);
}

/**
 * `GET …/measurements/<yyyy>/<mm>/<dd>/<measurementID>`, parsed into a
 * {@link RecentMeasurement}. The summary's rules and errors are those of `measurementSchema`.
 */
export const recentMeasurementSchema = z.unknown().transform((body, ctx): RecentMeasurement => {
  const summary = measurementSchema.safeParse(body);
  if (!summary.success) {
    for (const issue of summary.error.issues) ctx.addIssue({ ...issue, code: "custom" });
    return z.NEVER;
  }
  return {
    ...summary.data,
    nameServerProbes: summary.data.nameServerProbes ?? [],
    targetIps: targetIps(body),
  };
});
