/**
 * Fuzzing the collectors: hostile and mutated bodies for each collector's endpoint, through the
 * real client (MockAgent, no network) and the real refresh jobs. For every body the schema
 * rejects, the refresh records `invalid_response`, counts it once, and keeps the last good data
 * (the very same object); for every body it accepts, the refresh succeeds. A job never rejects.
 */
import fc from "fast-check";
import type { MockAgent, MockPool } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alarmedJob } from "../../src/collectors/alarmed.js";
import { downtimeJob } from "../../src/collectors/downtime.js";
import { incidentsJob } from "../../src/collectors/incidents.js";
import { measurementsJob } from "../../src/collectors/measurements.js";
import { metricaJob } from "../../src/collectors/metrica.js";
import { TraceFiles } from "../../src/collectors/trace-files.js";
import { troubleshootingJob } from "../../src/collectors/troubleshooting.js";
import type { CollectorName } from "../../src/snapshot/names.js";
import type { RefreshDependencies } from "../../src/collectors/refresh.js";
import type { RefreshJob } from "../../src/collectors/scheduler.js";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { stateJob } from "../../src/collectors/state.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import type { FailureReason } from "../../src/mosapi/failure.js";
import { measurementSchema } from "../../src/mosapi/measurement.js";
import { metricaReportSchema } from "../../src/mosapi/metrica-models.js";
import { stateResponseSchema } from "../../src/mosapi/models.js";
import {
  alarmedResponseSchema,
  downtimeResponseSchema,
  measurementListSchema,
} from "../../src/mosapi/monitoring-models.js";
import { createMockAgent, createTestClient, ORIGIN, tld } from "../helpers/mock-mosapi.js";
import {
  ENDPOINTS,
  fixturesOf,
  FUZZ_SEED,
  hostileCorpus,
  mutate,
  mutation,
  type FuzzEndpoint,
} from "./bodies.js";

const target = tld("example", "cert");
const BASE = "/ry/example/v2/";
const INCIDENT_LIST = "monitoring/dns/incidents/1795433700.9/measurements";

/** A state with DNS monitored and an active DNS incident; the other services Disabled. */
const GOOD_STATE = {
  version: 2,
  lastUpdateApiDatabase: 1795435200,
  tld: "example",
  status: "Down",
  testedServices: {
    DNS: {
      status: "Down",
      emergencyThreshold: 10.417,
      incidents: [{ incidentID: "1795433700.9", startTime: 1795433700, endTime: null }],
    },
    DNSSEC: { status: "Disabled" },
  },
};

function fixture(name: string): unknown {
  const endpoint = ENDPOINTS.find((e) => fixturesOf(e).some(([file]) => file === name));
  return fixturesOf(endpoint!).find(([file]) => file === name)![1];
}

/** The body each resource answers next, by resource (below BASE). */
const answers = new Map<string, () => Buffer>();
let measurementCounter = 0;

function goodAnswers(): void {
  answers.clear();
  answers.set("monitoring/state", () => Buffer.from(JSON.stringify(GOOD_STATE)));
  answers.set("monitoring/dns/alarmed", () =>
    Buffer.from(JSON.stringify(fixture("alarmed-yes.json"))),
  );
  answers.set("monitoring/dns/downtime", () =>
    Buffer.from(JSON.stringify(fixture("downtime-935.json"))),
  );
  // A new measurement every time, so the detail is fetched on every round (it is cached per ID).
  answers.set(INCIDENT_LIST, () =>
    Buffer.from(JSON.stringify({ measurements: [`${1795433880 + measurementCounter++}.9.json`] })),
  );
  answers.set("measurement", () => Buffer.from(JSON.stringify(fixture("measurement-dns-v2.json"))));
  answers.set("metrica/domainList/latest", () =>
    Buffer.from(JSON.stringify(fixture("metrica-report-tld.json"))),
  );
}

