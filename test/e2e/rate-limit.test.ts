/**
 * 429 with Retry-After end to end: a short Retry-After is waited out within the request's
 * deadline and costs nothing; a long one fails the refresh as `rate_limited` and the scheduler
 * does not ask again before it has passed.
 */
import { describe, expect, it } from "vitest";
import type { SimulatorStats } from "../../src/simulator/stats.js";
import {
  DEMO_LOGINS,
  basicCredential,
  counterValue,
  onlyState,
  sampleValue,
  startE2e,
  type E2e,
  type E2eOptions,
} from "../helpers/start-app.js";

const EXAMPLE_STATE = "/ry/example/v2/monitoring/state";
const TEST_STATE = "/ry/test/v2/monitoring/state";

function total(stats: SimulatorStats, path: string): number {
  return stats.requests.byPath[path]?.total ?? 0;
}

const credentials = {
  "example-login": basicCredential(DEMO_LOGINS.example.username, DEMO_LOGINS.example.password),
  "test-login": basicCredential(DEMO_LOGINS.test.username, DEMO_LOGINS.test.password),
};

/** Runs `body` with a started harness and always closes it. */
async function withE2e(options: E2eOptions, body: (e2e: E2e) => Promise<void>): Promise<void> {
  const e2e = await startE2e(options);
  try {
    await body(e2e);
  } finally {
    await e2e.close();
  }
}

// Independent harnesses on ephemeral ports: the two cases wait side by side.
describe.concurrent("429 Too Many Requests", () => {
  it("waits out a Retry-After that fits the timeout and succeeds without a failure", async () => {
    await withE2e(
      {
        config: (sim) => ({
          mosapi: { url: sim.url, timeout: "10s" },
          credentials,
          targets: [{ tld: "example", credentials: "example-login" }],
          // One refresh in the test's lifetime: every state request belongs to it.
          collectors: onlyState("1m"),
        }),
        beforeStart: (sim) =>
          sim.addFault({
            kind: "status",
            status: 429,
            retryAfter: "1",
            times: 1,
            match: { path: "/monitoring/state" },
          }),
      },
      async (run) => {
        await run.waitFor(async () => (await run.metric("mosapi_up", { tld: "example" })) === 1, {
          what: "mosapi_up 1",
        });
        const stats = run.sim.stats();
        expect(stats.requests.byPath[EXAMPLE_STATE]).toEqual({
          total: 2,
          byStatus: { "429": 1, "200": 1 },
        });
        const text = await run.metricsText();
        expect(counterValue(text, "mosapi_refresh_failures_total")).toBe(0);
        expect(
          sampleValue(text, "mosapi_requests_total", { endpoint: "monitoring/state", code: "429" }),
        ).toBe(1);
        expect(
          run.logs
            .records()
            .filter((r) => r["msg"] === "retrying MoSAPI request")
            .map((r) => [r["code"], r["waitMs"]]),
        ).toEqual([["MOSAPI_RATE_LIMITED", 1000]]);
      },
    );
  });

  it("fails as rate_limited when Retry-After exceeds the timeout, and waits it out", async () => {
    await withE2e(
      {
        config: (sim) => ({
          mosapi: { url: sim.url, timeout: "2s" },
          credentials,
          targets: [
            { tld: "example", credentials: "example-login" },
            // Not rate limited: its refreshes measure the passing of time.
            { tld: "test", credentials: "test-login" },
          ],
          collectors: onlyState("1s"),
        }),
        beforeStart: (sim) =>
          sim.addFault({
            kind: "status",
            status: 429,
            retryAfter: "30",
            match: { target: "ry/example", path: "/monitoring/state" },
          }),
      },
      async (run) => {
        await run.waitFor(
          async () =>
            counterValue(await run.metricsText(), "mosapi_refresh_failures_total", {
              tld: "example",
              reason: "rate_limited",
            }) === 1,
          { what: "one rate_limited failure" },
        );
        const neighbour = total(run.sim.stats(), TEST_STATE);
        // Three more refreshes of the neighbour (about 3 s of the 30 s Retry-After).
        await run.waitFor(() => total(run.sim.stats(), TEST_STATE) >= neighbour + 3, {
          what: "three refreshes of TLD test",
        });
        expect(run.sim.stats().requests.byPath[EXAMPLE_STATE]).toEqual({
          total: 1,
          byStatus: { "429": 1 },
        });
        const text = await run.metricsText();
        expect(
          counterValue(text, "mosapi_refresh_failures_total", {
            tld: "example",
            reason: "rate_limited",
          }),
        ).toBe(1);
        expect(counterValue(text, "mosapi_refresh_failures_total", { tld: "test" })).toBe(0);
        expect(sampleValue(text, "mosapi_up", { tld: "example" })).toBe(0);
        const warning = run.logs
          .records()
          .find((r) => r["target"] === "TLD example" && r["level"] === "warn");
        expect(warning).toMatchObject({ reason: "rate_limited", code: "MOSAPI_RATE_LIMITED" });
        expect(String(warning?.["msg"])).toContain("retry after 30 s");
      },
    );
  });
});
