/**
 * Calls the simulator's versioned resources in-process, through the same routing table the HTTP
 * server uses, so tests can look at many instants and scenarios without sockets.
 */
import { targetKey } from "../../src/mosapi/target.js";
import {
  matchResource,
  parseVersion,
  type ResourceResponse,
} from "../../src/simulator/endpoints.js";
import { scenarioEpoch, type ScenarioTarget } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";

/** Epoch of every scenario in these tests: 2026-11-23 12:00:00 UTC, the harness's start. */
export const NOW = scenarioEpoch(Date.UTC(2026, 10, 23, 12));

/** The target `key` (`ry/example`) of the shipped scenario `scenario`. */
export function scenarioTarget(scenario: string, key: string): ScenarioTarget {
  const target = getScenario(scenario).targets.find((t) => targetKey(t) === key);
  if (target === undefined) throw new Error(`${scenario} has no ${key}`);
  return target;
}

/**
 * Answers `path` (`v2/monitoring/dns/alarmed`, after the target) for `target` at `now`, with the
 * scenario epoch at NOW.
 * @throws Error when no resource matches the path
 */
export function serve(
  target: ScenarioTarget,
  path: string,
  now = NOW,
  query: Record<string, string> = {},
): ResourceResponse {
  const [versionSegment, ...rest] = path.split("/");
  const version = parseVersion(versionSegment);
  const matched = matchResource(rest);
  if (version === undefined || matched === undefined) throw new Error(`no resource ${path}`);
  if (!matched.resource.versions.includes(version)) return { status: 404, body: undefined };
  return matched.resource.respond({
    target,
    version,
    epoch: NOW,
    now,
    params: matched.params,
    query,
  });
}

/** The body of a 200 answer as an object. */
export function okBody(response: ResourceResponse): Record<string, unknown> {
  if (response.status !== 200) {
    throw new Error(`status ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as Record<string, unknown>;
}
