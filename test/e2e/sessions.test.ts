/**
 * Basic-auth sessions end to end: a session whose cookie states its lifetime is renewed before
 * it ends, so hours of refreshes meet no 401 and cost no more logins than waiting for the 401
 * did; an expired or evicted session costs exactly one re-login and no failed refresh; a wrong
 * password costs one login attempt, then logins are suspended; closing the exporter logs out
 * even while a request is held upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MosapiClient } from "../../src/mosapi/client.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator } from "../../src/simulator/server.js";
import type { SimulatorStats } from "../../src/simulator/stats.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { captureLogs } from "../helpers/mock-mosapi.js";
import {
  DEMO_LOGINS,
  basicCredential,
  counterValue,
  sampleValue,
  onlyState,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

const EXAMPLE_STATE = "/ry/example/v2/monitoring/state";
const TEST_STATE = "/ry/test/v2/monitoring/state";

function stateCount(stats: SimulatorStats, path: string, status: string): number {
  return stats.requests.byPath[path]?.byStatus[status] ?? 0;
}

function refreshFailedLogs(e2e: E2e, target: string): Record<string, unknown>[] {
  return e2e.logs
    .records()
    .filter((r) => r["target"] === target && String(r["msg"]).startsWith("refresh failed"));
}

/**
 * `hours` of `state` every `everyMs` for TLD example, the client and the simulator on one fake
 * clock (time moves only between requests, so the counts are exact); returns the simulator's
 * counters before the client logs out.
 */
async function stateFor(
  hours: number,
  everyMs: number,
  sessionLifetimeInCookie: boolean,
): Promise<SimulatorStats> {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 12, 0, 0));
  const sim = await startSimulator({
    scenario: getScenario("demo"),
    clock,
    sessionTtlMs: 15 * 60_000,
    sessionLifetimeInCookie,
  });
  const client = new MosapiClient({
    url: sim.url,
    version: 2,
    timeoutMs: 5000,
    maxConcurrency: 4,
    credentials: new Map([["example-login", { kind: "basic", ...DEMO_LOGINS.example }]]),
    logger: captureLogs().logger,
    clock,
  });
  try {
    for (let t = 0; t < hours * 3_600_000; t += everyMs) {
      await client.getState({ entity: "ry", id: "example", credentials: "example-login" });
      clock.advance(everyMs);
    }
    return sim.stats();
  } finally {
    await client.close();
    await sim.close();
  }
}

describe("session renewal before the stated end", () => {
  const HOURS = 3;

  it.each([
    ["every 60 s", 60_000],
    ["every 7 minutes", 7 * 60_000],
  ])(
    "state %s: no 401, no retry, and no more logins than waiting for the 401",
    async (_what, everyMs) => {
      const refreshes = Math.ceil((HOURS * 3_600_000) / everyMs);
      const renewed = await stateFor(HOURS, everyMs, true);
      const today = await stateFor(HOURS, everyMs, false);

      // Stated lifetime: every request answered 200, each sent once; old sessions end by
      // themselves or by the new login (one session per account), never by a logout.
      expect(renewed.requests.byPath[EXAMPLE_STATE]).toEqual({
        total: refreshes,
        byStatus: { "200": refreshes },
      });
      expect(renewed.sessions.closed).toBe(0);
      // No lifetime in the cookie: as before, each expiry costs a 401 and a retry.
      const logins = today.logins["example_ry"]?.ok ?? 0;
      expect(today.requests.byPath[EXAMPLE_STATE]?.byStatus["401"]).toBe(logins - 1);
      expect(today.requests.byPath[EXAMPLE_STATE]?.total).toBe(refreshes + logins - 1);
      // The same logins either way: about one per 15 minutes.
      expect(renewed.logins["example_ry"]).toEqual({ ok: logins, failed: 0 });
      expect(logins).toBeLessThanOrEqual(Math.ceil(HOURS * 4));
      expect(logins).toBeGreaterThanOrEqual(
        Math.floor((HOURS * 3_600_000) / (15 * 60_000 + everyMs)),
      );
    },
    60_000,
  );
});

