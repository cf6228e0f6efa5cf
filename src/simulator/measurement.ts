/**
 * The measurement object of one cycle (`…/incidents/<id>/measurements/<measurementID>`), shaped
 * like SLAM writes it (docs/mosapi.md#the-measurement-object): per interface and probe the tests with their
 * results, and for DNS/DNSSEC the name-server availability. v1 lacks `minNameServersUp`,
 * `nameServerAvailability`, `transport`, `testedName` and `nsid`, and has no RDDS targets.
 */
import { hexOf, pick } from "./derive.js";
import type { SimProbe, TestedInterfaceName, Transport } from "./measurement-spec.js";
import {
  countsAsFailure,
  cyclePicture,
  testResult,
  type CyclePicture,
  type TestTarget,
} from "./measurement-picture.js";
import type { ScenarioTarget, ServiceTimeline, SimService } from "./scenario.js";
import { SERVICE_RULES } from "./slam.js";
import { apiDatabaseTime, targetMember, v1Status, type ApiVersion } from "./state.js";

/** Which cycle of which service to describe. */
export interface MeasurementRequest {
  readonly target: ScenarioTarget;
  readonly service: SimService;
  readonly timeline: ServiceTimeline;
  readonly version: ApiVersion;
  /** Scenario epoch and current time, Unix seconds. */
  readonly epoch: number;
  readonly now: number;
  readonly cycleIndex: number;
  /** The cycle's SLAM status (`Down`, `Up`, `Up-inconclusive-…`). */
  readonly status: string;
}

/** A probe's tests of one target. */
interface TargetTests {
  readonly target: string;
  readonly up: boolean;
  readonly metrics: Record<string, unknown>[];
}

/** A probe's part in one interface's tests. */
interface ProbeTests {
  readonly probe: SimProbe;
  readonly status: string;
  readonly transport: Transport;
  readonly tests: readonly TargetTests[];
}

/** Codes meaning the name server never answered: no NSID to report. */
const NO_REPLY = new Set(["-200", "-600"]);

const isDns = (iface: TestedInterfaceName) => iface === "DNS" || iface === "DNSSEC";

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

/** One probe's tests of every target of `iface`, with the probe's resulting status. */
function probeTests(
  picture: CyclePicture,
  iface: TestedInterfaceName,
  probe: SimProbe,
  cycleStart: number,
  cycleSeconds: number,
  version: ApiVersion,
): ProbeTests {
  const dns = isDns(iface);
  // RDDS, RDAP and EPP always run over TCP; only DNS probes choose.
  const transport: Transport = dns ? (probe.transport ?? "udp") : "tcp";
  const targets: readonly TestTarget[] = picture.targets.get(iface) ?? [];
  if (probe.availability !== undefined) {
    return { probe, status: probe.availability, transport, tests: [] };
  }
  // Every probe runs its tests of a cycle at one moment inside it.
  const testDateTime = cycleStart + pick(`time|${probe.city}|${cycleStart}`, 1, cycleSeconds / 2);
  const [low, high] = !dns ? [40, 600] : transport === "udp" ? [5, 120] : [20, 300];
  const tests = targets.map((t): TargetTests => {
    // Failures are per target: every address of a failing name server fails alike.
    const result = testResult(picture.failures, {
      iface,
      target: t.target,
      transport,
      city: probe.city,
    });
    const nsid = NO_REPLY.has(result) ? "" : hexOf(`${t.target.split(".")[0]}.${slug(probe.city)}`);
    const metrics = t.ips.map((ip) => ({
      testDateTime,
      targetIP: ip,
      rtt: result === "ok" ? pick(`rtt|${probe.city}|${ip}|${cycleStart}`, low, high) : null,
      result,
      ...(dns && version === 2 ? { nsid } : {}),
    }));
    return { target: t.target, up: !countsAsFailure(iface, result), metrics };
  });
  const upCount = tests.filter((t) => t.up).length;
  const probeUp = dns ? upCount >= picture.minNameServersUp : upCount === tests.length;
  return { probe, status: probeUp ? "Up" : "Down", transport, tests };
}

function probeJson(
  tests: ProbeTests,
  testedName: string | null,
  iface: TestedInterfaceName,
  version: ApiVersion,
): Record<string, unknown> {
  const { probe, status } = tests;
  if (probe.availability !== undefined) return { city: probe.city, status, testData: [] };
  const rddsV1 = version === 1 && (iface === "RDDS43" || iface === "RDDS80");
  return {
    city: probe.city,
    status,
    ...(version === 2 ? { transport: tests.transport, testedName } : {}),
    testData: tests.tests.map((t) => ({
      target: rddsV1 ? null : t.target,
      status: t.up ? "Up" : "Down",
      metrics: t.metrics,
    })),
  };
}

/**
 * `nameServerAvailability`: per probe with data whether each name server answered on all its
 * IPs, and a name server Down when more than 49 % of those probes saw it down (SLAM's limit).
 */
function nameServerAvailability(probes: readonly ProbeTests[]): Record<string, unknown> {
  const withData = probes.filter((p) => p.probe.availability === undefined);
  const names = withData[0]?.tests.map((t) => t.target) ?? [];
  return {
    nameServerStatus: names.map((target) => {
      const down = withData.filter((p) => p.tests.some((t) => t.target === target && !t.up));
      return { target, status: down.length * 100 > withData.length * 49 ? "Down" : "Up" };
    }),
    probes: withData.map((p) => ({
      city: p.probe.city,
      testData: p.tests.map((t) => ({ target: t.target, status: t.up ? "Up" : "Down" })),
    })),
  };
}

/** The measurement document of one cycle. Deterministic: same inputs, same document. */
export function measurementBody(request: MeasurementRequest): Record<string, unknown> {
  const { target, service, timeline, version, epoch, now, cycleIndex } = request;
  const cycleSeconds = SERVICE_RULES[service].cycleSeconds;
  const cycleStart = cycleIndex * cycleSeconds;
  const picture = cyclePicture(
    target,
    service,
    timeline,
    epoch,
    cycleIndex,
    request.status === "Down",
  );
  const interfaces = [...picture.targets.keys()];
  const perInterface = interfaces.map((iface) => ({
    iface,
    probes: picture.probes.map((probe) =>
      probeTests(picture, iface, probe, cycleStart, cycleSeconds, version),
    ),
  }));
  const dnsTests = perInterface.find((i) => isDns(i.iface));
  return {
    version,
    lastUpdateApiDatabase: apiDatabaseTime(now),
    ...targetMember(target),
    service: service.toLowerCase(),
    cycleCalculationDateTime: cycleStart,
    status: version === 1 ? v1Status(request.status) : request.status,
    ...(version === 2 && dnsTests !== undefined
      ? {
          minNameServersUp: picture.minNameServersUp,
          nameServerAvailability: nameServerAvailability(dnsTests.probes),
        }
      : {}),
    testedInterface: perInterface.map(({ iface, probes }) => ({
      interface: iface,
      probes: probes.map((p) =>
        probeJson(p, picture.testedNames.get(iface) ?? null, iface, version),
      ),
    })),
  };
}
