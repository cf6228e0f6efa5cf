import { describe, expect, it } from "vitest";
import { stateResponseSchema } from "../../src/mosapi/models.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { basic, cookieOf, startHarness, stateJson } from "./support.js";

const STATE = "/ry/example/v2/monitoring/state";

describe("login, cookie, logout", () => {
  it("logs in with Basic auth and serves state with the session cookie", async () => {
    const h = await startHarness();
    const login = await h.get("/ry/example/login", basic("example_ry", "demo-example"));
    expect(login.status).toBe(200);
    // The lifetime (15 minutes) both ways, and the answer's Date in the same simulated time.
    const expires = new Date(h.clock.now() + 15 * 60_000).toUTCString();
    expect(login.headers["set-cookie"]).toMatch(
      new RegExp(
        `^id=[0-9a-f]{40}; Expires=${expires}; Max-Age=900; Path=/ry/example; Secure; HttpOnly$`,
      ),
    );
    expect(login.headers["date"]).toBe(new Date(h.clock.now()).toUTCString());

    const reply = await h.get(STATE, { cookie: cookieOf(login) });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    const state = stateResponseSchema.parse(JSON.parse(reply.body));
    expect(state).toMatchObject({ version: 2, tld: "example", status: "up" });
  });

  it("logs out, expiring the cookie, after which the cookie is refused", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    const logout = await h.get("/ry/example/logout", { cookie });
    expect(logout.status).toBe(200);
    expect(logout.headers["set-cookie"]).toBe(
      "id=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/ry/example; Secure; HttpOnly",
    );
    expect((await h.get(STATE, { cookie })).status).toBe(401);
    expect((await h.get("/ry/example/logout", { cookie })).status).toBe(401);
    expect(h.sim.stats().sessions).toMatchObject({ created: 1, closed: 1, active: 0 });
  });

  it("refuses a wrong password and an account not allowed for the target", async () => {
    const h = await startHarness();
    for (const [user, password] of [
      ["example_ry", "wrong"],
      ["test_ry", "demo-test"],
      ["nobody", "x"],
    ] as const) {
      const reply = await h.get("/ry/example/login", basic(user, password));
      expect(reply.status).toBe(401);
      expect(reply.body).toBe("Invalid User and/or Password");
      expect(reply.headers["set-cookie"]).toBeUndefined();
    }
    expect((await h.get("/ry/example/login")).status).toBe(401);
    expect(h.sim.stats().logins).toEqual({
      example_ry: { ok: 0, failed: 1 },
      test_ry: { ok: 0, failed: 1 },
      nobody: { ok: 0, failed: 1 },
      "(none)": { ok: 0, failed: 1 },
    });
  });

  it("answers Basic auth on a versioned endpoint with 401 naming the accepted methods", async () => {
    const h = await startHarness();
    const reply = await h.get(STATE, basic("example_ry", "demo-example"));
    expect(reply.status).toBe(401);
    expect(reply.body).toContain("TLS-Client-Authentication or Session Cookie");
    expect((await h.get(STATE, { cookie: "id=0123" })).status).toBe(401);
  });

  it("binds a session to the target whose login created it", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    expect((await h.get("/ry/test/v2/monitoring/state", { cookie })).status).toBe(401);
  });

  it("expires a session 15 minutes after login (injected clock)", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    h.clock.advance(15 * 60_000 - 1);
    expect((await h.get(STATE, { cookie })).status).toBe(200);
    h.clock.advance(1);
    expect((await h.get(STATE, { cookie })).status).toBe(401);
    expect(h.sim.stats().sessions).toMatchObject({ created: 1, expired: 1, active: 0 });
  });

  it("honours sessionTtlMs, and states it in the cookie", async () => {
    const h = await startHarness({ sessionTtlMs: 1000 });
    const login = await h.get("/ry/example/login", basic("example_ry", "demo-example"));
    expect(login.headers["set-cookie"]).toContain("; Max-Age=1; ");
    const cookie = cookieOf(login);
    h.clock.advance(1000);
    expect((await h.get(STATE, { cookie })).status).toBe(401);
  });

  it("serves a cookie without a lifetime when told to, and still expires the session", async () => {
    const h = await startHarness({ sessionTtlMs: 1000, sessionLifetimeInCookie: false });
    const login = await h.get("/ry/example/login", basic("example_ry", "demo-example"));
    expect(login.headers["set-cookie"]).toMatch(
      /^id=[0-9a-f]{40}; Path=\/ry\/example; Secure; HttpOnly$/,
    );
    h.clock.advance(1000);
    expect((await h.get(STATE, { cookie: cookieOf(login) })).status).toBe(401);
  });

  it("evicts the older session when the account logs in again", async () => {
    const h = await startHarness();
    const first = await h.login("ry/example", "example_ry", "demo-example");
    const second = await h.login("ry/example", "example_ry", "demo-example");
    expect(first).not.toBe(second);
    expect((await h.get(STATE, { cookie: first })).status).toBe(401);
    expect((await h.get(STATE, { cookie: second })).status).toBe(200);
    expect(h.sim.stats().sessions).toMatchObject({ created: 2, evicted: 1, active: 1 });
  });

  it("keeps maxSessionsPerAccount sessions, evicting the oldest", async () => {
    const h = await startHarness({ maxSessionsPerAccount: 2 });
    const cookies = [];
    for (let i = 0; i < 3; i++)
      cookies.push(await h.login("ry/example", "example_ry", "demo-example"));
    const statuses = [];
    for (const cookie of cookies) statuses.push((await h.get(STATE, { cookie })).status);
    expect(statuses).toEqual([401, 200, 200]);
  });

  it("evictSessions() invalidates every session", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    h.sim.evictSessions();
    expect((await h.get(STATE, { cookie })).status).toBe(401);
  });
});