describe("session expiry and eviction", () => {
  let e2e: E2e;

  /**
   * Runs `cause`, then waits for the next state request to be rejected (401) and retried
   * successfully, and checks that this cost exactly one login and no failure.
   */
  async function expectOneTransparentRelogin(cause: () => void): Promise<void> {
    const before = e2e.sim.stats();
    const logins = counterValue(await e2e.metricsText(), "mosapi_logins_total");
    const from = e2e.simRequests().length;
    cause();
    let sequence: string[] = [];
    await e2e.waitFor(
      () => {
        sequence = e2e
          .simRequests()
          .slice(from)
          .map((r) => `${r.path} ${r.status}`);
        return (
          sequence.includes(`${EXAMPLE_STATE} 401`) && sequence.at(-1) === `${EXAMPLE_STATE} 200`
        );
      },
      { what: "a rejected state request and its successful retry" },
    );
    // Possibly a refresh that was already under way, then: rejected, login, retried.
    const rejected = sequence.indexOf(`${EXAMPLE_STATE} 401`);
    expect(sequence.slice(rejected, rejected + 3)).toEqual([
      `${EXAMPLE_STATE} 401`,
      "/ry/example/login 200",
      `${EXAMPLE_STATE} 200`,
    ]);
    const text = await e2e.metricsText();
    expect(counterValue(text, "mosapi_logins_total", { credentials: "example-login" })).toBe(
      logins + 1,
    );
    expect(counterValue(text, "mosapi_login_failures_total")).toBe(0);
    expect(counterValue(text, "mosapi_refresh_failures_total")).toBe(0);
    expect(sampleValue(text, "mosapi_up", { tld: "example" })).toBe(1);
    expect(e2e.sim.stats().logins["example_ry"]).toEqual({
      ok: (before.logins["example_ry"]?.ok ?? 0) + 1,
      failed: 0,
    });
  }

  beforeAll(async () => {
    e2e = await startE2e({
      // Long enough that nothing expires on its own during the test; the clock jump does it.
      simulator: { sessionTtlMs: 60_000 },
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "5s" },
        credentials: {
          "example-login": basicCredential(
            DEMO_LOGINS.example.username,
            DEMO_LOGINS.example.password,
          ),
        },
        targets: [{ tld: "example", credentials: "example-login" }],
        collectors: onlyState(),
      }),
    });
    await e2e.waitFor(() => stateCount(e2e.sim.stats(), EXAMPLE_STATE, "200") >= 1, {
      what: "first state",
    });
  });

  afterAll(async () => {
    await e2e.close();
  });

  it("logs in again once when the session expires", async () => {
    await expectOneTransparentRelogin(() => {
      // Simulated time passes the session's 60 s lifetime.
      e2e.sim.advanceClock(61);
    });
    expect(e2e.sim.stats().sessions.expired).toBe(1);
  });

  it("logs in again once when the simulator evicts every session", async () => {
    await expectOneTransparentRelogin(() => {
      e2e.sim.evictSessions();
    });
  });

  it("logs in again once when an evict fault hits a state request", async () => {
    await expectOneTransparentRelogin(() => {
      e2e.sim.addFault({
        kind: "evict",
        match: { target: "ry/example", path: "/monitoring/state" },
        times: 1,
      });
    });
    expect(e2e.sim.stats().faults["evict"]).toBe(1);
  });

  it("logged each re-login at info and never a refresh failure", () => {
    const records = e2e.logs.records();
    expect(
      records.filter((r) => r["msg"] === "MoSAPI session rejected (HTTP 401), logging in again"),
    ).toHaveLength(3);
    expect(records.filter((r) => r["level"] === "warn" || r["level"] === "error")).toEqual([]);
  });
});

