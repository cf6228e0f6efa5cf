/**
 * Reload end to end (`POST /-/reload` and `RunningApp.reload`, the one function SIGHUP also
 * calls): the new config replaces the old one only when valid; unchanged targets keep their
 * series without a gap, removed ones vanish, added ones appear; sessions of unchanged
 * credentials survive (no login, no logout), removed targets log out, added ones log in once, a
 * changed password costs its own targets only; a rotated password file is read again;
 * concurrent reloads run one after another.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Scenario } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import type { RunningSimulator } from "../../src/simulator/server.js";
import {
  DEMO_LOGINS,
  basicCredential,
  counterValue,
  findSamples,
  onlyState,
  sampleValue,
  startE2e,
  type E2e,
} from "../helpers/start-app.js";

const RELOAD_OK = "mosapi_exporter_config_last_reload_successful";
const RELOAD_TIME = "mosapi_exporter_config_last_reload_success_timestamp_seconds";
const LAST_SUCCESS = "mosapi_last_refresh_success_timestamp_seconds";

let e2e: E2e | undefined;
afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

/** A config over `targets` (tld → credentials name) with the demo accounts inline. */
function config(sim: RunningSimulator, targets: Readonly<Record<string, string>>) {
  const credentials: Record<string, unknown> = {};
  for (const name of new Set(Object.values(targets))) {
    const tld = name.replace(/-login$/, "") as keyof typeof DEMO_LOGINS;
    credentials[name] = basicCredential(DEMO_LOGINS[tld].username, DEMO_LOGINS[tld].password);
  }
  return {
    mosapi: { url: sim.url, timeout: "5s" },
    credentials,
    targets: Object.entries(targets).map(([tld, credentials]) => ({ tld, credentials })),
    collectors: onlyState("1s"),
  };
}

async function rewrite(e: E2e, content: unknown): Promise<void> {
  await writeFile(e.configFile, typeof content === "string" ? content : stringify(content));
}

const logsWith = (e: E2e, msg: string) => e.logs.records().filter((r) => r["msg"] === msg);

