/**
 * One slow or failing collector never delays another target's refresh: every (target,
 * collector) pair has its own loop, and the per-credential cap is shared only request by
 * request. Real time on loopback, bounded polls.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Scheduler } from "../../src/collectors/scheduler.js";
import { alarmedJob } from "../../src/collectors/alarmed.js";
import { stateJob } from "../../src/collectors/state.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { createLogger } from "../../src/log/logger.js";
import { MosapiClient } from "../../src/mosapi/client.js";
import type { Target } from "../../src/mosapi/target.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { systemClock } from "../../src/util/clock.js";

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

const stateCount = (sim: RunningSimulator, key: string): number =>
  sim.stats().requests.byTarget[key]?.["state"] ?? 0;

async function poll(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("isolation", () => {
  it("a hanging collector of one target does not hold up another target on the same credential", async () => {
    const demo = getScenario("demo");
    // One RSP-style account for both TLDs, as a registry service provider would have.
    const scenario = {
      ...demo,
      accounts: [{ username: "rsp", password: "rsp-secret", targets: ["ry/example", "ry/test"] }],
    };
    const sim = await startSimulator({ scenario });
    const logger = createLogger({
      level: "error",
      format: "json",
      destination: { write: () => {} },
    });
    const credentials = new Map([
      ["rsp", { kind: "basic" as const, username: "rsp", password: "rsp-secret" }],
    ]);
    const client = new MosapiClient({
      url: sim.url,
      version: 2,
      timeoutMs: 20_000,
      maxConcurrency: 2,
      credentials,
      logger,
      clock: systemClock,
    });
    const example: Target = { entity: "ry", id: "example", credentials: "rsp" };
    const test: Target = { entity: "ry", id: "test", credentials: "rsp" };
    const store = new SnapshotStore([example, test]);
    const deps = { store, clock: systemClock, logger, client, onFailure: () => {} };
    const scheduler = new Scheduler({ clock: systemClock, logger });
    stop = async () => {
      await scheduler.stop();
      await client.close();
      await sim.close();
    };

    // example's alarmed endpoint and its state both hang for far longer than the test runs.
    sim.addFault({
      kind: "latency",
      ms: 15_000,
      match: { target: "ry/example", path: "/alarmed" },
    });
    scheduler.start([
      stateJob(deps, example, 200),
      alarmedJob(deps, example, 200),
      stateJob(deps, test, 200),
      alarmedJob(deps, test, 200),
    ]);
    await poll(() => store.entry(example)?.state !== undefined, "example's first state");
    sim.addFault({ kind: "latency", ms: 15_000, match: { target: "ry/example", path: "/state" } });
    const before = stateCount(sim, "ry/test");
    // example's requests now hang, but a target has one request in flight at most, so it holds
    // one of the credential's two slots: test keeps refreshing, state and alarmed alike.
    await poll(() => stateCount(sim, "ry/test") >= before + 5, "five more state refreshes of test");
    await poll(() => store.entry(test)?.alarmed !== undefined, "test's alarmed flags");
    expect(store.entry(test)?.up).toBe(true);
    expect(store.entry(test)?.alarmed).toEqual({ dns: true, dnssec: false, rdap: false });
  });
});
