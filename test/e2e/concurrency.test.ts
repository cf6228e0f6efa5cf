/**
 * The per-credential concurrency cap end to end: ten TLDs share one account, `max_concurrency`
 * is 2 and every state request is slow, so all refreshes queue for the two slots. The simulator
 * must see exactly two requests of that account in flight at its peak: never more, and the cap
 * is actually reached.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Scenario, ScenarioTarget } from "../../src/simulator/scenario.js";
import {
  basicCredential,
  findSamples,
  onlyState,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

const TLDS = Array.from({ length: 10 }, (_, i) => `test${i}`);
const USERNAME = "rsp_shared";
const PASSWORD = "shared-password-1";

/** One RSP account allowed for ten healthy TLDs (Scenario is plain data). */
const scenario: Scenario = {
  name: "shared-account",
  description: "ten healthy TLDs behind one RSP account",
  accounts: [{ username: USERNAME, password: PASSWORD, targets: TLDS.map((tld) => `ry/${tld}`) }],
  certificates: [],
  targets: TLDS.map((id): ScenarioTarget => ({
    entity: "ry",
    id,
    services: { DNS: {}, DNSSEC: {}, RDAP: {} },
  })),
};

let e2e: E2e;

beforeAll(async () => {
  e2e = await startE2e({
    scenario,
    // Each TLD has its own session (the login URL names the TLD); let the account hold all ten.
    simulator: { maxSessionsPerAccount: TLDS.length },
    config: (sim) => ({
      mosapi: { url: sim.url, timeout: "10s", max_concurrency: 2 },
      credentials: { "rsp-login": basicCredential(USERNAME, PASSWORD) },
      targets: TLDS.map((tld) => ({ tld, credentials: "rsp-login" })),
      // One refresh per TLD during the test, all starting together.
      collectors: onlyState("1m"),
    }),
    beforeStart: (sim) =>
      sim.addFault({ kind: "latency", ms: 200, match: { path: "/monitoring/state" } }),
  });
  await e2e.waitFor(
    async () => {
      const up = findSamples(await e2e.metricsText(), "mosapi_up");
      return up.length === TLDS.length && up.every((s) => s.value === 1);
    },
    { what: "every TLD up", timeoutMs: 8000 },
  );
});

afterAll(async () => {
  await e2e.close();
});

it("keeps exactly max_concurrency requests of the shared credential in flight at the peak", () => {
  const stats = e2e.sim.stats();
  expect(stats.concurrency.peak).toEqual({ [USERNAME]: 2 });
  expect(stats.concurrency.peakTotal).toBe(2);
  expect(stats.requests.byEndpoint).toEqual({ login: TLDS.length, state: TLDS.length });
});

it("still gave every TLD its own session", async () => {
  expect(e2e.sim.stats().logins).toEqual({ [USERNAME]: { ok: TLDS.length, failed: 0 } });
  const text = await e2e.metricsText();
  expect(findSamples(text, "mosapi_logins_total").map((s) => s.value)).toEqual([TLDS.length]);
  expect(findSamples(text, "mosapi_refresh_failures_total")).toEqual([]);
});
