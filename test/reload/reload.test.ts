/**
 * Reload end to end (`POST /-/reload` and `RunningApp.reload`, the one function SIGHUP also
 * calls): the new config replaces the old one only when valid; unchanged targets keep their
 * series without a gap, removed ones vanish, added ones appear; the old client logs out; a
 * rotated password file is read again; concurrent reloads run one after another.
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
  it("keeps unchanged targets' series, drops removed ones, adds new ones, logs the old client out", async () => {
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
    // The old client logged out of both of its sessions before the reload answered.
    const stats = e.sim.stats();
    expect(stats.requests.byPath["/ry/example/logout"]).toEqual({ total: 1, byStatus: { 200: 1 } });
    expect(stats.requests.byPath["/ry/test/logout"]).toEqual({ total: 1, byStatus: { 200: 1 } });

    await e.waitFor(async () => (await e.metric("mosapi_up", { tld: "xn--zckzah" })) === 1, {
      what: "the added target up",
    });
    // The unchanged target's loop runs again: its (hanging) refresh logged in anew.
    await e.waitFor(() => (e.sim.stats().logins["example_ry"]?.ok ?? 0) === 2, {
      what: "example's second login",
    });
    expect(logsWith(e, "configuration reloaded")).toMatchObject([
      { level: "info", targets: 2, added: ["ry/xn--zckzah"], removed: ["ry/test"], kept: 1 },
    ]);
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
