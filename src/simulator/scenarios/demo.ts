import type { Scenario } from "../scenario.js";
import { DAY, HOUR, MINUTE, demoScenario } from "./common.js";

/**
 * What `npm run demo` shows: a healthy TLD with a past RDAP incident, a TLD whose DNS is down,
 * an IDN TLD with inconclusive statuses in both spellings, and a registrar.
 */
export const demo: Scenario = demoScenario(
  "demo",
  "example healthy (RDAP incident two days ago), test DNS down for 25 min, " +
    "xn--zckzah inconclusive, registrar 9999 up",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: {},
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        // Two 5-minute RDAP cycles down: 10 minutes, emergencyThreshold 0.694.
        RDAP: { outages: [{ start: -2 * DAY - 10 * MINUTE, end: -2 * DAY }] },
      },
    },
    {
      entity: "ry",
      id: "test",
      services: {
        // Down for 25 cycles (10.417 % of the 4 h threshold), plus a false positive yesterday.
        DNS: {
          outages: [
            { start: -DAY, end: -DAY + 10 * MINUTE, falsePositive: true },
            { start: -25 * MINUTE },
          ],
        },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {},
      },
    },
    {
      entity: "ry",
      id: "xn--zckzah",
      statusSpelling: "spec",
      services: {
        DNS: { inconclusive: [{ status: "no-probes", start: -2 * HOUR }] },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: { statusSpelling: "slam", inconclusive: [{ status: "reconfig", start: -HOUR }] },
      },
    },
    {
      entity: "rr",
      id: "9999",
      services: { RDDS: { disabled: true }, RDAP: {} },
    },
  ],
);