let agent: MockAgent;
let pool: MockPool;

beforeEach(() => {
  goodAnswers();
  agent = createMockAgent();
  pool = agent.get(ORIGIN);
  pool
    .intercept({ path: (path) => path.startsWith(BASE) })
    .reply((options) => {
      const resource = options.path.slice(BASE.length);
      const key = resource.startsWith(`${INCIDENT_LIST}/`) ? "measurement" : resource;
      const body = answers.get(key);
      return body === undefined
        ? { statusCode: 404, data: "" }
        : { statusCode: 200, data: body(), responseOptions: { headers: {} } };
    })
    .persist();
});

afterEach(async () => {
  await agent.close();
});

/** A store, the collectors' jobs over the real client, and the failures they counted. */
function harness() {
  const { client, clock, logs } = createTestClient({ dispatcher: agent });
  const store = new SnapshotStore([target]);
  const failures: { collector: CollectorName; reason: FailureReason }[] = [];
  const deps: RefreshDependencies & { client: typeof client; traceFiles: TraceFiles } = {
    store,
    clock,
    logger: logs.logger,
    client,
    traceFiles: new TraceFiles(),
    onFailure: (_target, collector, reason) => failures.push({ collector, reason }),
  };
  const jobs: Record<CollectorName, RefreshJob> = {
    state: stateJob(deps, target, 60_000),
    alarmed: alarmedJob(deps, target, 60_000),
    downtime: downtimeJob(deps, target, 60_000),
    incidents: incidentsJob(deps, target, 60_000),
    metrica: metricaJob(deps, target, 60_000),
    measurements: measurementsJob(deps, target, 60_000),
    troubleshooting: troubleshootingJob(deps, target, 60_000),
  };
  const signal = new AbortController().signal;
  const entry = (): TargetSnapshot => store.entry(target)!;
  return { store, jobs, failures, entry, signal, logs };
}

/** The body as the client parses it: a leading byte order mark skipped (RFC 8259 §8.1). */
function parseJson(body: Buffer): unknown {
  return JSON.parse(body.toString("utf8").replace(/^\uFEFF/, ""));
}

/** Would the real schema accept this body (JSON.parse, then `schema`)? */
function accepts(body: Buffer, schema: { safeParse(value: unknown): { success: boolean } }) {
  try {
    return schema.safeParse(parseJson(body)).success;
  } catch {
    return false;
  }
}

interface Case {
  readonly collector: CollectorName;
  /** Key in `answers` of the body being fuzzed. */
  readonly resource: string;
  readonly endpoint: FuzzEndpoint;
  /** Whether the refresh must succeed with this body. */
  readonly succeeds: (body: Buffer) => boolean;
  /** The collector's data in the entry (compared by identity: kept means the same object). */
  readonly data: (entry: TargetSnapshot) => unknown;
}

const endpoint = (name: string): FuzzEndpoint => ENDPOINTS.find((e) => e.name === name)!;

const CASES: readonly Case[] = [
  {
    collector: "state",
    resource: "monitoring/state",
    endpoint: endpoint("state"),
    succeeds: (body) => accepts(body, stateResponseSchema),
    data: (entry) => entry.state,
  },
  {
    collector: "alarmed",
    resource: "monitoring/dns/alarmed",
    endpoint: endpoint("alarmed"),
    succeeds: (body) => accepts(body, alarmedResponseSchema),
    data: (entry) => entry.alarmed,
  },
  {
    collector: "downtime",
    resource: "monitoring/dns/downtime",
    endpoint: endpoint("downtime"),
    succeeds: (body) => accepts(body, downtimeResponseSchema),
    data: (entry) => entry.downtimeMinutes,
  },
  {
    collector: "incidents",
    resource: INCIDENT_LIST,
    endpoint: endpoint("measurement list"),
    // Any listed ID the schema accepts is fetched as one encoded path segment.
    succeeds: (body) => accepts(body, measurementListSchema),
    data: (entry) => entry.incidents,
  },
  {
    collector: "incidents",
    resource: "measurement",
    endpoint: endpoint("measurement"),
    succeeds: (body) => accepts(body, measurementSchema),
    data: (entry) => entry.incidents,
  },
  {
    collector: "metrica",
    resource: "metrica/domainList/latest",
    endpoint: endpoint("metrica report"),
    succeeds: (body) => accepts(body, metricaReportSchema),
    data: (entry) => entry.metrica,
  },
];

