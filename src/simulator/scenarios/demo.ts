import type { Scenario } from "../scenario.js";
import { DAY, HOUR, MINUTE, demoScenario } from "./common.js";
import { EARLY_WARNING_FAILURES } from "./early-warning.js";
import { TRACE_BREAK } from "./trace-incident.js";

/**
 * What `npm run demo` shows: a healthy TLD with a past RDAP incident (HTTP errors), Domain
 * METRICA and an early warning (DNS Up while 2 of 6 probes lose ns1), a TLD whose DNS is down
 * (name servers silent, one DNSSEC error over TCP) without METRICA and whose traces show one
 * probe losing the path to ns1, an IDN TLD with inconclusive statuses in both spellings, and a
 * registrar with METRICA.
 */
export const demo: Scenario = demoScenario(
  "demo",
  "example Up with an early warning (2 of 6 probes lose ns1; RDAP incident two days ago), " +
    "test DNS down since 25 min before the epoch (Sydney's traces to ns1 break at hop 4), " +
    "xn--zckzah inconclusive, registrar 9999 up",
  [
    {
      entity: "ry",
      id: "example",
      services: {
        DNS: { measurement: { failures: EARLY_WARNING_FAILURES } },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        // Two 5-minute RDAP cycles down: 10 minutes, emergencyThreshold 0.694. Five of six
        // probes got an HTTP error status from the RDAP server instead of 200.
        RDAP: {
          outages: [
            {
              start: -2 * DAY - 10 * MINUTE,
              end: -2 * DAY,
              measurement: {
                failures: [
                  // -526: HTTP 404.
                  { result: "-526", probes: ["Amsterdam", "Buenos Aires", "Johannesburg"] },
                  // -549: HTTP 500.
                  { result: "-549", probes: ["Los Angeles", "Singapore"] },
                ],
              },
            },
          ],
        },
      },
      // One threat type (botnet C&C) not monitored.
      metrica: { enabled: true, threats: { spam: 12, phishing: 3, botnetCc: -1, malware: 25 } },
    },
    {
      entity: "ry",
      id: "test",
      services: {
        // Down since 25 min before the epoch (the start time rounded down to 5 min), so 25 to 30
        // cycles when the demo starts (10.417 to 12.5 % of the 4 h threshold), plus a false
        // positive yesterday.
        DNS: {
          outages: [
            { start: -DAY, end: -DAY + 10 * MINUTE, falsePositive: true },
            {
              start: -25 * MINUTE,
              // Both name servers silent over UDP; over TCP ns2 answers with an expired
              // signature. One probe is offline, one sent no result.
              measurement: {
                probes: [
                  { city: "Amsterdam" },
                  { city: "Buenos Aires" },
                  { city: "Johannesburg", availability: "Offline" },
                  { city: "Los Angeles", transport: "tcp" },
                  { city: "Singapore", availability: "No result" },
                  { city: "Sydney" },
                ],
                failures: [
                  { target: "ns1.test", transport: "udp", result: "-200" },
                  { target: "ns2.test", transport: "udp", result: "-200" },
                  { target: "ns2.test", transport: "tcp", result: "-816" },
                ],
              },
            },
          ],
        },
        DNSSEC: {},
        EPP: { disabled: true },
        RDDS: { disabled: true },
        RDAP: {},
      },
      traces: { breaks: [TRACE_BREAK] },
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
      metrica: { enabled: true, threats: { spam: 2, phishing: 5, botnetCc: 0, malware: 1 } },
    },
  ],
);
