/**
 * Upstream strings are data, never markup or syntax. Status strings, incident IDs, name-server
 * names, test-error interfaces and codes, threat types and error messages carrying `<script>`,
 * quotes, backslashes, newlines and `"}` (a label-breaking sequence) keep /metrics valid for
 * `promtool check metrics` (required: the test fails when promtool is missing) and reach the
 * landing page only as escaped text. Once from snapshots built directly (fast-check strings),
 * once end to end: the simulator names a name server `ns1.example"} evil{x="` and answers a
 * 400 quoting `<script>`, and the exporter serves /metrics, the landing page and its logs.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Snapshot, TargetSnapshot } from "../../src/snapshot/snapshot.js";
import type { RefreshErrorCode } from "../../src/mosapi/errors.js";
import { escapeHtml } from "../../src/http/html.js";
import { renderLandingPage } from "../../src/http/landing.js";
import { createLogger } from "../../src/log/logger.js";
import { renderSnapshot } from "../../src/metrics/snapshot-renderer.js";
import type { Scenario } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { stateFixture, tld } from "../helpers/fixtures.js";
import { createLogSink } from "../helpers/log-sink.js";
import { promtoolCheckMetrics } from "../helpers/prometheus.js";
import { findSamples, onlyState, startE2e, type E2e } from "../helpers/start-app.js";
import { FUZZ_SEED } from "./bodies.js";

const HOSTILE = [
  "<script>alert(1)</script>",
  'ns1.example"} evil{x="',
  "back\\slash\\",
  "new\nline\r\n",
  "quote\"'`",
  "</td></tr></table><img src=x onerror=alert(1)>",
  "&amp;&lt;",
  "\u0000\u001b[31m\u2028\u2029",
  "}\n# HELP fake\nmosapi_up 1",
];

/** A snapshot whose every upstream string is `s` (where the schema would let it through). */
function hostileSnapshot(s: string): Snapshot {
  const state = stateFixture("state-dns-down");
  const entry: TargetSnapshot = {
    target: tld("example"),
    up: false,
    stateAttempted: true,
    state: {
      ...state,
      tld: s,
      rawStatus: s,
      services: {
        ...state.services,
        dns: {
          ...state.services.dns!,
          rawStatus: s,
          incidents: state.services.dns!.incidents.map((i) => ({ ...i, incidentId: s })),
        },
      },
    },
    incidents: {
      dns: {
        incidentId: s,
        measurementId: s,
        measurement: {
          cycleCalculationDateTime: 1795433880,
          service: "dns",
          status: s,
          probes: [{ city: s, status: "down" }],
          probeCounts: { up: 0, down: 1, offline: 0, no_result: 0 },
          testErrors: [{ interface: s, code: s, description: s, count: 2 }],
          nameServers: [
            { name: s, up: false },
            { name: `${s}2`, up: true },
          ],
        },
      },
    },
    metrica: {
      domainListDate: "2026-11-22",
      reportTimestamp: 1795392000,
      uniqueAbuseDomains: 3,
      threats: [
        { threatType: s, count: 3 },
        { threatType: `${s}x`, count: null },
      ],
    },
    collectors: {
      state: {
        lastSuccessAt: 1,
        lastError: { reason: "http_error", code: s as RefreshErrorCode, message: s, at: 2 },
      },
      metrica: { lastSuccessAt: 1 },
    },
  };
  return { version: 1, targets: [entry] };
}

function landing(snapshot: Snapshot): string {
  return renderLandingPage({
    snapshot,
    info: { version: "t", revision: "t", nodeVersion: "t", startedAt: 0 },
    now: 10_000,
    ready: true,
  });
}

async function expectValidExposition(text: string): Promise<void> {
  const { code, output } = await promtoolCheckMetrics(text);
  expect({ code, output }).toEqual({ code: 0, output: "" });
}

