import type { MockAgent, MockPool } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AuthError,
  InvalidResponseError,
  LoginBackoffError,
  LoginFailedError,
  TimeoutError,
} from "../../src/mosapi/errors.js";
import {
  JSON_HEADERS,
  ORIGIN,
  PASSWORD,
  USERNAME,
  createGate,
  createMockAgent,
  createTestClient,
  interceptLogin,
  interceptState,
  stateBody,
  tld,
} from "../helpers/mock-mosapi.js";

const BASIC = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")}`;

let agent: MockAgent;
let pool: MockPool;

beforeEach(() => {
  agent = createMockAgent();
  pool = agent.get(ORIGIN);
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

describe("Basic-auth sessions", () => {
  it("logs in at the unversioned login URL with Basic auth and reuses the id cookie", async () => {
    const { client, observer, logs } = createTestClient({ dispatcher: agent });
    pool
      .intercept({ path: "/ry/example/login", headers: { authorization: BASIC } })
      .reply(200, "", { headers: { "set-cookie": "id=c1abc; Path=/ry/example; Secure; HttpOnly" } })
      .times(1);
    // Data requests carry the cookie and never the password.
    pool
      .intercept({
        path: "/ry/example/v2/monitoring/state",
        headers: (headers) => headers["cookie"] === "id=c1abc" && !("authorization" in headers),
      })
      .reply(200, stateBody(), { headers: JSON_HEADERS })
      .times(3);

    for (let i = 0; i < 3; i += 1) {
      const state = await client.getState(tld("example"));
      expect(state.tld).toBe("example");
    }
    expect(observer.codes()).toEqual([
      "login 200",
      "monitoring/state 200",
      "monitoring/state 200",
      "monitoring/state 200",
    ]);
    expect(observer.logins).toEqual([{ credentials: "login", ok: true }]);
    const info = logs.records().filter((r) => r["msg"] === "logged in to MoSAPI");
    expect(info).toEqual([
      expect.objectContaining({ level: 30, credentials: "login", target: "TLD example" }),
    ]);
  });

  it("picks the id cookie out of several Set-Cookie headers", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/example", "fromArray");
    interceptState(pool, "/ry/example", "fromArray");
    await client.getState(tld("example"));
  });

  it("keeps one session per target: the login URL names the TLD or registrar", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/one", "c-one");
    interceptLogin(pool, "/rr/9999", "c-rr");
    interceptState(pool, "/ry/one", "c-one");
    interceptState(pool, "/rr/9999", "c-rr");
    await client.getState(tld("one"));
    await client.getState({ entity: "rr", id: "9999", credentials: "login" });
  });

  it("shares one login among 5 concurrent callers (single-flight)", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/example", "shared", 1);
    interceptState(pool, "/ry/example", "shared", 5);
    const states = await Promise.all(
      Array.from({ length: 5 }, () => client.getState(tld("example"))),
    );
    expect(states).toHaveLength(5);
    expect(observer.logins).toHaveLength(1);
  });

  it("answers a 401 with exactly one re-login and one retry", async () => {
    const { client, observer, logs } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/example", "old", 1);
    pool
      .intercept({ path: "/ry/example/v2/monitoring/state", headers: { cookie: "id=old" } })
      .reply(401, "TLS-Client-Authentication or Session Cookie")
      .times(1);
    interceptLogin(pool, "/ry/example", "new", 1);
    interceptState(pool, "/ry/example", "new", 1);

    await client.getState(tld("example"));
    expect(observer.codes()).toEqual([
      "login 200",
      "monitoring/state 401",
      "login 200",
      "monitoring/state 200",
    ]);
    expect(logs.records().map((r) => r["msg"])).toContain(
      "MoSAPI session rejected (HTTP 401), logging in again",
    );
  });

  it("re-logs in once for 5 concurrent 401s", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent, maxConcurrency: 5 });
    interceptLogin(pool, "/ry/example", "old", 1);
    pool
      .intercept({ path: "/ry/example/v2/monitoring/state", headers: { cookie: "id=old" } })
      .reply(401, "")
      .times(5);
    interceptLogin(pool, "/ry/example", "new", 1);
    interceptState(pool, "/ry/example", "new", 5);

    // All five callers hold the old cookie; one request per target is in flight at a time, so
    // the first 401 re-logs in and the other four retry with the new session.
    await Promise.all(Array.from({ length: 5 }, () => client.getState(tld("example"))));
    expect(observer.codes().filter((c) => c.startsWith("login"))).toEqual([
      "login 200",
      "login 200",
    ]);
  });

  it("fails with AuthError when the fresh session is rejected too", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/example", "c1", 1);
    interceptLogin(pool, "/ry/example", "c2", 1);
    pool.intercept({ path: "/ry/example/v2/monitoring/state" }).reply(401, "").times(2);

    const error = await client.getState(tld("example")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: "MOSAPI_AUTH",
      reason: "auth",
      status: 401,
      operation: "fetch monitoring/state",
      target: "TLD example",
      endpoint: "monitoring/state",
      message:
        "fetch monitoring/state for TLD example failed: HTTP 401 Unauthorized even after a fresh login (GET /ry/example/v2/monitoring/state)",
    });
    expect(observer.requests).toHaveLength(4);
  });

  it("re-logs in inside an operation without deadlocking at maxConcurrency 1", async () => {
    const { client } = createTestClient({ dispatcher: agent, maxConcurrency: 1 });
    interceptLogin(pool, "/ry/example", "c1", 1);
    // Both callers got c1 from the shared login before queueing for the single slot.
    pool
      .intercept({ path: "/ry/example/v2/monitoring/state", headers: { cookie: "id=c1" } })
      .reply(401, "")
      .times(2);
    interceptLogin(pool, "/ry/example", "c2", 1);
    interceptState(pool, "/ry/example", "c2", 2);
    await Promise.all([client.getState(tld("example")), client.getState(tld("example"))]);
  });

  it("rejects a login answer without an id cookie", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool
      .intercept({ path: "/ry/example/login" })
      .reply(200, "", { headers: { "set-cookie": "JSESSIONID=x; Path=/" } });
    const error = await client.getState(tld("example")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({
      code: "MOSAPI_INVALID_RESPONSE",
      reason: "invalid_response",
      operation: "log in",
      endpoint: "login",
      message:
        "log in for TLD example failed: login answered without an id session cookie (GET /ry/example/login)",
    });
    expect(observer.logins).toEqual([{ credentials: "login", ok: false }]);
  });

  // Behaviour changed with the split of slot waits from the timeout: an operation waiting on a
  // shared login no longer times out on its own; the login has the same timeout and reports it.
  it("fails with the login's TimeoutError when the login is slower than the timeout", async () => {
    const gate = createGate(agent, (options) => options.path.endsWith("/login"));
    const { client, clock, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 1000,
    });
    pool.intercept({ path: "/ry/example/login" }).reply(200, "", {
      headers: { "set-cookie": "id=late" },
    });
    const call = client.getState(tld("example")).catch((e: unknown) => e);
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    clock.advance(1000);
    const error = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      code: "MOSAPI_TIMEOUT",
      reason: "timeout",
      operation: "log in",
      endpoint: "login",
      timeoutMs: 1000,
      message: "log in for TLD example failed: no answer within 1000 ms (GET /ry/example/login)",
    });
    gate.release();
    await vi.waitFor(() => {
      expect(observer.logins).toEqual([{ credentials: "login", ok: false }]);
    });
    expect(observer.codes()).toEqual(["login error"]);
  });
});

