/**
 * The `troubleshooting` collector over loopback against the simulator: traces read alike as
 * `.json.gz` bodies and with `Content-Encoding: gzip`, where the path breaks, and a 404 on the
 * trace tree read as "not offered for this account" (no failure, one info log, a slow retry).
 */
import { setMaxListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { stateJob } from "../../src/collectors/state.js";
import {
  TRACES_ABSENT_RETRY_MS,
  troubleshootingJob,
} from "../../src/collectors/troubleshooting.js";
import { createLogger } from "../../src/log/logger.js";
import { NotFoundError } from "../../src/mosapi/errors.js";
import { dayPath, treeDay, type TreeDay } from "../../src/mosapi/probe-network.js";
import type { Target } from "../../src/mosapi/target.js";
import type { Scenario, TraceSpec } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator } from "../../src/simulator/server.js";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { createLogSink } from "../helpers/log-sink.js";
import { SCENARIO_NOW, scenarioCollectors } from "../helpers/scenario-snapshot.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** trace-incident with its `traces` replaced by `traces`. */
function withTraces(traces: TraceSpec): Scenario {
  const base = getScenario("trace-incident");
  return { ...base, targets: base.targets.map((t) => ({ ...t, traces })) };
}

/** Day listings (`yyyy/mm/dd`) that the client answers with a 404 instead of asking. */
type MissingDays = ReadonlySet<string>;

/**
 * Runs state, then troubleshooting `rounds` times; returns the entry, outcomes and logs.
 * @param at when the simulator starts (the scenario's epoch); the collector runs 30 s later
 * @param missing day listings answered with a 404 (the simulator always has three days)
 */
async function run(
  scenario: Scenario,
  rounds = 1,
  at = SCENARIO_NOW,
  missing: MissingDays = new Set(),
) {
  const simClock = new FakeClock(at);
  const sim = await startSimulator({ scenario, clock: simClock });
  const clock = new FakeClock(at + 30_000);
  const { targets, deps } = scenarioCollectors(scenario, sim, clock);
  const sink = createLogSink();
  const logger = createLogger({ level: "info", format: "json", destination: sink.destination });
  const failures: string[] = [];
  const getTraceDay = deps.client.getTraceDay.bind(deps.client);
  const asked: string[] = [];
  // The collector's view of the client, with the listings of `missing` days answered 404.
  const traceClient = {
    getTraceFile: deps.client.getTraceFile.bind(deps.client),
    getTraceDay: (t: Target, day: TreeDay, signal?: AbortSignal) => {
      asked.push(dayPath(day));
      if (!missing.has(dayPath(day))) return getTraceDay(t, day, signal);
      const path = `/ry/${t.id}/v2/networkTroubleshooting/mtr/${dayPath(day)}`;
      const context = { operation: "list trace day", target: t.id, endpoint: "mtr", path };
      return Promise.reject(new NotFoundError(context));
    },
  };
  const jobDeps = {
    ...deps,
    logger,
    onFailure: (_t: unknown, _c: unknown, r: string) => failures.push(r),
  };
  cleanup = async () => {
    await deps.client.close();
    await sim.close();
  };
  const [target] = targets;
  if (target === undefined) throw new Error("no target");
  const signal = new AbortController().signal;
  // As the scheduler's signal: one round downloads its trace files at once, each listening.
  setMaxListeners(0, signal);
  await stateJob(jobDeps, target, 60_000).run(signal);
  const job = troubleshootingJob({ ...jobDeps, client: traceClient }, target, 300_000);
  const outcomes = [];
  for (let i = 0; i < rounds; i++) outcomes.push(await job.run(signal));
  const entry = deps.store.entry(target) as TargetSnapshot;
  return { entry, outcomes, failures, sink, sim, asked };
}

