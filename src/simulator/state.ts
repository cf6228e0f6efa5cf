/**
 * The body of `GET /<ry|rr>/<id>/v<1|2>/monitoring/state`, as SLAM writes it
 * (docs/mosapi.md#state): field order, upper-case service keys, Disabled services with `status` only.
 */
import type { ScenarioTarget, SimService } from "./scenario.js";
import { SIM_SERVICES } from "./scenario.js";
import { evaluateTarget, overallStatus, type ServiceReport } from "./slam.js";

/** MoSAPI versions the simulator serves. */
export type ApiVersion = 1 | 2;

/** v1 has no `reconfig` status: SLAM rewrites it to `no-data` (docs/mosapi.md#hosts-and-paths). */
export function v1Status(status: string): string {
  return status.replace(/^(up-inconclusive-)reconfig$/i, "$1no-data");
}

/**
 * `lastUpdateApiDatabase` of every monitoring document at `now` (Unix seconds): `now` rounded
 * down to the minute, as SLAM regenerates its files every minute.
 */
export function apiDatabaseTime(now: number): number {
  return Math.floor(now / 60) * 60;
}

/** The `tld` or `registrarID` member that names the target in monitoring documents. */
export function targetMember(target: ScenarioTarget): Record<string, string> {
  return target.entity === "ry" ? { tld: target.id } : { registrarID: target.id };
}

/** A service as it appears in `testedServices`. */
function serviceJson(report: ServiceReport, version: ApiVersion): Record<string, unknown> {
  const status = version === 1 ? v1Status(report.status) : report.status;
  if (!("emergencyThreshold" in report)) return { status };
  return {
    status,
    emergencyThreshold: report.emergencyThreshold,
    incidents: report.incidents,
  };
}

/**
 * The state document of `target` at `now` (Unix seconds). v1 omits RDAP (it has no standalone
 * RDAP service) and rewrites `reconfig` to `no-data`. `lastUpdateApiDatabase` is `now` rounded
 * down to the minute, as SLAM regenerates the file every minute.
 */
export function stateBody(
  target: ScenarioTarget,
  version: ApiVersion,
  epoch: number,
  now: number,
): Record<string, unknown> {
  const reports = evaluateTarget(target, epoch, now);
  const published: Partial<Record<SimService, ServiceReport>> = {};
  const testedServices: Record<string, unknown> = {};
  for (const service of SIM_SERVICES) {
    const report = reports[service];
    if (report === undefined || (version === 1 && service === "RDAP")) continue;
    published[service] = report;
    testedServices[service] = serviceJson(report, version);
  }
  return {
    version,
    lastUpdateApiDatabase: apiDatabaseTime(now),
    ...targetMember(target),
    status: overallStatus(target, published),
    testedServices,
  };
}
