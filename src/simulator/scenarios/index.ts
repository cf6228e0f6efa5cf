/** The scenarios shipped with the simulator, by name (`--scenario`, `POST /_sim/scenario`). */
import type { Scenario } from "../scenario.js";
import { demo } from "./demo.js";
import { disabled } from "./disabled.js";
import { dnsDown } from "./dns-down.js";
import { earlyWarning } from "./early-warning.js";
import { healthy } from "./healthy.js";
import { inconclusive } from "./inconclusive.js";
import { maintenance } from "./maintenance.js";
import { rdapIncident } from "./rdap-incident.js";
import { traceIncident } from "./trace-incident.js";
import { registrar } from "./registrar.js";
import { unknownStatus } from "./unknown-status.js";

/** Every shipped scenario, keyed by its name. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.fromEntries(
  [
    demo,
    healthy,
    dnsDown,
    rdapIncident,
    inconclusive,
    unknownStatus,
    disabled,
    registrar,
    maintenance,
    earlyWarning,
    traceIncident,
  ].map((s) => [s.name, s]),
);

/**
 * The shipped scenario called `name`.
 * @throws Error naming the known scenarios when there is none by that name
 */
export function getScenario(name: string): Scenario {
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (scenario === undefined) {
    throw new Error(
      `unknown scenario ${JSON.stringify(name)}; one of: ${Object.keys(SCENARIOS).join(", ")}`,
    );
  }
  return scenario;
}
