/**
 * Building blocks shared by the shipped scenarios: time units, the demo accounts (one per
 * reserved demo target, with obvious demo passwords) and the demo RSP certificate identity.
 * Only reserved names appear here (`example`, `test`, `xn--zckzah`, `invalid`, registrar 9999),
 * so demo data can never be mistaken for a real TLD's.
 */
import { targetKey } from "../../mosapi/target.js";
import type { Account, Scenario, ScenarioTarget } from "../scenario.js";

/** Seconds in a minute (timelines are in seconds). */
export const MINUTE = 60;
/** Seconds in an hour. */
export const HOUR = 60 * MINUTE;
/** Seconds in a day. */
export const DAY = 24 * HOUR;

/** Subject CN of the demo RSP's client certificate; authorized for every target of a scenario. */
export const DEMO_CERTIFICATE_CN = "rsp.demo.invalid";

/** RRI-style accounts: `<tld>_ry` for registries, `<iana id>_rr` for registrars. */
export const DEMO_ACCOUNTS: readonly Account[] = [
  { username: "example_ry", password: "demo-example", targets: ["ry/example"] },
  { username: "test_ry", password: "demo-test", targets: ["ry/test"] },
  { username: "xn--zckzah_ry", password: "demo-xn--zckzah", targets: ["ry/xn--zckzah"] },
  { username: "9999_rr", password: "demo-9999", targets: ["rr/9999"] },
];

/**
 * A scenario over `targets` with the demo accounts of those targets and the demo certificate
 * authorized for all of them.
 */
export function demoScenario(
  name: string,
  description: string,
  targets: readonly ScenarioTarget[],
): Scenario {
  const keys = targets.map(targetKey);
  return {
    name,
    description,
    accounts: DEMO_ACCOUNTS.filter((a) => a.targets.some((t) => keys.includes(t))),
    certificates: [{ commonName: DEMO_CERTIFICATE_CN, targets: keys }],
    targets,
  };
}