describe("login backoff", () => {
  function failLogin(): void {
    pool.intercept({ path: "/ry/example/login" }).reply(401, "Invalid User and/or Password");
  }

  it("suspends logins 1, 2, 4, 8, 15, 15 minutes after failures and resets on success", async () => {
    const { client, clock, observer, logs } = createTestClient({ dispatcher: agent });
    const minutes = [1, 2, 4, 8, 15, 15];
    for (const [index, wait] of minutes.entries()) {
      failLogin();
      const failed = await client.getState(tld("example")).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(LoginFailedError);
      expect(failed).toMatchObject({
        code: "MOSAPI_LOGIN_FAILED",
        reason: "auth",
        status: 401,
        credentials: "login",
        message:
          'log in for TLD example failed: credentials "login" rejected (HTTP 401 Unauthorized) (GET /ry/example/login)',
      });

      // While suspended: immediate failure, nothing sent.
      const sent = observer.requests.length;
      clock.advance(wait * 60_000 - 1);
      const suspended = await client.getState(tld("example")).catch((e: unknown) => e);
      expect(suspended).toBeInstanceOf(LoginBackoffError);
      expect(suspended).toMatchObject({
        code: "MOSAPI_LOGIN_BACKOFF",
        reason: "auth",
        retryAfterMs: 1,
        retryAt: clock.now() + 1,
      });
      expect((suspended as Error).message).toContain(
        `suspended after ${index + 1} failed login${index === 0 ? "" : "s"}`,
      );
      expect(observer.requests).toHaveLength(sent);
      clock.advance(1);
    }
    // Warned once for the whole streak.
    expect(logs.records().filter((r) => r["level"] === 40)).toHaveLength(1);

    // A successful login resets the backoff: the next failure waits 1 minute again.
    interceptLogin(pool, "/ry/example", "ok", 1);
    pool.intercept({ path: "/ry/example/v2/monitoring/state" }).reply(401, "");
    failLogin();
    const relogin = await client.getState(tld("example")).catch((e: unknown) => e);
    expect(relogin).toBeInstanceOf(LoginFailedError);
    const next = await client.getState(tld("example")).catch((e: unknown) => e);
    expect(next).toMatchObject({ code: "MOSAPI_LOGIN_BACKOFF", retryAfterMs: 60_000 });
    expect(logs.records().filter((r) => r["level"] === 40)).toHaveLength(2);
    expect(observer.logins.map((l) => l.ok)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
  });

  it("keeps the backoff per session: another target still logs in", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    failLogin();
    await expect(client.getState(tld("example"))).rejects.toBeInstanceOf(LoginFailedError);
    interceptLogin(pool, "/ry/other", "c-other");
    interceptState(pool, "/ry/other", "c-other");
    await client.getState(tld("other"));
    await expect(client.getState(tld("example"))).rejects.toBeInstanceOf(LoginBackoffError);
  });
});