describe("snapshots built directly", () => {
  it.each(HOSTILE)("%j stays a label value and text", async (s) => {
    const snapshot = hostileSnapshot(s);
    const text = await renderSnapshot(snapshot);
    await expectValidExposition(text);
    // It round-trips: the value a parser reads back is the string upstream sent (the helper's
    // line regex cannot read CR, U+2028 or U+2029, which the format allows raw in a label value).
    if (!/[\r\u2028\u2029]/.test(s)) {
      const names = findSamples(text, "mosapi_incident_nameserver_up").map(
        (x) => x.labels["nameserver"],
      );
      expect(names).toContain(s);
    }
    const page = landing(snapshot);
    if (/[<>&"']/.test(s)) expect(page).not.toContain(s);
    expect(page).not.toMatch(/<script|<img/i);
  });

  it("25 random Unicode strings: promtool accepts /metrics, the page shows only escaped text", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).map((s) => `${s}<b>"}`),
        async (s) => {
          const snapshot = hostileSnapshot(s);
          await expectValidExposition(await renderSnapshot(snapshot));
          const page = landing(snapshot);
          expect(page).not.toContain(s);
          expect(page).not.toMatch(/<b>/);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 25 },
    );
  });
});

describe("end to end through the simulator", () => {
  const EVIL_NS = 'ns1.example"} evil{x="';
  const SCRIPT = "<script>alert('mosapi')</script>";
  let e2e: E2e;

  const scenario: Scenario = (() => {
    const demo = getScenario("healthy");
    return {
      ...demo,
      name: "escaping",
      targets: [
        {
          entity: "ry",
          id: "example",
          services: {
            DNS: {
              outages: [
                {
                  start: -3600,
                  measurement: {
                    nameServers: [{ name: EVIL_NS }, { name: "ns2.example\\\n" }],
                  },
                },
              ],
            },
          },
        },
      ],
    };
  })();

  beforeAll(async () => {
    e2e = await startE2e({
      scenario,
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "2s" },
        credentials: { login: { basic: { username: "example_ry", password: "demo-example" } } },
        targets: [{ tld: "example", credentials: "login" }],
        collectors: { ...onlyState("1s"), incidents: "1s" },
      }),
      beforeStart: (sim) => {
        sim.addFault({
          kind: "status",
          status: 400,
          body: JSON.stringify({ resultCode: 2011, message: SCRIPT, description: 'a"b\nc\\d' }),
          times: 1,
          match: { path: "/monitoring/state" },
        });
      },
    });
    await e2e.waitFor(
      async () =>
        findSamples(await e2e.metricsText(), "mosapi_incident_nameserver_up").length === 2 &&
        e2e.logs.lines().some((line) => line.includes("resultCode 2011")),
      { what: "the evil name server in /metrics and the 400 in the logs", timeoutMs: 10_000 },
    );
  });

  afterAll(async () => {
    await e2e.close();
  });

  it("/metrics stays valid and carries the name server's name exactly", async () => {
    const text = await e2e.metricsText();
    await expectValidExposition(text);
    const names = findSamples(text, "mosapi_incident_nameserver_up").map(
      (s) => s.labels["nameserver"],
    );
    expect(names.sort()).toEqual([EVIL_NS, "ns2.example\\\n"].sort());
  });

  it("the landing page shows the 400's message only as text", async () => {
    // Fault it again so the error is current when the page is read.
    e2e.sim.addFault({
      kind: "status",
      status: 400,
      body: JSON.stringify({ message: SCRIPT }),
      match: { path: "/monitoring/state" },
    });
    await e2e.waitFor(async () => (await e2e.get("/")).body.includes(escapeHtml(SCRIPT)), {
      what: "the escaped message on the landing page",
    });
    const page = (await e2e.get("/")).body;
    expect(page).not.toContain(SCRIPT);
    expect(page).not.toMatch(/<script/i);
    e2e.sim.clearFaults();
  });

  it("every log line is one line of JSON, the message quoted inside it", () => {
    const lines = e2e.logs.lines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.some((l) => l.includes(JSON.stringify(SCRIPT).slice(1, -1)))).toBe(true);
  });
});

it("logfmt logs keep an upstream message with newlines and quotes on one line", () => {
  const sink = createLogSink();
  const logger = createLogger({ level: "info", format: "logfmt", destination: sink.destination });
  for (const s of HOSTILE) logger.warn({ code: s }, `refresh failed: ${s}`);
  const lines = sink.lines();
  expect(lines).toHaveLength(HOSTILE.length);
  for (const line of lines) {
    expect(line).not.toMatch(/[\n\r]/);
    expect(line).toMatch(/^[a-z_]+=/);
  }
});
