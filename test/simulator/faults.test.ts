import { describe, expect, it } from "vitest";
import { FaultStore } from "../../src/simulator/faults.js";
import { startHarness, waitFor, type Harness } from "./support.js";

const STATE = "/ry/example/v2/monitoring/state";

async function withSession(): Promise<{ h: Harness; cookie: string }> {
  const h = await startHarness();
  const cookie = await h.login("ry/example", "example_ry", "demo-example");
  return { h, cookie };
}

describe("faults over HTTP", () => {
  it("latency holds the answer until the clock has moved", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "latency", ms: 2000 });
    let settled = false;
    const pending = h.get(STATE, { cookie }).finally(() => {
      settled = true;
    });
    await waitFor(() => h.clock.sleeping === 1);
    h.clock.advance(1999);
    expect(settled).toBe(false);
    h.clock.advance(1);
    expect((await pending).status).toBe(200);
  });

  it("status answers with the status, body and Retry-After", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "status", status: 429, retryAfter: "120" });
    const limited = await h.get(STATE, { cookie });
    expect(limited).toMatchObject({ status: 429, body: "Too Many Requests" });
    expect(limited.headers["retry-after"]).toBe("120");

    h.sim.clearFaults();
    h.sim.addFault({ kind: "status", status: 503, body: "maintenance" });
    expect(await h.get(STATE, { cookie })).toMatchObject({ status: 503, body: "maintenance" });
  });

  it("malformed answers 200 with a body that is not JSON", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "malformed" });
    const reply = await h.get(STATE, { cookie });
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toMatch(/^application\/json/);
    expect(() => JSON.parse(reply.body) as unknown).toThrow(SyntaxError);
  });

  it("truncated cuts the real answer in half with a matching Content-Length", async () => {
    const { h, cookie } = await withSession();
    const full = (await h.get(STATE, { cookie })).body;
    h.sim.addFault({ kind: "truncated" });
    const cut = await h.get(STATE, { cookie });
    expect(cut.status).toBe(200);
    expect(cut.body).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(cut.headers["content-length"]).toBe(String(Buffer.byteLength(cut.body)));
    expect(() => JSON.parse(cut.body) as unknown).toThrow(SyntaxError);
  });

  it("html answers a 502 Bad Gateway page", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "html" });
    const reply = await h.get(STATE, { cookie });
    expect(reply.status).toBe(502);
    expect(reply.headers["content-type"]).toMatch(/^text\/html/);
    expect(reply.body).toContain("<title>502 Bad Gateway</title>");
  });

  it("evict invalidates the session, so the request gets 401 and a new login works", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "evict", times: 1 });
    expect((await h.get(STATE, { cookie })).status).toBe(401);
    const fresh = await h.login("ry/example", "example_ry", "demo-example");
    expect((await h.get(STATE, { cookie: fresh })).status).toBe(200);
    expect(h.sim.stats().sessions.evicted).toBe(1);
  });

  it("times limits how often a fault applies", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "status", status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await h.get(STATE, { cookie })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(h.sim.stats().faults).toEqual({ status: 2 });
  });

  it("match selects by path substring and by target", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "status", status: 500, match: { path: "/login" } });
    h.sim.addFault({ kind: "status", status: 502, match: { target: "ry/test" } });
    expect((await h.get(STATE, { cookie })).status).toBe(200);
    expect((await h.get("/ry/example/login")).status).toBe(500);
    expect((await h.get("/ry/test/v2/monitoring/state")).status).toBe(502);
  });

  it("rejects invalid faults", async () => {
    const { h } = await withSession();
    // @ts-expect-error: an unknown kind, as a JSON client could send
    expect(() => h.sim.addFault({ kind: "explode" })).toThrow();
    expect(() => h.sim.addFault({ kind: "status", status: 99 })).toThrow();
  });

  it("close() does not wait for requests held by latency", async () => {
    const { h, cookie } = await withSession();
    h.sim.addFault({ kind: "latency", ms: 60_000 });
    const pending = h.get(STATE, { cookie });
    await waitFor(() => h.clock.sleeping === 1);
    await h.sim.close();
    await expect(pending).rejects.toThrow();
  });
});

describe("FaultStore.take", () => {
  it("applies every matching latency but only the first terminal fault, consuming only those", () => {
    const store = new FaultStore();
    store.add({ kind: "latency", ms: 5, times: 1 });
    store.add({ kind: "html", times: 1 });
    store.add({ kind: "status", status: 500, times: 1 });
    expect(store.take("/ry/example/login", "ry/example").map((f) => f.kind)).toEqual([
      "latency",
      "html",
    ]);
    expect(store.take("/ry/example/login", "ry/example").map((f) => f.kind)).toEqual(["status"]);
    expect(store.take("/ry/example/login", "ry/example")).toEqual([]);
  });

  it("returns ids and forgets everything on clear()", () => {
    const store = new FaultStore();
    expect(store.add({ kind: "malformed" })).toBe("fault-1");
    expect(store.add({ kind: "truncated" })).toBe("fault-2");
    store.clear();
    expect(store.take("/", undefined)).toEqual([]);
  });
});
