import type { Scenario } from "../scenario.js";
import { demoScenario } from "./common.js";

/** A status value MoSAPI might add one day: consumers must show it as unknown, never as up. */
export const unknownStatus: Scenario = demoScenario(
  "unknown-status",
  'example: DNS reports the unknown status "Weird-new-status"',
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: { rawStatus: "Weird-new-status" },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {},
      },
    },
  ],
);
