/**
 * The upstream budget (issue: full coverage, item 5): how many MoSAPI requests one target costs
 * per hour at the default intervals, measured with the simulator's own counters over one
 * simulated hour. The exporter and the simulator share one fake clock; time only moves when
 * no refresh runs, every job waits in the scheduler and no request is in flight, so the hour is
 * exact and fast.
 */
import { afterEach, describe, expect, it } from "vitest";
import { alarmedJob } from "../../src/collectors/alarmed.js";
import { downtimeJob } from "../../src/collectors/downtime.js";
import { incidentsJob } from "../../src/collectors/incidents.js";
import { measurementsJob } from "../../src/collectors/measurements.js";
import { metricaJob } from "../../src/collectors/metrica.js";
import { troubleshootingJob } from "../../src/collectors/troubleshooting.js";
import { Scheduler } from "../../src/collectors/scheduler.js";
import { stateJob } from "../../src/collectors/state.js";
import { targetKey } from "../../src/mosapi/target.js";
import type { Scenario } from "../../src/simulator/scenario.js";
import { demoScenario, MINUTE as SIM_MINUTE } from "../../src/simulator/scenarios/common.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { FakeClock, settle } from "../helpers/fake-clock.js";
import { COLLECTOR_JOBS, SCENARIO_NOW, scenarioCollectors } from "../helpers/scenario-snapshot.js";

