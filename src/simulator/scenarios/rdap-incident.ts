import type { Scenario } from "../scenario.js";
import { MINUTE, demoScenario } from "./common.js";

/** RDAP down right now for a registry and a registrar, with HTTP error statuses. */
export const rdapIncident: Scenario = demoScenario(
  "rdap-incident",
  "example: RDAP Down since 20 min ago (HTTP 503/404, active incident, 1.389); " +
    "registrar 9999: RDAP Down since 15 min ago (HTTP 500, active incident, 1.042)",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: {},
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {
          outages: [
            {
              start: -20 * MINUTE,
              measurement: {
                failures: [
                  // -552: HTTP 503.
                  {
                    result: "-552",
                    probes: ["Amsterdam", "Buenos Aires", "Johannesburg", "Los Angeles"],
                  },
                  // -526: HTTP 404.
                  { result: "-526", probes: ["Singapore"] },
                ],
              },
            },
          ],
        },
      },
    },
    {
      entity: "rr",
      id: "9999",
      services: {
        RDDS: { disabled: true },
        // -549: HTTP 500 on every probe.
        RDAP: {
          outages: [{ start: -15 * MINUTE, measurement: { failures: [{ result: "-549" }] } }],
        },
      },
    },
  ],
);