describe("TLS client certificates", () => {
  it("never logs in and sends no cookie or Authorization", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool
      .intercept({
        path: "/ry/example/v2/monitoring/state",
        headers: (headers) => !("cookie" in headers) && !("authorization" in headers),
      })
      .reply(200, stateBody(), { headers: JSON_HEADERS })
      .times(2);
    await client.getState(tld("example", "cert"));
    await client.getState(tld("example", "cert"));
    expect(observer.logins).toEqual([]);
    expect(observer.codes()).toEqual(["monitoring/state 200", "monitoring/state 200"]);
  });

  it("treats a 401 as AuthError without retry", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: "/ry/example/v2/monitoring/state" }).reply(401, "");
    const error = await client.getState(tld("example", "cert")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      "fetch monitoring/state for TLD example failed: HTTP 401 Unauthorized: client certificate not authorized for this TLD (GET /ry/example/v2/monitoring/state)",
    );
    expect(observer.requests).toHaveLength(1);
  });
});

describe("close()", () => {
  it("logs out every open session once, with its cookie, and is idempotent", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/one", "c-one");
    interceptLogin(pool, "/ry/two", "c-two");
    interceptState(pool, "/ry/one", "c-one");
    interceptState(pool, "/ry/two", "c-two");
    await client.getState(tld("one"));
    await client.getState(tld("two"));
    pool.intercept({ path: "/ry/one/logout", headers: { cookie: "id=c-one" } }).reply(200, "");
    pool.intercept({ path: "/ry/two/logout", headers: { cookie: "id=c-two" } }).reply(200, "");

    await Promise.all([client.close(), client.close()]);
    await client.close();
    expect(observer.codes().filter((c) => c.startsWith("logout"))).toEqual([
      "logout 200",
      "logout 200",
    ]);
    await expect(client.getState(tld("one"))).rejects.toThrow("MosapiClient is closed");
  });

  it("swallows logout failures and logs them at debug", async () => {
    const { client, logs } = createTestClient({ dispatcher: agent });
    interceptLogin(pool, "/ry/one", "c-one");
    interceptState(pool, "/ry/one", "c-one");
    await client.getState(tld("one"));
    pool.intercept({ path: "/ry/one/logout" }).reply(500, "");
    await client.close();
    expect(logs.records()).toContainEqual(
      expect.objectContaining({
        level: 20,
        msg: "MoSAPI logout failed",
        code: "MOSAPI_HTTP_STATUS",
        credentials: "login",
      }),
    );
  });

  it("waits for a login under way and logs its session out", async () => {
    const gate = createGate(agent, (options) => options.path.endsWith("/login"));
    const { client, observer } = createTestClient({ dispatcher: gate.dispatcher });
    interceptLogin(pool, "/ry/one", "c-one");
    interceptState(pool, "/ry/one", "c-one");
    pool.intercept({ path: "/ry/one/logout", headers: { cookie: "id=c-one" } }).reply(200, "");
    const call = client.getState(tld("one"));
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    const closing = client.close();
    gate.release();
    await Promise.all([call, closing]);
    expect(observer.codes()).toEqual(["login 200", "monitoring/state 200", "logout 200"]);
  });

  it("sends nothing for sessions that never logged in", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: "/ry/one/login" }).reply(401, "");
    await expect(client.getState(tld("one"))).rejects.toBeInstanceOf(LoginFailedError);
    await client.close();
    expect(observer.codes()).toEqual(["login 401"]);
  });
});
