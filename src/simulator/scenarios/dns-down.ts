import type { Scenario } from "../scenario.js";
import { MINUTE, demoScenario } from "./common.js";

/** TLD example's DNS has been down for 25 minutes: an active incident at 10.417 %. */
export const dnsDown: Scenario = demoScenario(
  "dns-down",
  "example: DNS Down since 25 min ago (active incident, emergencyThreshold 10.417)",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: { outages: [{ start: -25 * MINUTE }] },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {},
      },
    },
  ],
);
