/**
 * The upstream budget (issue: full coverage, item 5): how many MoSAPI requests one target costs
 * per hour at the default intervals, measured with the simulator's own counters over one
 * simulated hour. The exporter and the simulator share one fake clock; time only moves when
 * every refresh loop is asleep and no request is in flight, so the hour is exact and fast.
 */
import { afterEach, describe, expect, it } from "vitest";
import { alarmedJob } from "../../src/collectors/alarmed.js";
import { downtimeJob } from "../../src/collectors/downtime.js";
import { incidentsJob } from "../../src/collectors/incidents.js";
import { metricaJob } from "../../src/collectors/metrica.js";
import { Scheduler } from "../../src/collectors/scheduler.js";
import { stateJob } from "../../src/collectors/state.js";
import { targetKey } from "../../src/mosapi/target.js";
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
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Runs the scenario for `ms` of simulated time; returns the simulator. */
async function simulate(scenario: string, ms: number): Promise<RunningSimulator> {
  const clock = new FakeClock(SCENARIO_NOW);
  const sim = await startSimulator({ scenario: getScenario(scenario), clock });
  const { targets, deps } = scenarioCollectors(scenario, sim, clock);
  const { logger, client } = deps;
  // random 0.5: no jitter, so the count is exact.
  const scheduler = new Scheduler({ clock, logger, random: () => 0.5 });
  let running = 0;
  const jobs = targets
    .flatMap((target) => COLLECTOR_JOBS.map((job) => job(deps, target, DEFAULTS[jobName(job)])))
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
    // Quiet: no refresh running, every loop asleep, nothing in flight at the simulator.
    await waitUntil(
      () => running === 0 && clock.pending().length === jobs.length && inFlight(sim) === 0,
    );
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
      login: 4, // first login + one per 15-minute session expiry
      state: 60 + 3, // + the request that met the expired session each time (re-login, retry)
      alarmed: 3 * 12,
      downtime: 3 * 12,
      "metrica-latest": 1,
    });
  }, 60_000);

  it("adds one measurement list and at most one new measurement per active incident and round", async () => {
    const sim = await simulate("demo", 60 * MINUTE);
    const test = sim.stats().requests.byTarget[targetKey({ entity: "ry", id: "test" })];
    expect(test).toMatchObject({
      login: 4,
      state: 63,
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
});
