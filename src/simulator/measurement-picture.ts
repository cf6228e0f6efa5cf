/**
 * Resolves a scenario's measurement data for one cycle of one service: which probes took part,
 * which targets (name servers, hosts, URLs) they tested on which addresses, and which tests
 * failed with which code, with the defaults of `measurement-spec.ts` filled in.
 */
import { ipv4For, ipv6For } from "./derive.js";
import type {
  MeasurementSpec,
  SimProbe,
  TestFailure,
  TestedInterfaceName,
  Transport,
} from "./measurement-spec.js";
import type { Outage, ScenarioTarget, ServiceTimeline, SimService } from "./scenario.js";
import { SERVICE_RULES } from "./slam.js";

/** Six probe nodes; in a default Down cycle all but the last fail ("most probes Down"). */
export const DEFAULT_PROBES: readonly SimProbe[] = [
  { city: "Amsterdam" },
  { city: "Buenos Aires" },
  { city: "Johannesburg" },
  { city: "Los Angeles" },
  { city: "Singapore" },
  { city: "Sydney" },
];

/** SLAM's default `minNameServersUp`. */
export const DEFAULT_MIN_NAME_SERVERS_UP = 2;

/** The error a service's tests typically fail with when nothing else is said. */
const TYPICAL_FAILURES: Readonly<Record<SimService, readonly TestFailure[]>> = {
  // No reply from the name server over UDP / TCP timeout.
  DNS: [
    { transport: "udp", result: "-200" },
    { transport: "tcp", result: "-600" },
  ],
  // Bogus signature over UDP / TCP.
  DNSSEC: [
    { transport: "udp", result: "-415" },
    { transport: "tcp", result: "-815" },
  ],
  // RDDS43 / RDDS80 timeouts.
  RDDS: [
    { interface: "RDDS43", result: "-227" },
    { interface: "RDDS80", result: "-255" },
  ],
  // RDAP timeout.
  RDAP: [{ result: "-405" }],
  // Cannot connect to the EPP server.
  EPP: [{ result: "-201" }],
};

/** Interfaces of each service's measurement in v2 (standalone RDAP is its own service). */
export const SERVICE_INTERFACES: Readonly<Record<SimService, readonly TestedInterfaceName[]>> = {
  DNS: ["DNS"],
  DNSSEC: ["DNSSEC"],
  RDDS: ["RDDS43", "RDDS80"],
  RDAP: ["RDAP"],
  EPP: ["EPP"],
};

/** Something a probe tests: its `target` value and the addresses it queries. */
export interface TestTarget {
  readonly target: string;
  readonly ips: readonly string[];
}

/** One cycle's measurement inputs, defaults applied. */
export interface CyclePicture {
  readonly probes: readonly SimProbe[];
  readonly minNameServersUp: number;
  readonly failures: readonly TestFailure[];
  /** Targets per interface of the service. */
  readonly targets: ReadonlyMap<TestedInterfaceName, readonly TestTarget[]>;
  /** `testedName` per interface (RDDS80 has none). */
  readonly testedNames: ReadonlyMap<TestedInterfaceName, string | null>;
}

/** The host names of a target's services: `nic.<tld>`, or `registrar-<id>.example`. */
export function serviceHost(target: ScenarioTarget): string {
  return target.entity === "ry" ? `nic.${target.id}` : `registrar-${target.id}.example`;
}

/** The outage (latest in the list) whose window overlaps the cycle, if any. */
function outageAt(
  timeline: ServiceTimeline,
  epoch: number,
  cycleStart: number,
  cycleEnd: number,
): Outage | undefined {
  return (timeline.outages ?? []).findLast((outage) => {
    const end = outage.end === undefined || outage.end === null ? Infinity : epoch + outage.end;
    return epoch + outage.start < cycleEnd && end > cycleStart;
  });
}