describe("paths", () => {
  it("serves registrars with registrarID", async () => {
    const h = await startHarness();
    const cookie = await h.login("rr/9999", "9999_rr", "demo-9999");
    const reply = await h.get("/rr/9999/v2/monitoring/state", { cookie });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ registrarID: "9999", status: "Up" });
  });

  it("serves v1 without RDAP", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    const body = stateJson(await h.get("/ry/example/v1/monitoring/state", { cookie }));
    expect(body.version).toBe(1);
    expect(Object.keys(body.testedServices)).toEqual(["DNS", "DNSSEC", "EPP", "RDDS"]);
  });

  it("serves the IDN test TLD by its A-label", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/xn--zckzah", "xn--zckzah_ry", "demo-xn--zckzah");
    const reply = await h.get("/ry/xn--zckzah/v2/monitoring/state", { cookie });
    expect(stateJson(reply).testedServices["DNS"]?.status).toBe("UP-inconclusive-no-probes");
  });

  it("answers 404 JSON for unknown targets, versions, resources and paths", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    for (const path of [
      "/ry/nope/login",
      "/ry/nope/v2/monitoring/state",
      "/rr/1/logout",
      "/ry/example/v3/monitoring/state",
      "/ry/example/v2/monitoring/nothing",
      "/ry/example/v2/monitoring/state/extra",
      "/xx/example/v2/monitoring/state",
      "/",
    ]) {
      const reply = await h.get(path, { cookie });
      expect([path, reply.status]).toEqual([path, 404]);
      expect(JSON.parse(reply.body)).toMatchObject({ resultCode: "404", message: "Not Found" });
    }
    const malformed = await h.get("/ry/%E0%A4%A/login");
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ resultCode: "400" });
  });

  it("logs one line per request without passwords or cookies", async () => {
    const lines: string[] = [];
    const h = await startHarness({ logger: (line) => lines.push(line) });
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    await h.get(STATE, { cookie });
    await h.get("/ry/example/login", basic("example_ry", "wrong-secret"));
    expect(lines).toEqual([
      expect.stringMatching(/^GET \/ry\/example\/login 200 \d+ms example_ry$/),
      expect.stringMatching(/^GET \/ry\/example\/v2\/monitoring\/state 200 \d+ms example_ry$/),
      expect.stringMatching(/^GET \/ry\/example\/login 401 \d+ms example_ry$/),
    ]);
    const text = lines.join("\n");
    expect(text).not.toContain("demo-example");
    expect(text).not.toContain("wrong-secret");
    expect(text).not.toContain(cookie.slice(3));
  });

  it("follows setScenario with a fresh epoch", async () => {
    const h = await startHarness();
    h.clock.advance(3_600_000);
    h.sim.setScenario(getScenario("dns-down"));
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    const body = stateJson(await h.get(STATE, { cookie }));
    expect(body.testedServices["DNS"]).toMatchObject({
      status: "Down",
      emergencyThreshold: 10.417,
    });
  });
});
