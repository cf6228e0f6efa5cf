/**
 * State comes first (docs/architecture.md): when every data request of a TLD hangs, `state`
 * does not wait behind the other collectors of its target. Its refresh times out on its own
 * deadline, slot waits included, so `mosapi_up` drops and a `timeout` is counted while the
 * alarmed and downtime refreshes of that TLD (five requests each, one at a time, each timing
 * out) are still running. Before, `state` queued behind every one of those requests and
 * `mosapi_up` stayed 1 until after they had all failed. Loopback, bounded polls, no sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_LOGINS,
  basicCredential,
  counterValue,
  sampleValue,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

const FAILURES = "mosapi_refresh_failures_total";

describe("a hanging MoSAPI", () => {
  let e: E2e;

  beforeAll(async () => {
    e = await startE2e({
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "2s" },
        credentials: {
          "example-login": basicCredential(
            DEMO_LOGINS.example.username,
            DEMO_LOGINS.example.password,
          ),
          "test-login": basicCredential(DEMO_LOGINS.test.username, DEMO_LOGINS.test.password),
        },
        targets: [
          { tld: "example", credentials: "example-login" },
          { tld: "test", credentials: "test-login" },
        ],
        // Every collector but METRICA (one request, so it could fail as early as state).
        collectors: { state: "1s", alarmed: "1s", downtime: "1s", incidents: "1s", metrica: 0 },
      }),
    });
    await e.waitFor(
      async () => {
        const text = await e.metricsText();
        return ["state", "alarmed", "downtime"].every(
          (collector) =>
            (sampleValue(text, "mosapi_last_refresh_success_timestamp_seconds", {
              tld: "example",
              collector,
            }) ?? 0) > 0,
        );
      },
      { what: "example's first data", timeoutMs: 10_000 },
    );
  });

  afterAll(async () => {
    await e.close();
  });

  it("drops mosapi_up and counts a state timeout while the other collectors are still waiting", async () => {
    // Every data request of example now hangs far beyond the 2 s timeout (logins do not).
    e.sim.addFault({ kind: "latency", ms: 60_000, match: { target: "ry/example", path: "/v2/" } });
    await e.waitFor(
      async () => {
        const text = await e.metricsText();
        return counterValue(text, FAILURES, { tld: "example", collector: "state" }) >= 1;
      },
      { what: "a failed state refresh of example", timeoutMs: 15_000 },
    );
    const text = await e.metricsText();
    expect(sampleValue(text, "mosapi_up", { tld: "example" })).toBe(0);
    expect(
      counterValue(text, FAILURES, { tld: "example", collector: "state", reason: "timeout" }),
    ).toBeGreaterThanOrEqual(1);
    // Each of these refreshes sends one request per monitored service; each request times out
    // after 2 s, one at a time: none of them can have failed yet.
    for (const collector of ["alarmed", "downtime"]) {
      expect([collector, counterValue(text, FAILURES, { tld: "example", collector })]).toEqual([
        collector,
        0,
      ]);
    }
    // The other TLD, on its own credential, is untouched.
    expect(sampleValue(text, "mosapi_up", { tld: "test" })).toBe(1);
    expect(counterValue(text, FAILURES, { tld: "test" })).toBe(0);
  });
});