function targetsOf(
  target: ScenarioTarget,
  spec: MeasurementSpec,
  iface: TestedInterfaceName,
): TestTarget[] {
  const host = serviceHost(target);
  switch (iface) {
    case "DNS":
    case "DNSSEC": {
      const zone = target.entity === "ry" ? target.id : host;
      const servers = spec.nameServers ?? [{ name: `ns1.${zone}` }, { name: `ns2.${zone}` }];
      return servers.map((ns) => ({
        target: ns.name,
        ips: ns.ips ?? [ipv4For(ns.name), ipv6For(ns.name)],
      }));
    }
    case "RDDS43":
      return [{ target: `whois.${host}`, ips: [ipv4For(`whois.${host}`)] }];
    case "RDDS80":
      return [{ target: `https://whois.${host}/`, ips: [ipv4For(`whois.${host}`)] }];
    case "RDAP":
      return [{ target: `https://rdap.${host}/`, ips: [ipv4For(`rdap.${host}`)] }];
    case "EPP":
      return [{ target: `epp.${host}`, ips: [ipv4For(`epp.${host}`)] }];
  }
}

function testedNameOf(target: ScenarioTarget, iface: TestedInterfaceName): string | null {
  const host = serviceHost(target);
  if (iface === "DNS" || iface === "DNSSEC") return `${host}.`;
  return iface === "RDDS80" ? null : host;
}

/**
 * The measurement inputs of cycle `cycleIndex` of `service`. A Down cycle takes the picture of
 * the outage causing it (falling back to the timeline's, then the defaults), and without stated
 * failures gets the service's typical error on every probe but the last.
 */
export function cyclePicture(
  target: ScenarioTarget,
  service: SimService,
  timeline: ServiceTimeline,
  epoch: number,
  cycleIndex: number,
  down: boolean,
): CyclePicture {
  const cycle = SERVICE_RULES[service].cycleSeconds;
  const outage = down
    ? outageAt(timeline, epoch, cycleIndex * cycle, (cycleIndex + 1) * cycle)
    : undefined;
  const base = timeline.measurement ?? {};
  const own = outage?.measurement ?? {};
  const spec: MeasurementSpec = { ...base, ...own };
  const probes = spec.probes ?? DEFAULT_PROBES;
  const failing = probes.slice(0, -1).map((p) => p.city);
  // An outage without failures of its own does not inherit those of ordinary cycles.
  const failures = down
    ? (own.failures ?? TYPICAL_FAILURES[service].map((f) => ({ ...f, probes: failing })))
    : (base.failures ?? []);
  const interfaces = SERVICE_INTERFACES[service];
  return {
    probes,
    minNameServersUp: spec.minNameServersUp ?? DEFAULT_MIN_NAME_SERVERS_UP,
    failures,
    targets: new Map(interfaces.map((i) => [i, targetsOf(target, spec, i)])),
    testedNames: new Map(interfaces.map((i) => [i, testedNameOf(target, i)])),
  };
}

/** The result code of one test: the first matching failure's, else `ok`. */
export function testResult(
  failures: readonly TestFailure[],
  test: { iface: TestedInterfaceName; target: string; transport: Transport; city: string },
): string {
  const failure = failures.find(
    (f) =>
      (f.interface === undefined || f.interface === test.iface) &&
      (f.target === undefined || f.target === test.target) &&
      (f.transport === undefined || f.transport === test.transport) &&
      (f.probes === undefined || f.probes.includes(test.city)),
  );
  return failure?.result ?? "ok";
}

/**
 * Whether a result counts against the registry (docs/mosapi.md#how-a-result-counts): internal probe errors
 * (−1…−199) never do; for DNSSEC only the DNSSEC ranges (−401…−427, −801…−827) do.
 */
export function countsAsFailure(iface: TestedInterfaceName, result: string): boolean {
  if (result === "ok") return false;
  const code = Number.parseInt(result, 10);
  if (!Number.isFinite(code) || code > -200) return false;
  if (iface !== "DNSSEC") return true;
  return (code <= -401 && code >= -427) || (code <= -801 && code >= -827);
}
