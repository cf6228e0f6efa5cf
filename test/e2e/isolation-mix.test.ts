/**
 * Isolation (issue 6): a mix of broken targets (requests that hang into their timeout, 429s with
 * Retry-After, failed logins) never delays a healthy target's refresh beyond its own deadline,
 * whether they all share one credential or each has its own. The healthy target must keep
 * refreshing without a single failure (a refresh held up past its deadline would count as a
 * timeout) while every broken target has failed the way it should. Bounded polls, no sleeps.
 */
import { describe, expect, it } from "vitest";
import type { Scenario } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import type { RunningSimulator } from "../../src/simulator/server.js";
import {
  DEMO_LOGINS,
  basicCredential,
  counterValue,
  findSamples,
  onlyState,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

const FAILURES = "mosapi_refresh_failures_total";

/** Runs `test` against a started pair and closes it whatever happens. */
async function withE2e(options: Parameters<typeof startE2e>[0], test: (e: E2e) => Promise<void>) {
  const e = await startE2e(options);
  try {
    await test(e);
  } finally {
    await e.close();
  }
}

/** example hangs (timeouts), test answers 429, registrar 9999 cannot log in; xn--zckzah is fine. */
function breakTargets(sim: RunningSimulator): void {
  sim.addFault({ kind: "latency", ms: 60_000, match: { target: "ry/example", path: "/state" } });
  sim.addFault({
    kind: "status",
    status: 429,
    retryAfter: "1",
    match: { target: "ry/test", path: "/state" },
  });
}

const HEALTHY = { tld: "xn--zckzah" };
const TARGETS = [
  { tld: "example" },
  { tld: "test" },
  { registrar_id: "9999" },
  { tld: "xn--zckzah" },
] as const;

/** Waits for every broken target's failures while the healthy one refreshes three more times. */
async function expectHealthyUnaffected(e: E2e): Promise<void> {
  const healthyStates = (): number =>
    e.sim.stats().requests.byPath["/ry/xn--zckzah/v2/monitoring/state"]?.byStatus["200"] ?? 0;
  await e.waitFor(
    async () => {
      const text = await e.metricsText();
      return (
        counterValue(text, FAILURES, { tld: "example", reason: "timeout" }) >= 1 &&
        counterValue(text, FAILURES, { tld: "test", reason: "rate_limited" }) >= 1 &&
        counterValue(text, FAILURES, { registrar_id: "9999", reason: "auth" }) >= 1
      );
    },
    { what: "failures of every broken target", timeoutMs: 15_000 },
  );
  const seen = healthyStates();
  // example still holds a request in flight (it hangs): the healthy one refreshes regardless.
  await e.waitFor(() => healthyStates() >= seen + 3, {
    what: "three more refreshes of the healthy target",
    timeoutMs: 15_000,
  });
  const text = await e.metricsText();
  expect(findSamples(text, FAILURES, HEALTHY)).toEqual([]);
  expect(counterValue(text, "mosapi_up", HEALTHY)).toBe(1);
  for (const labels of TARGETS.slice(0, 3)) {
    expect([labels, counterValue(text, "mosapi_up", labels)]).toEqual([labels, 0]);
  }
}

// Two independent simulator + exporter pairs: they run side by side.
describe.concurrent("isolation of healthy targets from broken ones", () => {
  it("on one shared credential", async () => {
    const demo = getScenario("demo");
    // One RSP account for the three TLDs; it is not authorized for registrar 9999 (login 401).
    const scenario: Scenario = {
      ...demo,
      accounts: [
        {
          username: "rsp",
          password: "rsp-secret",
          targets: ["ry/example", "ry/test", "ry/xn--zckzah"],
        },
      ],
    };
    await withE2e(
      {
        scenario,
        // ICANN documents 4 sessions per account; one per target here.
        simulator: { maxSessionsPerAccount: 4 },
        beforeStart: breakTargets,
        config: (sim) => ({
          mosapi: { url: sim.url, timeout: "1s", max_concurrency: 4 },
          credentials: { rsp: basicCredential("rsp", "rsp-secret") },
          targets: TARGETS.map((t) => ({ ...t, credentials: "rsp" })),
          collectors: onlyState("1s"),
        }),
      },
      async (e) => {
        await expectHealthyUnaffected(e);
        expect(e.sim.stats().concurrency.peak["rsp"]).toBeLessThanOrEqual(4);
      },
    );
  });

  it("on separate credentials", async () => {
    await withE2e(
      {
        beforeStart: breakTargets,
        config: (sim) => ({
          mosapi: { url: sim.url, timeout: "1s" },
          credentials: {
            "example-login": basicCredential("example_ry", DEMO_LOGINS.example.password),
            "test-login": basicCredential("test_ry", DEMO_LOGINS.test.password),
            "registrar-login": basicCredential("9999_rr", "wrong-password"),
            "healthy-login": basicCredential("xn--zckzah_ry", DEMO_LOGINS["xn--zckzah"].password),
          },
          targets: [
            { tld: "example", credentials: "example-login" },
            { tld: "test", credentials: "test-login" },
            { registrar_id: "9999", credentials: "registrar-login" },
            { tld: "xn--zckzah", credentials: "healthy-login" },
          ],
          collectors: onlyState("1s"),
        }),
      },
      expectHealthyUnaffected,
    );
  });
});
