/**
 * A recent measurement (`monitoring/<svc>/measurements/<yyyy>/<mm>/<dd>/<cycle>.json`,
 * docs/mosapi.md#probe-network-trees): the same object as an incident measurement (docs/mosapi.md#the-measurement-object), read into the
 * same {@link MeasurementSummary} plus what the early warning needs, per name server how many
 * probes saw it up and down.
 *
 * Where the per-probe name-server results are depends on the producer: SLAM writes
 * `nameServerAvailability.probes` beside `nameServerStatus`; one third-party client nests
 * `probes` inside each `nameServerStatus` entry; v1 has neither, and then the DNS/DNSSEC
 * interfaces' `testData` (target and status per probe) say the same. The first source that has
 * entries wins. An odd entry in these lists costs only itself.
 */
import { z } from "zod";
import { MEASUREMENT_LIMITS, measurementSchema, type MeasurementSummary } from "./measurement.js";

/** Per name server, how many probes saw it up and how many down. */
export interface NameServerProbes {
  readonly name: string;
  readonly up: number;
  readonly down: number;
}

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
  // the whole object (a `nameServerAvailability` without SLAM's `probes` beside its entries).
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

const targetStatus = z.object({
  target: z.string(),
  status: z.string(),
  metrics: lenientList(z.object({ targetIP: z.string().max(45) })),
});
const cityTests = z.object({ city: z.string(), testData: lenientList(targetStatus) });
const cityStatus = z.object({ city: z.string(), status: z.string() });

const nameServerSourcesSchema = z.object({
  service: z.string().catch(""),
  nameServerAvailability: z
    .object({
      nameServerStatus: lenientList(
        z.object({ target: z.string(), probes: lenientList(cityStatus) }),
      ),
      probes: lenientList(cityTests),
    })
    .nullish()
    .catch(undefined),
  testedInterface: lenientList(z.object({ interface: z.string(), probes: lenientList(cityTests) })),
});

/** One probe's verdict on one name server. */
type Verdict = readonly [name: string, city: string, up: boolean];

function verdicts(raw: z.output<typeof nameServerSourcesSchema>): Verdict[] {
  const isUp = (status: string) => status.trim().toLowerCase() === "up";
  const availability = raw.nameServerAvailability;
  const beside = (availability?.probes ?? []).flatMap((probe) =>
    probe.testData.map((t): Verdict => [t.target, probe.city, isUp(t.status)]),
  );
  if (beside.length > 0) return beside;
  const nested = (availability?.nameServerStatus ?? []).flatMap((ns) =>
    ns.probes.map((probe): Verdict => [ns.target, probe.city, isUp(probe.status)]),
  );
  if (nested.length > 0) return nested;
  return raw.testedInterface
    .filter((tested) => ["DNS", "DNSSEC"].includes(tested.interface.trim().toUpperCase()))
    .flatMap((tested) =>
      tested.probes.flatMap((probe) =>
        probe.testData.map((t): Verdict => [t.target, probe.city, isUp(t.status)]),
      ),
    );
}

function nameServerProbes(raw: z.output<typeof nameServerSourcesSchema>): NameServerProbes[] {
  const service = raw.service.trim().toLowerCase();
  if (service !== "dns" && service !== "dnssec") return [];
  // name → city → up on every test (a probe testing a name server twice counts once, as down
  // if either test failed).
  const seen = new Map<string, Map<string, boolean>>();
  for (const [rawName, rawCity, up] of verdicts(raw)) {
    const name = rawName.slice(0, MEASUREMENT_LIMITS.textLength);
    const city = rawCity.slice(0, MEASUREMENT_LIMITS.textLength);
    const cities = seen.get(name) ?? new Map<string, boolean>();
    cities.set(city, (cities.get(city) ?? true) && up);
    seen.set(name, cities);
  }
  return [...seen]
    .map(([name, cities]) => {
      const up = [...cities.values()].filter(Boolean).length;
      return { name, up, down: cities.size - up };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, MEASUREMENT_LIMITS.nameServers);
}

function targetIps(raw: z.output<typeof nameServerSourcesSchema>): RecentMeasurement["targetIps"] {
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
  const sources = nameServerSourcesSchema.safeParse(body);
  return {
    ...summary.data,
    nameServerProbes: sources.success ? nameServerProbes(sources.data) : [],
    targetIps: sources.success ? targetIps(sources.data) : [],
  };
});
