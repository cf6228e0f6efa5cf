import type { Scenario } from "../scenario.js";
import { demoScenario } from "./common.js";

/** Only DNS monitored: Disabled services carry no numbers, and there is no RDAP key at all. */
export const disabled: Scenario = demoScenario(
  "disabled",
  "example: DNS Up, DNSSEC/EPP/RDDS Disabled, no RDAP service",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: {},
        DNSSEC: { disabled: true },
        EPP: { disabled: true },
        RDDS: { disabled: true },
      },
    },
  ],
);
