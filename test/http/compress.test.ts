/**
 * The status board's pages and /api/v1/status gzipped when large and accepted: same headers
 * and same bytes once inflated, Vary on every answer that could be compressed, small answers
 * and HEAD untouched.
 */
import { gunzipSync } from "node:zlib";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/snapshot/snapshot.js";
import { COMPRESS_MIN_BYTES } from "../../src/http/compress.js";
import { startTestHttpServer } from "../helpers/http-server.js";
import { healthyEntry, stateFixture, tld } from "../helpers/fixtures.js";

const snapshot: Snapshot = {
  version: 1,
  targets: Array.from({ length: 40 }, (_, i) =>
    healthyEntry(tld(`tld${i}`), stateFixture("state-healthy"), 1),
  ),
};
const server = await startTestHttpServer({
  renderMetrics: () => Promise.resolve("up 1\n"),
  metricsContentType: "text/plain; version=0.0.4; charset=utf-8",
  snapshot: () => snapshot,
});
afterAll(() => server.close());

async function get(path: string, acceptEncoding?: string, method: "GET" | "HEAD" = "GET") {
  const res = await request(`${server.url}${path}`, {
    method,
    headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding },
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: Buffer.from(await res.body.arrayBuffer()),
  };
}

describe.each([
  ["/", "text/html; charset=utf-8"],
  ["/api/v1/status", "application/json; charset=utf-8"],
  ["/targets/ry/tld3", "text/html; charset=utf-8"],
])("GET %s", (path, type) => {
  it("is gzipped when accepted, and the same bytes once inflated", async () => {
    const plain = await get(path);
    const zipped = await get(path, "gzip, deflate");
    expect(plain.body.length).toBeGreaterThanOrEqual(COMPRESS_MIN_BYTES);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["vary"]).toBe("Accept-Encoding");
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers["vary"]).toBe("Accept-Encoding");
    expect(zipped.headers["content-type"]).toBe(type);
    expect(plain.headers["content-type"]).toBe(type);
    expect(zipped.headers["content-length"]).toBe(String(zipped.body.length));
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).toString("utf8")).toBe(plain.body.toString("utf8"));
  });

  it("answers HEAD with the identity headers", async () => {
    const plain = await get(path);
    const head = await get(path, "gzip", "HEAD");
    expect(head.headers["content-encoding"]).toBeUndefined();
    expect(head.headers["content-length"]).toBe(String(plain.body.length));
  });
});

describe("small answers", () => {
  it("are sent as they are, without Vary", async () => {
    for (const path of ["/-/healthy", "/no/such/page"]) {
      const res = await get(path, "gzip");
      expect(res.headers["content-encoding"]).toBeUndefined();
      expect(res.headers["vary"]).toBeUndefined();
      expect(res.body.length).toBeLessThan(COMPRESS_MIN_BYTES);
    }
  });
});