const MINUTE = 60_000;
/** The defaults of CONFIGURATION.md. */
const DEFAULTS = {
  state: MINUTE,
  alarmed: 5 * MINUTE,
  downtime: 5 * MINUTE,
  incidents: 5 * MINUTE,
  metrica: 6 * 60 * MINUTE,
  measurements: 5 * MINUTE,
  troubleshooting: 0,
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Runs the scenario for `ms` of simulated time; returns the simulator. */
/** How many requests for exactly `path` MoSAPI answered with 200. */
function answered(sim: RunningSimulator, path: string): number {
  return sim.stats().requests.byPath[path]?.byStatus["200"] ?? 0;
}

async function simulate(
  scenario: string | Scenario,
  ms: number,
  options: { intervals?: Partial<typeof DEFAULTS>; start?: number } = {},
): Promise<RunningSimulator> {
  const intervals = options.intervals ?? {};
  const clock = new FakeClock(options.start ?? SCENARIO_NOW);
  const sim = await startSimulator({
    scenario: typeof scenario === "string" ? getScenario(scenario) : scenario,
    clock,
  });
  const { targets, deps } = scenarioCollectors(scenario, sim, clock);
  const { logger, client } = deps;
  // random 0.5: no jitter, so the count is exact.
  const scheduler = new Scheduler({ clock, logger, random: () => 0.5 });
  let running = 0;
  const jobs = targets
    .flatMap((target) =>
      COLLECTOR_JOBS.map((job) => job(deps, target, { ...DEFAULTS, ...intervals }[jobName(job)])),
    )
    // Disabled collectors (interval 0) never start, as in the exporter.
    .filter((job) => job.intervalMs > 0)
    .map((job) => ({
      ...job,
      run: async (signal: AbortSignal) => {
        running++;
        try {
          return await job.run(signal);
        } finally {
          running--;
        }
      },
    }));
  scheduler.start(jobs);
  cleanup = async () => {
    await scheduler.stop();
    await client.close();
    await sim.close();
  };

  const end = clock.now() + ms;
  for (;;) {
    // Quiet: no refresh running, every job queued under the scheduler's one sleep, nothing in
    // flight at the simulator.
    await waitUntil(() => running === 0 && clock.pending().length === 1 && inFlight(sim) === 0);
    const next = clock.msUntilNextWake();
    if (next === undefined || clock.now() + next > end) break;
    clock.advance(next);
    await settle();
  }
  return sim;
}

function jobName(job: (typeof COLLECTOR_JOBS)[number]): keyof typeof DEFAULTS {
  return (
    {
      [stateJob.name]: "state",
      [alarmedJob.name]: "alarmed",
      [downtimeJob.name]: "downtime",
      [incidentsJob.name]: "incidents",
      [metricaJob.name]: "metrica",
      [measurementsJob.name]: "measurements",
      [troubleshootingJob.name]: "troubleshooting",
    } as const
  )[job.name]!;
}

function inFlight(sim: RunningSimulator): number {
  return Object.values(sim.stats().concurrency.current).reduce((a, b) => a + b, 0);
}

async function waitUntil(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error("the exporter did not go quiet");
}

describe("upstream budget per target-hour at the default intervals", () => {
  it("costs a healthy TLD 60 state + 12 per monitored service for alarmed and downtime, and 1 METRICA", async () => {
    const sim = await simulate("demo", 60 * MINUTE);
    // example: DNS, DNSSEC and RDAP monitored; RDDS and EPP Disabled; no active incident.
    const example = sim.stats().requests.byTarget[targetKey({ entity: "ry", id: "example" })];
    expect(example).toEqual({
      // First login + one before each 15-minute session end (the cookie states the lifetime, so
      // no request meets an expired session: no 401, no retry).
      login: 4,
      state: 60,
      alarmed: 3 * 12,
      downtime: 3 * 12,
      "metrica-latest": 1,
      // measurements: per monitored service and round, today's listing and the one new
      // measurement (DNS and DNSSEC have a new cycle every minute, RDAP every 5 minutes).
      "recent-day": 3 * 12,
      "recent-measurement": 3 * 12,
    });
  }, 60_000);

  it("adds one measurement list and at most one new measurement per active incident and round", async () => {
    const sim = await simulate("demo", 60 * MINUTE);
    const test = sim.stats().requests.byTarget[targetKey({ entity: "ry", id: "test" })];
    expect(test).toMatchObject({
      login: 4,
      state: 60,
      alarmed: 36,
      downtime: 36,
      measurements: 12,
      "metrica-latest": 1,
    });
    // The DNS incident gains a measurement every minute, so each 5-minute round sees a new one.
    expect(test?.["measurement"]).toBe(12);
    // Never the same data twice: every measurement detail path was requested exactly once.
    const details = Object.entries(sim.stats().requests.byPath).filter(([path]) =>
      /\/measurements\/[^/]+$/.test(path),
    );
    expect(details.length).toBe(12);
    expect(details.every(([, counts]) => counts.total === 1)).toBe(true);
  }, 60_000);

  it("never queries a Disabled service or one the registrar does not have", async () => {
    const sim = await simulate("demo", 10 * MINUTE);
    const paths = Object.keys(sim.stats().requests.byPath);
    expect(paths.filter((p) => /\/monitoring\/(rdds|epp)\//.test(p))).toEqual([]);
    expect(
      paths.filter((p) => p.startsWith("/rr/9999/") && /\/monitoring\/(dns|dnssec|epp)/.test(p)),
    ).toEqual([]);
  }, 60_000);

  it("measurements: never the same measurement twice, and never the year, month or day lists", async () => {
    const sim = await simulate("demo", 60 * MINUTE);
    const recent = Object.entries(sim.stats().requests.byPath).filter(([path]) =>
      /\/monitoring\/[a-z]+\/measurements\/\d{4}\/\d{2}\/\d{2}\/[^/]+$/.test(path),
    );
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every(([, counts]) => counts.total === 1)).toBe(true);
    const kinds = Object.values(sim.stats().requests.byTarget).flatMap((t) => Object.keys(t));
    expect(kinds).not.toContain("recent-listing");
  }, 60_000);

  it("measurements: reads yesterday's day listing once, only when today's is still empty after midnight", async () => {
    // 23:50 UTC: the rounds at 23:50 and 23:55 find today's listing; the one at 00:00 finds
    // the new day empty (its first cycle has not completed) and reads yesterday's, once; the
    // rounds at 00:05, 00:10 and 00:15 find today's again.
    const start = Date.UTC(2026, 10, 23, 23, 50);
    const sim = await simulate("early-warning", 30 * MINUTE, { start });
    const dayLists = Object.entries(sim.stats().requests.byPath)
      .filter(([path]) => /\/monitoring\/dns\/measurements\/\d{4}\/\d{2}\/\d{2}$/.test(path))
      .map(([path, counts]) => [path.replace(/^.*measurements\//, ""), counts.total]);
    expect(Object.fromEntries(dayLists)).toEqual({ "2026/11/23": 2 + 1, "2026/11/24": 4 });
  }, 60_000);

  it("troubleshooting costs nothing while no incident is active", async () => {
    const sim = await simulate("demo", 60 * MINUTE, { intervals: { troubleshooting: 5 * MINUTE } });
    for (const id of ["example", "xn--zckzah"]) {
      const requests = sim.stats().requests.byTarget[targetKey({ entity: "ry", id })] ?? {};
      expect(
        Object.keys(requests).filter((kind) => kind.startsWith("trace-")),
        id,
      ).toEqual([]);
    }
    const paths = Object.keys(sim.stats().requests.byPath);
    expect(
      paths.filter((p) => p.includes("/networkTroubleshooting/") && !p.startsWith("/ry/test/")),
    ).toEqual([]);
  }, 60_000);

  it("troubleshooting during an incident: one day listing per round, each trace file once", async () => {
    const sim = await simulate("demo", 60 * MINUTE, { intervals: { troubleshooting: 5 * MINUTE } });
    const test = sim.stats().requests.byTarget[targetKey({ entity: "ry", id: "test" })] ?? {};
    // One listing per round answered (counting answers, not requests: where a request meets an
    // ended session, its 401 is followed by the one re-login and a retry).
    expect(answered(sim, "/ry/test/v2/networkTroubleshooting/mtr/2026/11/23")).toBe(12);
    const files = Object.entries(sim.stats().requests.byPath).filter(([path]) =>
      path.includes("/networkTroubleshooting/mtr/2026/11/23/"),
    );
    // 6 probes × 5 addresses (ns1 and ns2 over IPv4 and IPv6, RDAP): at most one new trace
    // per path and 5-minute round (a trace still running in a round is fetched in the next).
    expect(test["trace-file"]).toBe(files.length);
    expect(files.length).toBeLessThanOrEqual(6 * 5 * 12);
    expect(files.length).toBeGreaterThan(6 * 5 * 11);
    expect(files.every(([, counts]) => counts.total === 1)).toBe(true);
  }, 60_000);

  it("troubleshooting downloads a trace file shared by two TLDs once", async () => {
    // One RSP's name servers serve both TLDs, both in a DNS incident: their traces are the
    // same files, linked into both trees.
    const shared = {
      nameServers: [{ name: "ns1.rsp.example" }, { name: "ns2.rsp.example" }],
    };
    const target = (id: string) => ({
      entity: "ry" as const,
      id,
      services: {
        DNS: { outages: [{ start: -25 * SIM_MINUTE }], measurement: shared },
        DNSSEC: { disabled: true },
        EPP: { disabled: true },
        RDDS: { disabled: true },
      },
    });
    const scenario = demoScenario("shared-ns", "two TLDs on one RSP's name servers", [
      target("example"),
      target("test"),
    ]);
    const sim = await simulate(scenario, 30 * MINUTE, {
      intervals: { troubleshooting: 5 * MINUTE },
    });
    const stats = sim.stats().requests.byTarget;
    const example = stats[targetKey({ entity: "ry", id: "example" })] ?? {};
    const test = stats[targetKey({ entity: "ry", id: "test" })] ?? {};
    expect(answered(sim, "/ry/example/v2/networkTroubleshooting/mtr/2026/11/23")).toBe(6);
    expect(answered(sim, "/ry/test/v2/networkTroubleshooting/mtr/2026/11/23")).toBe(6);
    expect(example["trace-day"] ?? 0).toBeGreaterThanOrEqual(6);
    expect(test["trace-day"] ?? 0).toBeGreaterThanOrEqual(6);
    // Every file name was downloaded once in all, from whichever tree asked first.
    const byName = new Map<string, number>();
    for (const [path, counts] of Object.entries(sim.stats().requests.byPath)) {
      if (!path.includes("/networkTroubleshooting/mtr/2026/11/23/")) continue;
      const name = path.slice(path.lastIndexOf("/") + 1);
      byName.set(name, (byName.get(name) ?? 0) + counts.total);
    }
    expect(byName.size).toBeGreaterThan(6 * 4 * 5);
    expect([...byName.values()].every((total) => total === 1)).toBe(true);
    expect((example["trace-file"] ?? 0) + (test["trace-file"] ?? 0)).toBe(byName.size);
  }, 60_000);
});