describe("wrong password", () => {
  const WRONG = "not-the-password-5d1e";
  let e2e: E2e;

  beforeAll(async () => {
    e2e = await startE2e({
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "5s" },
        credentials: {
          "example-login": basicCredential(DEMO_LOGINS.example.username, WRONG),
          // A healthy neighbour: its refreshes measure time passing, without fixed sleeps.
          "test-login": basicCredential(DEMO_LOGINS.test.username, DEMO_LOGINS.test.password),
        },
        targets: [
          { tld: "example", credentials: "example-login" },
          { tld: "test", credentials: "test-login" },
        ],
        collectors: onlyState(),
      }),
    });
    await e2e.waitFor(
      async () =>
        counterValue(await e2e.metricsText(), "mosapi_refresh_failures_total", {
          tld: "example",
          reason: "auth",
        }) >= 2,
      { what: "two auth failures" },
    );
    // Two more refresh intervals of the neighbour: time for any hammering to show.
    const neighbour = stateCount(e2e.sim.stats(), TEST_STATE, "200");
    await e2e.waitFor(() => stateCount(e2e.sim.stats(), TEST_STATE, "200") >= neighbour + 2, {
      what: "two more refreshes of TLD test",
    });
  });

  afterAll(async () => {
    await e2e.close();
  });

  it("sends exactly one login, then suspends logins instead of hammering", async () => {
    const stats = e2e.sim.stats();
    expect(stats.logins["example_ry"]).toEqual({ ok: 0, failed: 1 });
    expect(stats.requests.byPath["/ry/example/login"]?.total).toBe(1);
    // No data request without a session either.
    expect(stats.requests.byPath[EXAMPLE_STATE]).toBeUndefined();
    const text = await e2e.metricsText();
    expect(counterValue(text, "mosapi_logins_total", { credentials: "example-login" })).toBe(1);
    expect(
      counterValue(text, "mosapi_login_failures_total", { credentials: "example-login" }),
    ).toBe(1);
    // The rejected login, then the suspension: both count as auth failures. The scheduler
    // honours the suspension (its next attempt waits for the login backoff), so the count stays.
    expect(
      counterValue(text, "mosapi_refresh_failures_total", { tld: "example", reason: "auth" }),
    ).toBe(2);
  });

  it("reports the target down but the exporter ready, the neighbour unaffected", async () => {
    const text = await e2e.metricsText();
    expect(sampleValue(text, "mosapi_up", { tld: "example" })).toBe(0);
    expect(sampleValue(text, "mosapi_up", { tld: "test" })).toBe(1);
    expect((await e2e.get("/-/ready")).status).toBe(200);
    const landing = (await e2e.get("/")).body;
    expect(landing).toContain("MOSAPI_LOGIN_BACKOFF");
  });

  it("warns naming the credentials, never the password", () => {
    const warnings = e2e.logs.records().filter((r) => r["level"] === "warn");
    const rejected = warnings.find((r) => r["msg"] === "MoSAPI login rejected, logins suspended");
    expect(rejected).toMatchObject({ credentials: "example-login", target: "TLD example" });
    // One warning per code of the streak: the rejected login, then the suspension.
    expect(refreshFailedLogs(e2e, "TLD example").map((r) => r["code"])).toEqual([
      "MOSAPI_LOGIN_FAILED",
      "MOSAPI_LOGIN_BACKOFF",
    ]);
    expect(String(refreshFailedLogs(e2e, "TLD example")[0]?.["msg"])).toContain(
      'credentials "example-login" rejected',
    );
    for (const line of e2e.logs.lines()) expect(line).not.toContain(WRONG);
  });
});

describe("closing while a refresh is held upstream", () => {
  it("abandons the request, logs out and stops without waiting for MoSAPI", async () => {
    const e2e = await startE2e({
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "60s" },
        credentials: {
          "example-login": basicCredential(
            DEMO_LOGINS.example.username,
            DEMO_LOGINS.example.password,
          ),
        },
        targets: [{ tld: "example", credentials: "example-login" }],
        collectors: onlyState(),
      }),
      beforeStart: (sim) =>
        sim.addFault({ kind: "latency", ms: 60_000, match: { path: "/monitoring/state" } }),
    });
    try {
      await e2e.waitFor(() => e2e.sim.stats().faults["latency"] === 1, {
        what: "a state request held by the simulator",
      });
      let closed = false;
      const closing = e2e.app.close().then(() => (closed = true));
      // Far below the 60 s the simulator would hold the request.
      await e2e.waitFor(() => closed, { what: "app.close()", timeoutMs: 5000 });
      await closing;
      expect(e2e.sim.stats().sessions).toMatchObject({ created: 1, closed: 1, active: 0 });
      expect(e2e.logs.records().at(-1)?.["msg"]).toBe("stopped");
      expect(e2e.logs.records().filter((r) => r["level"] === "warn")).toEqual([]);
    } finally {
      await e2e.close();
    }
  });
});
