import type { Scenario } from "../scenario.js";
import { HOUR, demoScenario } from "./common.js";

/** Every inconclusive status, in SLAM's and in the specification's spelling. */
export const inconclusive: Scenario = demoScenario(
  "inconclusive",
  "example: DNS Up-inconclusive-no-data, DNSSEC UP-inconclusive-no-probes, " +
    "RDAP Up-inconclusive-reconfig",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: { inconclusive: [{ status: "no-data", start: -HOUR }] },
        DNSSEC: { statusSpelling: "spec", inconclusive: [{ status: "no-probes", start: -HOUR }] },
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: { inconclusive: [{ status: "reconfig", start: -HOUR }] },
      },
    },
  ],
);
