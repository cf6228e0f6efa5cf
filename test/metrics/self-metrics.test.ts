import { describe, expect, it } from "vitest";
import { SelfMetrics } from "../../src/metrics/self-metrics.js";
import type { Target } from "../../src/mosapi/target.js";

const build = { version: "1", revision: "r", nodeVersion: "v20" };
const example: Target = { entity: "ry", id: "example", credentials: "c" };
const other: Target = { entity: "rr", id: "9999", credentials: "c" };

describe("SelfMetrics.forgetTarget", () => {
  it("drops every refresh-failure series of that target and no other", async () => {
    const metrics = new SelfMetrics(build, { defaultMetrics: false });
    metrics.onRefreshFailure(example, "state", "timeout");
    metrics.onRefreshFailure(example, "metrica", "not_found");
    metrics.onRefreshFailure(other, "state", "auth");
    expect(await metrics.render()).toContain('tld="example"');

    metrics.forgetTarget(example);

    const text = await metrics.render();
    expect(text).not.toContain('tld="example"');
    expect(text).toContain(
      'mosapi_refresh_failures_total{registrar_id="9999",collector="state",reason="auth"} 1',
    );
  });
});
