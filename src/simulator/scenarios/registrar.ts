import type { Scenario } from "../scenario.js";
import { MINUTE, demoScenario } from "./common.js";

/** A registrar target (`registrarID`), its RDAP down for three 5-minute cycles. */
export const registrar: Scenario = demoScenario(
  "registrar",
  "registrar 9999: RDDS Disabled (alarmed Disabled), RDAP Down since 15 min ago " +
    "(active incident, 1.042)",
  [
    {
      entity: "rr",
      id: "9999",
      services: {
        RDDS: { disabled: true },
        RDAP: { outages: [{ start: -15 * MINUTE }] },
      },
    },
  ],
);
