/**
 * /metrics served from MetricsRenderer's cached chunks: the exact Content-Type, a Content-Length
 * that counts every chunk, and the bytes of the text, for GET and for HEAD.
 */
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import type { Snapshot } from "../../src/snapshot/snapshot.js";
import { METRICS_CONTENT_TYPE } from "../../src/metrics/prom.js";
import { MetricsRenderer } from "../../src/metrics/render.js";
import { SelfMetrics } from "../../src/metrics/self-metrics.js";
import { startTestHttpServer } from "../helpers/http-server.js";
import { healthyEntry, stateFixture, tld } from "../helpers/fixtures.js";

const snapshot: Snapshot = {
  version: 1,
  targets: [healthyEntry(tld("xn--zckzah"), stateFixture("state-healthy"), 1)],
};
// A non-ASCII label value: Content-Length counts bytes, not characters.
const self = new SelfMetrics(
  { version: "1", revision: "r", nodeVersion: "vé" },
  { defaultMetrics: false },
);
const renderer = new MetricsRenderer(() => snapshot, self);
const server = await startTestHttpServer({
  renderMetrics: () => renderer.render(),
  metricsContentType: METRICS_CONTENT_TYPE,
  snapshot: () => snapshot,
});
afterAll(() => server.close());

describe("/metrics from cached chunks", () => {
  it("GET sends every chunk with the exact headers", async () => {
    const expected = await renderer.renderText();
    for (let scrape = 0; scrape < 2; scrape++) {
      const res = await request(`${server.url}/metrics`);
      const body = Buffer.from(await res.body.arrayBuffer());
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(expected)));
      expect(body.toString("utf8")).toBe(expected);
    }
  });

  it("HEAD sends the headers and no body", async () => {
    const res = await request(`${server.url}/metrics`, { method: "HEAD" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-length"]).toBe(
      String(Buffer.byteLength(await renderer.renderText())),
    );
    expect(await res.body.text()).toBe("");
  });
});
