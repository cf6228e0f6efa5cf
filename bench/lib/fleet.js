/**
 * A synthetic fleet for the benchmarks: N TLDs served by the real simulator, every TLD with all
 * five services and Domain METRICA, two in five with an active incident (with probe failures,
 * name servers and test errors), most with past resolved ones. One Basic account (an RSP's)
 * may read every TLD. Only reserved-looking names: `bench-00042`.
 */
import { setMaxListeners } from "node:events";
import { alarmedJob } from "../../dist/collectors/alarmed.js";
import { downtimeJob } from "../../dist/collectors/downtime.js";
import { incidentsJob } from "../../dist/collectors/incidents.js";
import { metricaJob } from "../../dist/collectors/metrica.js";
import { stateJob } from "../../dist/collectors/state.js";
import { SnapshotStore } from "../../dist/snapshot/store.js";
import { createLogger } from "../../dist/log/logger.js";
import { MosapiClient } from "../../dist/mosapi/client.js";
import { startSimulator } from "../../dist/simulator/server.js";
import { systemClock } from "../../dist/util/clock.js";

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The account every fleet TLD is readable with. */
export const FLEET_ACCOUNT = { username: "rsp_bench", password: "bench-only-password" };
/** Name of that account in the exporter's `credentials`. */
export const FLEET_CREDENTIALS = "rsp";

/** Every collector, in the order a round runs them for one target. */
export const COLLECTOR_JOBS = [stateJob, alarmedJob, downtimeJob, incidentsJob, metricaJob];

const threats = (i) => ({
  spam: i % 40,
  phishing: i % 7,
  botnetCc: i % 5 === 2 ? -1 : 1,
  malware: i % 13,
});

/** Five kinds of TLD, repeated over the fleet. */
const TEMPLATES = [
  // Healthy, everything monitored.
  () => ({ DNS: {}, DNSSEC: {}, EPP: {}, RDDS: {}, RDAP: {} }),
  // DNS down for 25 minutes (name servers silent), a false positive yesterday.
  () => ({
    DNS: {
      outages: [
        { start: -DAY, end: -DAY + 10 * MINUTE, falsePositive: true },
        {
          start: -25 * MINUTE,
          measurement: {
            failures: [
              { transport: "udp", result: "-200" },
              { transport: "tcp", result: "-816" },
            ],
          },
        },
      ],
    },
    DNSSEC: {},
    EPP: {},
    RDDS: {},
    RDAP: {},
  }),
  // RDAP incident going on, and one resolved two days ago.
  () => ({
    DNS: {},
    DNSSEC: {},
    EPP: {},
    RDDS: {},
    RDAP: {
      outages: [
        { start: -2 * DAY - 10 * MINUTE, end: -2 * DAY },
        {
          start: -15 * MINUTE,
          measurement: {
            failures: [
              { result: "-526", probes: ["Amsterdam", "Buenos Aires", "Johannesburg"] },
              { result: "-549", probes: ["Los Angeles", "Singapore"] },
            ],
          },
        },
      ],
    },
  }),
  // EPP inconclusive, an RDDS outage last week.
  () => ({
    DNS: {},
    DNSSEC: {},
    EPP: { inconclusive: [{ status: "no-probes", start: -2 * HOUR }] },
    RDDS: { outages: [{ start: -5 * DAY, end: -5 * DAY + 20 * MINUTE }] },
    RDAP: {},
  }),
  // A DNSSEC outage yesterday, resolved.
  () => ({
    DNS: {},
    DNSSEC: { outages: [{ start: -DAY - HOUR, end: -DAY - HOUR + 15 * MINUTE }] },
    EPP: {},
    RDDS: {},
    RDAP: {},
  }),
];

/** Number of distinct kinds of TLD in the fleet. */
export const TEMPLATE_COUNT = TEMPLATES.length;

/** The TLD name of fleet member `i`. */
export function fleetTld(i) {
  return `bench-${String(i).padStart(5, "0")}`;
}

