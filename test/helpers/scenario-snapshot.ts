/**
 * Runs every collector once, in order, for every target of a simulator scenario, with the real
 * MoSAPI client over loopback and both sides on fixed clocks: a deterministic snapshot of what
 * the exporter makes of that scenario, for golden files and request budgets.
 */
import { alarmedJob } from "../../src/collectors/alarmed.js";
import { downtimeJob } from "../../src/collectors/downtime.js";
import { incidentsJob } from "../../src/collectors/incidents.js";
import { measurementsJob } from "../../src/collectors/measurements.js";
import { metricaJob } from "../../src/collectors/metrica.js";
import { TraceFiles } from "../../src/collectors/trace-files.js";
import { troubleshootingJob } from "../../src/collectors/troubleshooting.js";
import type { Snapshot } from "../../src/snapshot/snapshot.js";
import { stateJob } from "../../src/collectors/state.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { createLogger } from "../../src/log/logger.js";
import { MosapiClient } from "../../src/mosapi/client.js";
import type { Credential } from "../../src/mosapi/credentials.js";
import { targetKey, type Target } from "../../src/mosapi/target.js";
import type { Scenario } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { FakeClock } from "./fake-clock.js";

/** Every collector's job factory, in the order a refresh round runs them. */
export const COLLECTOR_JOBS = [
  stateJob,
  alarmedJob,
  downtimeJob,
  incidentsJob,
  metricaJob,
  measurementsJob,
  troubleshootingJob,
] as const;

/** 2026-11-23T12:00:00Z, a multiple of 5 minutes: the scenario epoch. */
export const SCENARIO_NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

/** The scenario's targets, each using the first account allowed to read it. */
export function scenarioTargets(nameOrScenario: string | Scenario): {
  targets: Target[];
  credentials: Map<string, Credential>;
} {
  const scenario =
    typeof nameOrScenario === "string" ? getScenario(nameOrScenario) : nameOrScenario;
  const name = scenario.name;
  const credentials = new Map<string, Credential>();
  const targets = scenario.targets.map((t): Target => {
    const key = targetKey(t);
    const account = scenario.accounts.find((a) => a.targets.includes(key));
    if (account === undefined) throw new Error(`scenario ${name}: no account for ${key}`);
    credentials.set(account.username, {
      kind: "basic",
      username: account.username,
      password: account.password,
    });
    return { entity: t.entity, id: t.id, credentials: account.username };
  });
  return { targets, credentials };
}

/** The scenario's targets and what their refresh jobs need, with a real client to `sim`. */
export function scenarioCollectors(
  name: string | Scenario,
  sim: RunningSimulator,
  clock: FakeClock,
) {
  const logger = createLogger({ level: "error", format: "json", destination: { write: () => {} } });
  const { targets, credentials } = scenarioTargets(name);
  const client = new MosapiClient({
    url: sim.url,
    version: 2,
    timeoutMs: 15_000,
    maxConcurrency: 4,
    credentials,
    logger,
    clock,
  });
  const store = new SnapshotStore(targets);
  return {
    targets,
    deps: { store, clock, logger, client, traceFiles: new TraceFiles(), onFailure: () => {} },
  };
}

/** Starts the scenario's simulator at {@link SCENARIO_NOW}, runs one round, returns the snapshot. */
export async function scenarioSnapshot(
  name: string,
): Promise<{ snapshot: Snapshot; sim: RunningSimulator; close(): Promise<void> }> {
  const sim = await startSimulator({
    scenario: getScenario(name),
    clock: new FakeClock(SCENARIO_NOW),
  });
  const clock = new FakeClock(SCENARIO_NOW + 30_000);
  const { targets, deps } = scenarioCollectors(name, sim, clock);
  const signal = new AbortController().signal;
  for (const target of targets) {
    for (const job of COLLECTOR_JOBS) {
      await job(deps, target, 60_000).run(signal);
    }
  }
  return {
    snapshot: deps.store.current(),
    sim,
    close: async () => {
      await deps.client.close();
      await sim.close();
    },
  };
}
