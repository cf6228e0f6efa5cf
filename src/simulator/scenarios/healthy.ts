import type { Scenario } from "../scenario.js";
import { demoScenario } from "./common.js";

/** Every service of TLD example monitored and Up, no incidents. */
export const healthy: Scenario = demoScenario("healthy", "example: all five services Up", [
  {
    entity: "ry",
    id: "example",
    services: { DNS: {}, DNSSEC: {}, EPP: {}, RDDS: {}, RDAP: {} },
  },
]);