/** A simulator scenario with `n` fleet TLDs. */
export function fleetScenario(n) {
  const targets = Array.from({ length: n }, (_, i) => ({
    entity: "ry",
    id: fleetTld(i),
    services: TEMPLATES[i % TEMPLATES.length](),
    metrica: { enabled: true, threats: threats(i), historyDays: 3 },
  }));
  const keys = targets.map((t) => `ry/${t.id}`);
  return {
    name: `bench-fleet-${n}`,
    description: `${n} synthetic TLDs for benchmarks`,
    accounts: [{ ...FLEET_ACCOUNT, targets: keys }],
    certificates: [],
    targets,
  };
}

/** The exporter's targets for the first `n` fleet TLDs. */
export function fleetTargets(n) {
  return Array.from({ length: n }, (_, i) => ({
    entity: "ry",
    id: fleetTld(i),
    credentials: FLEET_CREDENTIALS,
  }));
}

/** A logger that drops everything (benchmarks must not measure log I/O). */
export function silentLogger() {
  return createLogger({ level: "error", format: "json", destination: { write: () => {} } });
}

/**
 * Starts a simulator serving `n` fleet TLDs on loopback. Sessions are not limited per account
 * (an RSP's one account holds one session per TLD), so the benchmark measures the exporter,
 * not login churn.
 */
export function startFleetSimulator(n, { logger } = {}) {
  return startSimulator({
    scenario: fleetScenario(n),
    maxSessionsPerAccount: n + 10,
    ...(logger === undefined ? {} : { logger }),
  });
}

/** A real MoSAPI client and snapshot store for the first `n` fleet TLDs of `sim`. */
export function fleetCollectors(sim, n, options = {}) {
  const logger = silentLogger();
  const targets = fleetTargets(n);
  const client = new MosapiClient({
    url: sim.url,
    version: 2,
    timeoutMs: options.timeoutMs ?? 15_000,
    maxConcurrency: options.maxConcurrency ?? 4,
    credentials: new Map([[FLEET_CREDENTIALS, { kind: "basic", ...FLEET_ACCOUNT }]]),
    logger,
    clock: systemClock,
    ...(options.observer ? { observer: options.observer } : {}),
  });
  const store = new SnapshotStore(targets);
  const failures = { count: 0, reasons: {} };
  const deps = {
    store,
    clock: systemClock,
    logger,
    client,
    onFailure: (_target, _collector, reason) => {
      failures.count += 1;
      failures.reasons[reason] = (failures.reasons[reason] ?? 0) + 1;
    },
  };
  return { targets, deps, client, store, failures };
}

/**
 * Runs every collector once for every target, targets in parallel (each target's collectors in
 * order, as after start-up), and resolves when all are done.
 */
export async function fullRound(deps, targets, signal = new AbortController().signal) {
  setMaxListeners(0, signal);
  await Promise.all(
    targets.map(async (target) => {
      for (const job of COLLECTOR_JOBS) await job(deps, target, 60_000).run(signal);
    }),
  );
}

/**
 * Real data for each kind of TLD: the collectors run once against the simulator for the first
 * {@link TEMPLATE_COUNT} fleet TLDs, and the resulting target entries are returned.
 */
export async function templateEntries() {
  const sim = await startFleetSimulator(TEMPLATE_COUNT);
  const { targets, deps, client, store } = fleetCollectors(sim, TEMPLATE_COUNT);
  try {
    await fullRound(deps, targets);
    return store.current().targets;
  } finally {
    await client.close();
    await sim.close();
  }
}

/**
 * A snapshot of `n` TLDs cloned from the template entries (entry `i` is a copy of template
 * `i mod k` under the name {@link fleetTld}(i)). `version` lets callers force a re-render.
 */
export function clonedSnapshot(templates, n, version = 1) {
  const targets = Array.from({ length: n }, (_, i) => {
    const template = templates[i % templates.length];
    return {
      ...template,
      target: { entity: "ry", id: fleetTld(i), credentials: FLEET_CREDENTIALS },
    };
  });
  return { version, targets };
}
