/**
 * A flood of wrong passwords against `basic_auth_users` must not starve a correct scrape: the
 * bcrypt comparisons run on worker threads, at most MAX_COMPARISONS_IN_FLIGHT at once, and the
 * rest are refused at once with 503. No timing threshold is asserted: the correct (cached)
 * scrape must complete while the wrong comparisons are still running, and the event loop must
 * stay mostly idle over the flood, whose bcrypt work (several comparisons at cost 12, each
 * hundreds of times the work of answering a request) happens on the workers.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import bcrypt from "bcryptjs";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BasicAuthVerifier, MAX_COMPARISONS_IN_FLIGHT } from "../../src/web/basic-auth.js";
import { basicAuthMiddleware } from "../../src/web/middleware.js";

const PASSWORD = "s3cret-Pa55";
const users = new Map([["prometheus", bcrypt.hashSync(PASSWORD, 12)]]);
const verifier = new BasicAuthVerifier(users);
let server: http.Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(basicAuthMiddleware(users, verifier));
  app.get("/metrics", (_req, res) => {
    res.type("text/plain").send("up 1\n");
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await verifier.close();
});

/** One GET on a fresh connection; resolves with the status. */
function get(path: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}${path}`,
      { agent: false, auth: `prometheus:${password}` },
      (res) => {
        res.resume();
        res.on("end", () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on("error", reject);
  });
}

describe("60 wrong passwords at once", () => {
  it("leave a correct, cached scrape answered while they are still being compared", async () => {
    // The first correct login pays bcrypt once; from then on it is cached.
    expect(await get("/metrics", PASSWORD)).toBe(200);

    const elu = performance.eventLoopUtilization();
    let settled = 0;
    let firstRefusal: () => void = () => {};
    const full = new Promise<void>((resolve) => (firstRefusal = resolve));
    const flood = Array.from({ length: 60 }, (_, i) =>
      get("/metrics", `wrong-${i}`).then((status) => {
        settled += 1;
        // A 503 means every comparison slot was taken when it arrived.
        if (status === 503) firstRefusal();
        return status;
      }),
    );
    await full;
    expect(verifier.inFlight).toBe(MAX_COMPARISONS_IN_FLIGHT);

    expect(await get("/metrics", PASSWORD)).toBe(200);
    // Answered while wrong passwords were still on the workers.
    expect(verifier.inFlight).toBeGreaterThan(0);

    const statuses = await Promise.all(flood);
    const busy = performance.eventLoopUtilization(elu);
    expect(settled).toBe(60);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    // Past the bound: refused at once, not queued.
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(
      MAX_COMPARISONS_IN_FLIGHT,
    );
    // bcrypt on this thread would keep it busy nearly the whole time; passing messages does not.
    expect(busy.utilization).toBeLessThan(0.5);
  });
});
