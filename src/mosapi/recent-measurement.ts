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

/** A list whose odd entries are dropped, not fatal; absent or null is empty. */
function lenientList<T extends z.ZodType>(item: T) {
  // `.optional()`: without it zod 4 rejects an absent key before the transform runs, failing
  // the whole object (a probe without `testData`).
  return z
    .unknown()
    .optional()
    .transform((value): unknown[] =>
      Array.isArray(value) ? (value as unknown[]).slice(0, 2_000) : [],
    )
    .transform((items) =>
      items.flatMap((entry): z.output<T>[] => {
        const parsed = item.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      }),
    );
}

const testedTarget = z.object({
  target: z.string(),
  status: z.string(),
  metrics: lenientList(z.object({ targetIP: z.string().max(45) })),
});
const cityTests = z.object({ city: z.string(), testData: lenientList(testedTarget) });

const targetIpSourcesSchema = z.object({
  testedInterface: lenientList(z.object({ interface: z.string(), probes: lenientList(cityTests) })),
});

function targetIps(raw: z.output<typeof targetIpSourcesSchema>): RecentMeasurement["targetIps"] {
  const roles = new Map<string, AddressRole>();
  for (const tested of raw.testedInterface) {
    const role = ROLES[tested.interface.trim().toUpperCase()];
    if (role === undefined) continue;
    for (const probe of tested.probes) {
      for (const data of probe.testData) {
        for (const metric of data.metrics) {
          const ip = metric.targetIP.trim().toLowerCase();
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
  const sources = targetIpSourcesSchema.safeParse(body);
  return {
    ...summary.data,
    nameServerProbes: summary.data.nameServerProbes ?? [],
    targetIps: sources.success ? targetIps(sources.data) : [],
  };
});