describe("POST /-/reload", () => {
  it("keeps unchanged targets' series and sessions, drops removed ones (logging them out), adds new ones", async () => {
    const e = (e2e = await startE2e({
      config: (sim) => config(sim, { example: "example-login", test: "test-login" }),
      // test fails from the start, so it has a refresh-failure counter to drop.
      beforeStart: (sim) =>
        sim.addFault({ kind: "status", status: 404, match: { target: "ry/test", path: "/state" } }),
    }));
    await e.waitFor(async () => (await e.get("/-/ready")).status === 200, { what: "ready" });
    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "example" })) === 1, {
      what: "example up",
    });
    // From now on example's refreshes hang: what /metrics shows of it after the reload can only
    // be the data the reload carried over.
    e.sim.addFault({
      kind: "latency",
      ms: 60_000,
      match: { target: "ry/example", path: "/state" },
    });
    // Once one refresh is held, no other can land: a target has one state refresh at a time.
    await e.waitFor(() => (e.sim.stats().faults["latency"] ?? 0) >= 1, { what: "a held refresh" });
    const before = await e.metricsText();
    expect(findSamples(before, "mosapi_refresh_failures_total", { tld: "test" })).not.toEqual([]);
    const reloadedAt = sampleValue(before, RELOAD_TIME);

    await rewrite(e, config(e.sim, { example: "example-login", "xn--zckzah": "xn--zckzah-login" }));
    const reply = await e.get("/-/reload", "POST");
    expect([reply.status, reply.body]).toEqual([200, "Reloaded"]);

    const after = await e.metricsText();
    for (const name of ["mosapi_up", "mosapi_data_timestamp_seconds", "mosapi_status"]) {
      expect([name, findSamples(after, name, { tld: "example" })]).toEqual([
        name,
        findSamples(before, name, { tld: "example" }),
      ]);
    }
    expect(sampleValue(after, LAST_SUCCESS, { tld: "example", collector: "state" })).toBe(
      sampleValue(before, LAST_SUCCESS, { tld: "example", collector: "state" }),
    );
    // Removed: not one series left, the refresh-failure counter included.
    expect(after).not.toMatch(/tld="test"/);
    expect(sampleValue(after, RELOAD_OK)).toBe(1);
    expect(sampleValue(after, RELOAD_TIME)).toBeGreaterThanOrEqual(reloadedAt ?? Infinity);
    // The removed target logged out before the reload answered; the kept one did not.
    const stats = e.sim.stats();
    expect(stats.requests.byPath["/ry/example/logout"]).toBeUndefined();
    expect(stats.requests.byPath["/ry/test/logout"]).toEqual({ total: 1, byStatus: { 200: 1 } });

    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "xn--zckzah" })) === 1, {
      what: "the added target up",
    });
    // The unchanged target's loop runs again, on the session it had: no second login.
    await e.waitFor(() => (e.sim.stats().faults["latency"] ?? 0) >= 2, {
      what: "example's next (held) refresh",
    });
    expect(e.sim.stats().logins["example_ry"]).toEqual({ ok: 1, failed: 0 });
    expect(logsWith(e, "configuration reloaded")).toMatchObject([
      { level: "info", targets: 2, added: ["ry/xn--zckzah"], removed: ["ry/test"], kept: 1 },
    ]);
  });

  it("costs ICANN no login for an unchanged file, one per added target, and the changed credential's only", async () => {
    const demo = getScenario("demo");
    const withPassword = (password: string): Scenario => ({
      ...demo,
      accounts: demo.accounts.map((a) => (a.username === "example_ry" ? { ...a, password } : a)),
    });
    /** example, test and xn--zckzah each on its own account; `extra` added by name. */
    const file = (sim: RunningSimulator, targets: readonly string[], examplePassword: string) => ({
      mosapi: { url: sim.url, timeout: "5s" },
      credentials: {
        "example-login": basicCredential("example_ry", examplePassword),
        "test-login": basicCredential("test_ry", DEMO_LOGINS.test.password),
        "xn--zckzah-login": basicCredential("xn--zckzah_ry", DEMO_LOGINS["xn--zckzah"].password),
        "9999-login": basicCredential("9999_rr", DEMO_LOGINS["9999"].password),
      },
      targets: targets.map((id) =>
        id === "9999"
          ? { registrar_id: id, credentials: "9999-login" }
          : { tld: id, credentials: `${id}-login` },
      ),
      collectors: onlyState("1s"),
    });
    const e = (e2e = await startE2e({
      scenario: withPassword("old-secret"),
      config: (sim) => file(sim, ["example", "test", "xn--zckzah"], "old-secret"),
    }));
    const stateOk = (key: string): number =>
      e.sim.stats().requests.byPath[`/${key}/v2/monitoring/state`]?.byStatus["200"] ?? 0;
    const logins = () =>
      Object.fromEntries(Object.entries(e.sim.stats().logins).map(([user, n]) => [user, n.ok]));
    const logouts = () =>
      Object.fromEntries(
        Object.entries(e.sim.stats().requests.byPath)
          .filter(([p]) => p.endsWith("/logout"))
          .map(([p, n]) => [p, n.total]),
      );
    /** Reloads `targets`, then waits until every one of them refreshed twice more. */
    const reloadAndRefresh = async (targets: readonly string[], examplePassword = "old-secret") => {
      await rewrite(e, file(e.sim, targets, examplePassword));
      const keys = targets.map((id) => (id === "9999" ? "rr/9999" : `ry/${id}`));
      const seen = keys.map(stateOk);
      expect((await e.get("/-/reload", "POST")).status).toBe(200);
      await e.waitFor(() => keys.every((key, i) => stateOk(key) >= (seen[i] ?? 0) + 2), {
        what: `two more refreshes of ${keys.join(", ")}`,
      });
    };
    await e.waitFor(
      () => ["ry/example", "ry/test", "ry/xn--zckzah"].every((key) => stateOk(key) >= 1),
      { what: "every target's first state" },
    );
    const first = { example_ry: 1, test_ry: 1, "xn--zckzah_ry": 1 };
    expect(logins()).toEqual(first);

    // Unchanged: 0 logins, 0 logouts.
    await reloadAndRefresh(["example", "test", "xn--zckzah"]);
    expect(logins()).toEqual(first);
    expect(logouts()).toEqual({});

    // An added target: its one login.
    await reloadAndRefresh(["example", "test", "xn--zckzah", "9999"]);
    expect(logins()).toEqual({ ...first, "9999_rr": 1 });
    expect(logouts()).toEqual({});

    // A removed target: its logout, nothing else.
    await reloadAndRefresh(["example", "xn--zckzah", "9999"]);
    expect(logins()).toEqual({ ...first, "9999_rr": 1 });
    expect(logouts()).toEqual({ "/ry/test/logout": 1 });

    // A changed password: that credential's target logs out and in again, the others do not.
    e.sim.setScenario(withPassword("new-secret"));
    await reloadAndRefresh(["example", "xn--zckzah", "9999"], "new-secret");
    expect(logins()).toEqual({ ...first, example_ry: 2, "9999_rr": 1 });
    expect(logouts()).toEqual({ "/ry/test/logout": 1, "/ry/example/logout": 1 });
    expect(e.sim.stats().logins["example_ry"]?.failed).toBe(0);
    expect(counterValue(await e.metricsText(), "mosapi_refresh_failures_total")).toBe(0);
  });

  it("refuses an invalid config with 400, keeps the last good one, and recovers", async () => {
    const e = (e2e = await startE2e({
      config: (sim) => config(sim, { example: "example-login" }),
    }));
    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "example" })) === 1, {
      what: "example up",
    });
    const goodAt = await e.metric(RELOAD_TIME);

    await rewrite(e, {
      ...config(e.sim, { example: "example-login" }),
      collectors: { state: "5" },
    });
    const refused = await e.get("/-/reload", "POST");
    expect(refused.status).toBe(400);
    expect(refused.body).toContain(`Reload failed: ${e.configFile}`);
    expect(refused.body).toContain("collectors.state");
    expect(await e.metric(RELOAD_OK)).toBe(0);
    expect(await e.metric(RELOAD_TIME)).toBe(goodAt);
    // The last good config is still in force: example keeps refreshing.
    const states = (): number => e.sim.stats().requests.byTarget["ry/example"]?.["state"] ?? 0;
    const seen = states();
    await e.waitFor(() => states() >= seen + 2, { what: "two more refreshes" });
    expect(e.app.config().collectors.state).toBe(1000);
    expect(e.sim.stats().requests.byEndpoint["logout"]).toBeUndefined();

    await rewrite(e, config(e.sim, { example: "example-login" }));
    expect((await e.get("/-/reload", "POST")).status).toBe(200);
    expect(await e.metric(RELOAD_OK)).toBe(1);
    expect(await e.metric(RELOAD_TIME)).toBeGreaterThanOrEqual(goodAt ?? Infinity);
    expect((await e.get("/-/reload")).status).toBe(405);
  });

  it("re-reads a rotated password file and logs in with the new password", async () => {
    const demo = getScenario("demo");
    const withPassword = (password: string): Scenario => ({
      ...demo,
      accounts: demo.accounts.map((a) => (a.username === "example_ry" ? { ...a, password } : a)),
    });
    const e = (e2e = await startE2e({
      scenario: withPassword("old-secret-31"),
      files: { "example.password": "old-secret-31\n" },
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "5s" },
        credentials: {
          "example-login": {
            basic: { username: "example_ry", password_file: "example.password" },
          },
        },
        targets: [{ tld: "example", credentials: "example-login" }],
        collectors: onlyState("1s"),
      }),
    }));
    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "example" })) === 1, {
      what: "example up",
    });

    // ICANN rotates the password; the operator writes the new one and reloads.
    e.sim.setScenario(withPassword("new-secret-47"));
    await writeFile(path.join(e.dir, "example.password"), "new-secret-47\n");
    expect((await e.get("/-/reload", "POST")).status).toBe(200);

    await e.waitFor(() => (e.sim.stats().logins["example_ry"]?.ok ?? 0) === 2, {
      what: "a login with the new password",
    });
    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "example" })) === 1, {
      what: "example up again",
    });
    expect(e.sim.stats().logins["example_ry"]).toEqual({ ok: 2, failed: 0 });
    expect(await e.metric("mosapi_login_failures_total", { credentials: "example-login" })).toBe(0);
    expect(e.sim.stats().requests.byPath["/ry/example/logout"]?.total).toBe(1);
    for (const line of e.logs.lines()) expect(line).not.toMatch(/secret-(31|47)/);
  });

  it("runs concurrent reloads one after another, coalescing those that wait", async () => {
    const e = (e2e = await startE2e({
      config: (sim) => config(sim, { example: "example-login" }),
    }));
    await e.waitFor(async () => (await e.get("/-/ready")).status === 200, { what: "ready" });
    await rewrite(e, config(e.sim, { example: "example-login", test: "test-login" }));

    // The first runs at once; the other two arrive while it runs and share the next run.
    await Promise.all([e.app.reload(), e.app.reload(), e.app.reload()]);
    const reloads = logsWith(e, "configuration reloaded");
    expect(reloads.map((r) => [r["added"], r["removed"]])).toEqual([
      [["ry/test"], []],
      [[], []],
    ]);
    const replies = await Promise.all([1, 2].map(() => e.get("/-/reload", "POST")));
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(e.app.config().targets.map((t) => t.id)).toEqual(["example", "test"]);
    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "test" })) === 1, {
      what: "test up",
    });
  });
});
