import { describe, expect, it } from "vitest";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { fetchText, json, stateJson, startHarness, type Harness } from "./support.js";

const STATE = "/ry/example/v2/monitoring/state";

function post(h: Harness, path: string, body?: unknown) {
  return fetchText(h.agent, `${h.sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe("/_sim control routes", () => {
  it("GET /_sim/stats and POST /_sim/stats/reset", async () => {
    const h = await startHarness();
    await h.get(STATE);
    const stats = json(await h.get("/_sim/stats"));
    expect(stats["requests"]).toMatchObject({ total: 1, byStatus: { "401": 1 } });
    expect((await post(h, "/_sim/stats/reset")).status).toBe(204);
    expect((await h.get("/_sim/nothing")).status).toBe(404);
    // Control calls are not accounted.
    expect(h.sim.stats().requests.total).toBe(0);
  });

  it("POST and DELETE /_sim/faults", async () => {
    const h = await startHarness();
    const created = await post(h, "/_sim/faults", { kind: "status", status: 503, times: 5 });
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body)).toEqual({ id: "fault-1" });
    expect((await h.get(STATE)).status).toBe(503);

    const cleared = await fetchText(h.agent, `${h.sim.url}/_sim/faults`, { method: "DELETE" });
    expect(cleared.status).toBe(204);
    expect((await h.get(STATE)).status).toBe(401);
  });

  it("rejects invalid faults and bodies with 400", async () => {
    const h = await startHarness();
    for (const body of [{ kind: "explode" }, { kind: "latency" }, { kind: "html", extra: 1 }]) {
      const reply = await post(h, "/_sim/faults", body);
      expect(reply.status).toBe(400);
      expect(json(reply)["error"]).toEqual(expect.any(String));
    }
    const broken = await fetchText(h.agent, `${h.sim.url}/_sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(broken.status).toBe(400);
  });

  it("POST /_sim/scenario switches scenario; unknown names get 404", async () => {
    const h = await startHarness();
    const switched = await post(h, "/_sim/scenario", { name: "dns-down" });
    expect(switched.status).toBe(200);
    expect(JSON.parse(switched.body)).toEqual({ name: "dns-down" });
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    const body = stateJson(await h.get(STATE, { cookie }));
    expect(body.status).toBe("Down");

    const unknown = await post(h, "/_sim/scenario", { name: "nope" });
    expect(unknown.status).toBe(404);
    expect(json(unknown)["error"]).toMatch(/unknown scenario "nope"/);
    // A target the new scenario lacks is gone.
    expect((await h.get("/ry/test/login")).status).toBe(404);
  });

  it("POST /_sim/sessions/evict invalidates sessions", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    expect((await post(h, "/_sim/sessions/evict")).status).toBe(204);
    expect((await h.get(STATE, { cookie })).status).toBe(401);
  });

  it("POST /_sim/clock moves simulated time forward: an ongoing outage grows", async () => {
    const h = await startHarness();
    await post(h, "/_sim/scenario", { name: "dns-down" });
    const start = h.clock.now() / 1000;

    const shifted = await post(h, "/_sim/clock", { offsetSeconds: 300 });
    expect(JSON.parse(shifted.body)).toEqual({ now: start + 300 });
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    const dns = async () => stateJson(await h.get(STATE, { cookie })).testedServices["DNS"];
    expect(await dns()).toMatchObject({ status: "Down", emergencyThreshold: 12.5 });

    expect((await post(h, "/_sim/clock", { offsetSeconds: -1 })).status).toBe(400);
    expect((await post(h, "/_sim/clock", {})).status).toBe(400);
  });

  it("advanceClock() lets an outage end and its incident resolve", async () => {
    const h = await startHarness();
    h.sim.setScenario({
      ...getScenario("dns-down"),
      targets: [
        {
          entity: "ry",
          id: "example",
          services: { DNS: { outages: [{ start: -600, end: 300 }] } },
        },
      ],
    });
    const dns = async () => {
      const cookie = await h.login("ry/example", "example_ry", "demo-example");
      return stateJson(await h.get(STATE, { cookie })).testedServices["DNS"];
    };
    expect(await dns()).toMatchObject({ status: "Down", incidents: [{ state: "Active" }] });
    h.sim.advanceClock(300 + 120);
    expect(await dns()).toMatchObject({ status: "Up", incidents: [{ state: "Active" }] });
    h.sim.advanceClock(60);
    expect(await dns()).toMatchObject({
      status: "Up",
      emergencyThreshold: 6.25,
      incidents: [{ state: "Resolved", endTime: h.clock.now() / 1000 + 299 }],
    });
  });

  it("advanceClock() expires sessions too", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    expect(h.sim.advanceClock(15 * 60)).toBe(h.clock.now() / 1000 + 15 * 60);
    expect((await h.get(STATE, { cookie })).status).toBe(401);
    expect(() => h.sim.advanceClock(Number.NaN)).toThrow(RangeError);
  });
});
