import type { Scenario } from "../scenario.js";
import { demoScenario } from "./common.js";

/** SLAM itself under maintenance: overall Up-inconclusive and every service Disabled. */
export const maintenance: Scenario = demoScenario(
  "maintenance",
  "example: SLAM maintenance, overall Up-inconclusive, every service Disabled",
  [
    {
      entity: "ry",
      id: "example",
      overall: "Up-inconclusive",
      services: { DNS: {}, DNSSEC: {}, EPP: {}, RDDS: {}, RDAP: {} },
    },
  ],
);
