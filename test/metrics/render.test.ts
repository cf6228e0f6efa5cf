import { describe, expect, it } from "vitest";
import type { Snapshot, TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { MetricsRenderer } from "../../src/metrics/render.js";
import { SelfMetrics } from "../../src/metrics/self-metrics.js";
import { fixtureText, healthyEntry, registrar, stateFixture, tld } from "../helpers/fixtures.js";

/** 2026-11-23T12:00:30Z: our last refresh, 30 s after ICANN regenerated the data. */
const REFRESHED_AT = 1_795_435_230_000;
const BUILD = { version: "0.1.0", revision: "golden", nodeVersion: "v0.0.0-golden" };

function selfMetrics(): SelfMetrics {
  const metrics = new SelfMetrics(BUILD, { defaultMetrics: false });
  metrics.onConfigLoad(true, REFRESHED_AT - 60_000);
  return metrics;
}

async function render(entries: TargetSnapshot[], self = selfMetrics()): Promise<string> {
  const snapshot: Snapshot = { version: 1, targets: entries };
  return new MetricsRenderer(() => snapshot, self).renderText();
}

const golden = (name: string): string => fixtureText(`metrics/${name}.prom`);

describe("/metrics golden files", () => {
  it.each([
    ["healthy", "state-healthy", tld("example")],
    ["dns-down", "state-dns-down", tld("test")],
    ["unknown-status", "state-unknown", tld("example")],
    ["maintenance", "state-maintenance", tld("example")],
    ["registrar", "state-registrar", registrar("9999")],
  ])("%s", async (name, fixture, target) => {
    expect(await render([healthyEntry(target, stateFixture(fixture), REFRESHED_AT)])).toBe(
      golden(name),
    );
  });

  it.each(["state-inconclusive-slam", "state-inconclusive-spec"])(
    "inconclusive states render the same in SLAM's and the spec's spelling (%s)",
    async (fixture) => {
      const state = stateFixture(fixture);
      expect(await render([healthyEntry(tld("xn--zckzah"), state, REFRESHED_AT)])).toBe(
        golden("inconclusive"),
      );
    },
  );

  it("upstream failing after good data keeps the last values, with mosapi_up 0 and the failure counted", async () => {
    const target = tld("example");
    const self = selfMetrics();
    self.onRequest({ endpoint: "monitoring/state", code: "200", seconds: 0.2 });
    self.onRequest({ endpoint: "monitoring/state", code: "503", seconds: 0.1 });
    self.onRequest({ endpoint: "monitoring/state", code: "503", seconds: 0.1 });
    self.onRefreshFailure(target, "state", "http_error");
    const failing: TargetSnapshot = {
      ...healthyEntry(target, stateFixture("state-healthy"), REFRESHED_AT),
      up: false,
      collectors: {
        state: {
          lastSuccessAt: REFRESHED_AT,
          lastError: {
            reason: "http_error",
            code: "MOSAPI_HTTP_STATUS",
            message: "HTTP 503",
            at: REFRESHED_AT + 60_000,
          },
        },
      },
    };
    expect(await render([failing], self)).toBe(golden("upstream-failing"));
  });

  it("a target never refreshed yet shows only mosapi_up 0", async () => {
    const text = await render([
      { target: tld("example"), up: false, stateAttempted: false, collectors: {} },
    ]);
    expect(text).toContain('mosapi_up{tld="example"} 0\n');
    expect(text).not.toMatch(/^mosapi_status\{/m);
  });
});

describe("series never linger", () => {
  it("a service, an incident or a target that disappears upstream disappears from the output", async () => {
    let snapshot: Snapshot = {
      version: 1,
      targets: [
        healthyEntry(tld("test"), stateFixture("state-dns-down"), REFRESHED_AT),
        healthyEntry(tld("example"), stateFixture("state-healthy"), REFRESHED_AT),
      ],
    };
    const renderer = new MetricsRenderer(() => snapshot, selfMetrics());
    const before = await renderer.renderText();
    expect(before).toMatch(/^mosapi_service_active_incident_start_timestamp_seconds\{tld="test"/m);
    expect(before).toMatch(/^mosapi_service_status\{tld="example",service_type="rdap"/m);

    const recovered = stateFixture("state-healthy");
    const withoutRdap = { ...recovered.services };
    delete withoutRdap.rdap;
    snapshot = {
      version: 2,
      targets: [
        healthyEntry(
          tld("test"),
          { ...recovered, tld: "test", services: withoutRdap },
          REFRESHED_AT,
        ),
      ],
    };
    const after = await renderer.renderText();
    expect(after).not.toMatch(/active_incident_start_timestamp_seconds\{/);
    expect(after).not.toMatch(/tld="example"/);
    expect(after).not.toMatch(/service_type="rdap"/);
  });

  it("renders the snapshot families once per snapshot version", async () => {
    const snapshot: Snapshot = {
      version: 7,
      targets: [healthyEntry(tld("example"), stateFixture("state-healthy"), REFRESHED_AT)],
    };
    const renderer = new MetricsRenderer(() => snapshot, selfMetrics());
    const first = await renderer.renderText();
    // A mutated object with the same version is not re-read: the version is the cache key.
    (snapshot.targets as TargetSnapshot[]).length = 0;
    expect(await renderer.renderText()).toBe(first);
  });
});
