import type { PathBreak, Scenario } from "../scenario.js";
import { MINUTE, demoScenario } from "./common.js";

/** From hop 4 on, Sydney's traces to ns1.test lose packets, since 30 minutes ago. */
export const TRACE_BREAK: PathBreak = {
  probe: "Sydney",
  target: "ns1.test",
  hop: 4,
  start: -30 * MINUTE,
};

/**
 * TLD test's DNS has been down for 25 minutes (an active incident), and the probe network's
 * traces show where one probe loses the path: Sydney's traces to both addresses of ns1.test
 * stop at hop 4.
 */
export const traceIncident: Scenario = demoScenario(
  "trace-incident",
  "test: DNS Down since 25 min ago; Sydney's traces to ns1.test break at hop 4",
  [
    {
      entity: "ry",
      id: "test",
      services: {
        DNS: { outages: [{ start: -25 * MINUTE }] },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {},
      },
      traces: { breaks: [TRACE_BREAK] },
    },
  ],
);
