/**
 * `rate_limit`: exporter-toolkit's token bucket (one for the whole server), 429 past it, probes
 * exempt, and checked before Basic auth so a refused request costs no bcrypt comparison.
 */
import bcrypt from "bcryptjs";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningHttpServer } from "../../src/http/server.js";
import type { WebConfig } from "../../src/web/config.js";
import { TokenBucket } from "../../src/web/rate-limit.js";
import { startTestHttpServer } from "../helpers/http-server.js";

describe("TokenBucket", () => {
  it("lets `burst` through at once, then one per interval, never saving more than burst", () => {
    let now = 0;
    const bucket = new TokenBucket({ intervalMs: 100, burst: 3 }, () => now);
    const allowed = () => bucket.take().allowed;
    expect([allowed(), allowed(), allowed(), allowed()]).toEqual([true, true, true, false]);
    expect(bucket.take()).toEqual({ allowed: false, waitMs: 100 });
    now = 40;
    expect(bucket.take()).toEqual({ allowed: false, waitMs: 60 });
    now = 100;
    expect([allowed(), allowed()]).toEqual([true, false]);
    now = 10_000;
    expect([allowed(), allowed(), allowed(), allowed()]).toEqual([true, true, true, false]);
  });
});

describe("rate_limit on the server", () => {
  const web: WebConfig = {
    file: "web.yml",
    basicAuthUsers: new Map([["prometheus", bcrypt.hashSync("pw", 4)]]),
    headers: {},
    // Two requests, then nothing for an hour: the limiter's state is plain to see.
    rateLimit: { intervalMs: 3_600_000, burst: 2 },
  };
  let server: RunningHttpServer;

  beforeAll(async () => {
    server = await startTestHttpServer({}, { web });
  });
  afterAll(() => server.close(0));

  const auth = (password: string) => ({
    authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString("base64")}`,
  });
  async function get(path: string, password = "pw") {
    const res = await request(`${server.url}${path}`, { headers: auth(password) });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  }

  it("answers 429 past the burst, before authentication, and keeps the probes reachable", async () => {
    expect((await get("/metrics")).status).toBe(200);
    expect((await get("/metrics", "wrong")).status).toBe(401);
    const refused = await get("/metrics");
    expect(refused.status).toBe(429);
    expect(refused.body).toBe("Too Many Requests");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(3000);
    // A wrong password past the limit is not even checked.
    expect((await get("/metrics", "wrong")).status).toBe(429);
    for (const probe of ["/-/healthy", "/-/ready"]) {
      expect((await get(probe)).status, probe).toBe(200);
    }
    expect((await request(`${server.url}/-/healthy`)).statusCode).toBe(200);
  });
});
