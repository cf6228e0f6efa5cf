/**
 * Renewal of a Basic session whose login cookie states its lifetime: the request that would be
 * sent within the safety margin of the end logs in first instead of meeting a 401; no timer, no
 * logout, one shared login. Without a stated lifetime the session behaves as before.
 */
import type { MockAgent, MockPool } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RENEW_MARGIN_MS } from "../../src/mosapi/session.js";
import {
  createGate,
  createMockAgent,
  createTestClient,
  interceptState,
  settle,
  tld,
} from "../helpers/mock-mosapi.js";

const MINUTE = 60_000;
const LIFETIME = 15 * MINUTE;

let agent: MockAgent;
let pool: MockPool;

beforeEach(() => {
  agent = createMockAgent();
  pool = agent.get("https://mosapi.test");
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

/** A login answered with `id=<cookie>` and the given attributes (and headers). */
function interceptLogin(
  cookie: string,
  attributes: string,
  headers: Record<string, string> = {},
): void {
  pool
    .intercept({ path: "/ry/example/login", method: "GET" })
    .reply(200, "", {
      headers: {
        ...headers,
        "set-cookie": `id=${cookie}; ${attributes}${attributes === "" ? "" : "; "}Path=/ry/example`,
      },
    })
    .times(1);
}

/** A login answered with `id=<cookie>` for 15 minutes, then `states` answers to `state` with it. */
function interceptSession(cookie: string, states: number): void {
  interceptLogin(cookie, "Max-Age=900");
  interceptState(pool, "/ry/example", cookie, states);
}

describe("a session whose cookie states its lifetime", () => {
  it("logs in again before the end instead of sending a request doomed to 401, without logging out", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    interceptSession("c1", 2);
    interceptSession("c2", 1);

    await client.getState(tld("example"));
    clock.advance(LIFETIME - RENEW_MARGIN_MS - 1);
    await client.getState(tld("example"));
    expect(observer.logins).toHaveLength(1);
    clock.advance(1);
    await client.getState(tld("example"));
    expect(observer.codes()).toEqual([
      "login 200",
      "monitoring/state 200",
      "monitoring/state 200",
      "login 200",
      "monitoring/state 200",
    ]);
  });

  it("sends nothing while idle: the session renews only when a request is due", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    interceptSession("c1", 1);
    await client.getState(tld("example"));
    clock.advance(3 * LIFETIME);
    await settle();
    expect(observer.codes()).toEqual(["login 200", "monitoring/state 200"]);
    expect(clock.pending()).toEqual([]);

    interceptSession("c2", 1);
    await client.getState(tld("example"));
    expect(observer.codes().slice(2)).toEqual(["login 200", "monitoring/state 200"]);
  });

  it("shares one login among 5 callers arriving at the renewal point", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent, maxConcurrency: 5 });
    interceptSession("c1", 1);
    await client.getState(tld("example"));
    clock.advance(LIFETIME - RENEW_MARGIN_MS);

    interceptSession("c2", 5);
    await Promise.all(Array.from({ length: 5 }, () => client.getState(tld("example"))));
    expect(observer.logins).toHaveLength(2);
    expect(observer.codes().filter((code) => code.endsWith(" 401"))).toEqual([]);
  });

  it("does not send a request whose cookie came due while it waited for its slot", async () => {
    const gate = createGate(agent, (options) => options.path.endsWith("/monitoring/state"));
    // Timeouts beyond the wait, so only the session's lifetime matters.
    const { client, clock, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 2 * LIFETIME,
    });
    interceptSession("c1", 1);
    interceptSession("c2", 1);

    // The first request holds the target's slot (one request per target at a time) ...
    const first = client.getState(tld("example"));
    await expectHeld(gate, 1);
    // ... while the second, given c1, waits for it past the renewal time.
    const second = client.getState(tld("example"));
    await settle();
    clock.advance(LIFETIME - RENEW_MARGIN_MS);
    gate.release();
    await first;
    await expectHeld(gate, 1);
    gate.release();
    await second;
    expect(observer.codes()).toEqual([
      "login 200",
      "monitoring/state 200",
      "login 200",
      "monitoring/state 200",
    ]);
  });

  it("counts Expires from the login answer's Date, whatever MoSAPI's clock says", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    // MoSAPI's clock is 2 hours behind ours.
    const serverNow = clock.now() - 120 * MINUTE;
    interceptLogin("c1", `Expires=${new Date(serverNow + LIFETIME).toUTCString()}`, {
      date: new Date(serverNow).toUTCString(),
    });
    interceptState(pool, "/ry/example", "c1", 2);
    interceptSession("c2", 1);

    await client.getState(tld("example"));
    clock.advance(LIFETIME - RENEW_MARGIN_MS - 1);
    await client.getState(tld("example"));
    clock.advance(1);
    await client.getState(tld("example"));
    expect(observer.logins).toHaveLength(2);
  });

  it("logs the lifetime it learnt, never the cookie", async () => {
    const cookie = "5ecc0de0ba1eaf00d5ecc0de0ba1eaf00d5ecc0d";
    const { client, logs } = createTestClient({ dispatcher: agent });
    interceptSession(cookie, 1);
    await client.getState(tld("example"));
    expect(logs.records().find((r) => r["msg"] === "logged in to MoSAPI")).toMatchObject({
      lifetimeSeconds: 900,
    });
    for (const line of logs.lines) expect(line).not.toContain(cookie);
  });
});

describe("a session whose cookie does not state a usable lifetime", () => {
  it.each([
    ["no lifetime", ""],
    ["a garbage Max-Age", "Max-Age=15 minutes"],
    ["a garbage Expires", "Expires=in a while"],
  ])(
    "with %s: keeps the cookie until a 401, then one re-login and one retry",
    async (_what, attributes) => {
      const { client, clock, observer, logs } = createTestClient({ dispatcher: agent });
      interceptLogin("c1", attributes);
      interceptState(pool, "/ry/example", "c1", 2);
      pool
        .intercept({ path: "/ry/example/v2/monitoring/state", headers: { cookie: "id=c1" } })
        .reply(401, "")
        .times(1);
      interceptLogin("c2", attributes);
      interceptState(pool, "/ry/example", "c2", 1);

      await client.getState(tld("example"));
      clock.advance(2 * LIFETIME);
      await client.getState(tld("example"));
      await client.getState(tld("example"));
      expect(observer.codes()).toEqual([
        "login 200",
        "monitoring/state 200",
        "monitoring/state 200",
        "monitoring/state 401",
        "login 200",
        "monitoring/state 200",
      ]);
      expect(logs.records().find((r) => r["msg"] === "logged in to MoSAPI")).not.toHaveProperty(
        "lifetimeSeconds",
      );
    },
  );
});

async function expectHeld(gate: ReturnType<typeof createGate>, count: number): Promise<void> {
  for (let i = 0; i < 100 && gate.held.length < count; i += 1) await settle(1);
  expect(gate.held).toHaveLength(count);
}