describe("troubleshooting collector", () => {
  it("shows where Sydney loses the path to ns1.test: hop 4, its address and ASN", async () => {
    const { entry, failures } = await run(getScenario("trace-incident"));
    expect(failures).toEqual([]);
    const traces = entry.traces?.traces ?? [];
    // 6 probes × (ns1, ns2 over IPv4 and IPv6, RDAP).
    expect(traces).toHaveLength(30);
    const broken = traces.filter((t) => !t.reached);
    expect(broken.map((t) => t.probe)).toEqual(["Sydney", "Sydney"]);
    for (const trace of broken) {
      expect(trace.lossRatio).toBe(1);
      expect(trace.lossStart?.hop).toBe(4);
      expect(trace.lossStart?.host).toMatch(/^(198\.51\.100|203\.0\.113)\./);
      expect(trace.lossStart?.asn).toMatch(/^AS64(49[6-9]|5[01]\d)$/);
      expect(trace.rttSeconds).toBeUndefined();
    }
    expect(traces.filter((t) => t.reached).every((t) => t.lossStart === undefined)).toBe(true);
  }, 30_000);

  it("just after midnight, keeps yesterday's newest trace of each path not traced yet today", async () => {
    // 00:02:30 UTC: each path is traced once per 5 minutes, so today's tree holds about half
    // of the 30 paths.
    const midnight = Math.ceil(SCENARIO_NOW / 86_400_000) * 86_400_000;
    const at = midnight + 120_000;
    const { entry, failures, sim } = await run(getScenario("trace-incident"), 1, at);
    expect(failures).toEqual([]);
    const traces = entry.traces?.traces ?? [];
    expect(traces).toHaveLength(30);
    const today = traces.filter((t) => t.testTime * 1000 >= midnight);
    expect(today.length).toBeGreaterThan(0);
    expect(today.length).toBeLessThan(30);
    expect(traces.filter((t) => !t.reached).map((t) => t.probe)).toEqual(["Sydney", "Sydney"]);
    // Yesterday's listing once, beside today's.
    expect(sim.stats().requests.byTarget["ry/test"]?.["trace-day"]).toBe(2);
  });

  it("just after midnight without yesterday's tree: today's traces, yesterday asked once a day", async () => {
    const midnight = Math.ceil(SCENARIO_NOW / 86_400_000) * 86_400_000;
    const yesterday = dayPath(treeDay(midnight - 86_400_000));
    const { entry, failures, asked } = await run(
      getScenario("trace-incident"),
      2,
      midnight + 120_000,
      new Set([yesterday]),
    );
    expect(failures).toEqual([]);
    const traces = entry.traces?.traces ?? [];
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.length).toBeLessThan(30);
    expect(traces.every((t) => t.testTime * 1000 >= midnight)).toBe(true);
    // Two rounds: today's listing each time, yesterday's 404 once.
    expect(asked.filter((day) => day === yesterday)).toHaveLength(1);
    expect(asked.filter((day) => day !== yesterday)).toHaveLength(2);
  });

  it("just after midnight with neither day's tree: not offered, no failure", async () => {
    const midnight = Math.ceil(SCENARIO_NOW / 86_400_000) * 86_400_000;
    const days = [midnight, midnight - 86_400_000].map((ms) => dayPath(treeDay(ms)));
    const { entry, failures } = await run(
      getScenario("trace-incident"),
      1,
      midnight + 120_000,
      new Set(days),
    );
    expect(failures).toEqual([]);
    expect(entry.traces).toBeNull();
  });

  it("reads a trace sent with Content-Encoding: gzip exactly like a .json.gz body", async () => {
    const breaks = getScenario("trace-incident").targets[0]?.traces?.breaks ?? [];
    const asFile = await run(withTraces({ breaks, encoding: "file" }));
    const fileTraces = asFile.entry.traces;
    await cleanup?.();
    cleanup = undefined;
    const encoded = await run(withTraces({ breaks, encoding: "content-encoding" }));
    expect(encoded.failures).toEqual([]);
    expect(encoded.entry.traces).toEqual(fileTraces);
    expect(fileTraces?.traces.length).toBe(30);
  }, 30_000);

  it("takes a 404 on the trace tree as not offered: no failure, one info log, a retry a day later", async () => {
    const { entry, outcomes, failures, sink, sim } = await run(withTraces({ offered: false }), 3);
    expect(entry.traces).toBeNull();
    expect(entry.collectors.troubleshooting?.lastError).toBeUndefined();
    expect(failures).toEqual([]);
    expect(outcomes).toEqual([
      { retryAfterMs: TRACES_ABSENT_RETRY_MS },
      { retryAfterMs: TRACES_ABSENT_RETRY_MS },
      { retryAfterMs: TRACES_ABSENT_RETRY_MS },
    ]);
    const notes = sink.records().filter((r) => String(r["msg"]).includes("not offered"));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.["level"]).toBe("info");
    // Outside the first hour of the day only today's listing is asked, once per round.
    expect(sim.stats().requests.byTarget["ry/test"]?.["trace-day"]).toBe(3);
  }, 30_000);
});
