import type { Scenario } from "../scenario.js";
import { demoScenario } from "./common.js";

/**
 * Before SLAM opens an incident: TLD example's DNS is Up, but two of six probes get no answer
 * from ns1.example over UDP in every cycle. Those probes see DNS down (only one of the two
 * name servers answers, and two must), which is 33 % of the probes, under SLAM's 51 %: the
 * cycles stay Up and no incident opens, yet the recent measurements show it.
 */
export const EARLY_WARNING_FAILURES = [
  {
    target: "ns1.example",
    transport: "udp",
    result: "-200",
    probes: ["Johannesburg", "Singapore"],
  },
] as const;

export const earlyWarning: Scenario = demoScenario(
  "early-warning",
  "example: DNS Up while 2 of 6 probes lose ns1.example (recent measurements only)",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: { measurement: { failures: EARLY_WARNING_FAILURES } },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {},
      },
    },
  ],
);