describe.each(CASES)("$collector ($endpoint.name)", (c) => {
  it("keeps the last good data and counts invalid_response for 80 hostile or mutated bodies", async () => {
    const h = harness();
    await h.jobs.state.run(h.signal);
    if (c.collector !== "state") await h.jobs[c.collector].run(h.signal);
    expect(c.data(h.entry())).toBeDefined();
    expect(h.failures).toEqual([]);

    // Most of the corpus is invalid for every endpoint; a body whose hostility sits in an odd
    // part is accepted at the cost of that part (client-bodies.test.ts).
    const corpus = hostileCorpus().map(([, hostile]) => ({
      body: hostile.body,
      valid: c.succeeds(hostile.body),
    }));
    const fixtures = fixturesOf(c.endpoint);
    const seen = { ok: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(...corpus),
          fc.tuple(fc.constantFrom(...fixtures), mutation).map(([[, fixture], m]) => {
            const body = Buffer.from(mutate(fixture, m));
            return { body, valid: c.succeeds(body) };
          }),
        ),
        async ({ body, valid }) => {
          answers.set(c.resource, () => body);
          const before = h.entry();
          const counted = h.failures.length;
          // run() must never reject: an exception here fails the property.
          await h.jobs[c.collector].run(h.signal);
          const after = h.entry();
          const status = after.collectors[c.collector];
          if (valid) {
            seen.ok += 1;
            expect(status?.lastError).toBeUndefined();
            expect(h.failures.length).toBe(counted);
          } else {
            seen.failed += 1;
            expect(c.data(after)).toBe(c.data(before));
            expect(status?.lastError?.reason).toBe("invalid_response");
            expect(h.failures.slice(counted)).toEqual([
              { collector: c.collector, reason: "invalid_response" },
            ]);
            if (c.collector === "state") expect(after.up).toBe(false);
          }
        },
      ),
      { seed: FUZZ_SEED, numRuns: 80 },
    );
    expect(seen.failed).toBeGreaterThan(20);
    expect(seen.ok).toBeGreaterThan(0);

    // And it recovers on the next good body.
    goodAnswers();
    await h.jobs.state.run(h.signal);
    await h.jobs[c.collector].run(h.signal);
    expect(h.entry().collectors[c.collector]?.lastError).toBeUndefined();
    expect(h.entry().up).toBe(true);
  });
});

it("a service with more incidents than any real week (10^5) is dropped cheaply, the rest kept", async () => {
  const h = harness();
  await h.jobs.state.run(h.signal);
  const good = h.entry().state;
  expect(good).toBeDefined();
  const incidents = Array.from({ length: 100_000 }, (_, i) => ({
    incidentID: String(i),
    startTime: 1795000000 + i,
  }));
  answers.set("monitoring/state", () =>
    Buffer.from(
      JSON.stringify({
        ...GOOD_STATE,
        testedServices: {
          ...GOOD_STATE.testedServices,
          DNS: { status: "Down", emergencyThreshold: 1e308, incidents },
        },
      }),
    ),
  );
  await h.jobs.state.run(h.signal);
  expect(h.entry().up).toBe(true);
  expect(h.entry().state?.services.dns).toBeUndefined();
  expect(h.entry().state?.services.dnssec).toEqual(good?.services.dnssec);
  expect(h.entry().collectors.state?.lastError).toBeUndefined();
});
