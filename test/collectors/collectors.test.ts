import { describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { alarmedJob } from "../../src/collectors/alarmed.js";
import type { CollectorName } from "../../src/snapshot/names.js";
import { incidentsJob } from "../../src/collectors/incidents.js";
import { METRICA_ABSENT_RETRY_MS, metricaJob } from "../../src/collectors/metrica.js";
import { FORBIDDEN_RETRY_MS, WAIT_FOR_STATE_MS } from "../../src/collectors/refresh.js";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { createLogger } from "../../src/log/logger.js";
import { renderSnapshot } from "../../src/metrics/snapshot-renderer.js";
import {
  AuthError,
  ForbiddenError,
  HttpStatusError,
  NotFoundError,
  type ErrorContext,
} from "../../src/mosapi/errors.js";
import type { FailureReason } from "../../src/mosapi/failure.js";
import type { MosapiClient } from "../../src/mosapi/client.js";
import {
  endpointResource,
  type EndpointName,
  type EndpointParams,
} from "../../src/mosapi/endpoints.js";
import { measurementSchema } from "../../src/mosapi/measurement.js";
import { metricaReportSchema } from "../../src/mosapi/metrica-models.js";
import {
  alarmedResponseSchema,
  downtimeResponseSchema,
  measurementListSchema,
} from "../../src/mosapi/monitoring-models.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { fixtureText, healthyEntry, stateFixture, tld } from "../helpers/fixtures.js";
import { createLogSink } from "../helpers/log-sink.js";

const context = (path: string): ErrorContext => ({
  operation: `fetch ${path}`,
  target: "TLD test",
  endpoint: path,
  path: `/ry/test/v2/${path}`,
});

/**
 * A client whose answers are looked up by resource (the path below the version, as the real
 * client builds it); errors are thrown, values parsed with the real schema and returned.
 */
function fakeClient(answers: Record<string, unknown>) {
  const calls: string[] = [];
  const answer = <N extends EndpointName, S extends z.ZodType>(
    name: N,
    params: EndpointParams<N>,
    schema: S,
  ): Promise<z.output<S>> => {
    const resource = endpointResource(name, params);
    calls.push(resource);
    const value = answers[resource];
    if (value instanceof Error) return Promise.reject(value);
    if (value === undefined) return Promise.reject(new Error(`unexpected ${resource}`));
    return Promise.resolve(schema.parse(value));
  };
  const client = {
    getAlarmed: (_target, service) => answer("alarmed", { service }, alarmedResponseSchema),
    getDowntime: (_target, service) => answer("downtime", { service }, downtimeResponseSchema),
    getIncidentMeasurements: (_target, service, incident) =>
      answer("incidentMeasurements", { service, incident }, measurementListSchema),
    getIncidentMeasurement: (_target, service, incident, measurement) =>
      answer("incidentMeasurement", { service, incident, measurement }, measurementSchema),
    getMetricaLatest: () => answer("metricaLatest", {}, metricaReportSchema),
  } satisfies Pick<
    MosapiClient,
    | "getAlarmed"
    | "getDowntime"
    | "getIncidentMeasurements"
    | "getIncidentMeasurement"
    | "getMetricaLatest"
  >;
  return { client, calls };
}

function setup(answers: Record<string, unknown>, entry?: Partial<TargetSnapshot>) {
  const target = tld("test");
  const store = new SnapshotStore([target]);
  const clock = new FakeClock();
  if (entry) store.update(target, (e) => ({ ...e, ...entry }));
  const sink = createLogSink();
  const failures: [CollectorName, FailureReason][] = [];
  const { client, calls } = fakeClient(answers);
  const deps = {
    store,
    clock,
    client,
    logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
    onFailure: (_t: unknown, collector: CollectorName, reason: FailureReason) =>
      failures.push([collector, reason]),
  };
  return {
    deps,
    target,
    store,
    calls,
    failures,
    sink,
    entry: () => store.current().targets[0]!,
    signal: new AbortController().signal,
  };
}

const downState = () => healthyEntry(tld("test"), stateFixture("state-dns-down"), 0);
const json = (name: string): unknown => JSON.parse(fixtureText(`mosapi/${name}.json`));

describe("per-service collectors", () => {
  it("wait for the first state refresh instead of guessing the services", async () => {
    const { deps, target, calls, signal } = setup({});
    expect(await alarmedJob(deps, target, 300_000).run(signal)).toEqual({
      retryInMs: WAIT_FOR_STATE_MS,
    });
    expect(calls).toEqual([]);
  });

  it("query only monitored services and keep the answers that arrived when one fails", async () => {
    const { deps, target, calls, failures, entry, signal } = setup(
      {
        "monitoring/dns/alarmed": json("alarmed-yes"),
        "monitoring/dnssec/alarmed": new HttpStatusError(context("monitoring/dnssec/alarmed"), 502),
        "monitoring/rdap/alarmed": json("alarmed-no"),
      },
      downState(),
    );
    await alarmedJob(deps, target, 300_000).run(signal);
    expect(calls.sort()).toEqual([
      "monitoring/dns/alarmed",
      "monitoring/dnssec/alarmed",
      "monitoring/rdap/alarmed",
    ]);
    expect(entry().alarmed).toEqual({ dns: true, rdap: false });
    expect(failures).toEqual([["alarmed", "http_error"]]);
    expect(entry().collectors.alarmed?.lastError?.code).toBe("MOSAPI_HTTP_STATUS");
    expect(entry().collectors.alarmed?.lastSuccessAt).toBeUndefined();
  });

  it("count a 401 or 403 on a non-state collector as forbidden, retry hourly, and leave mosapi_up alone", async () => {
    for (const refusal of [
      new ForbiddenError(context("monitoring/dns/alarmed")),
      new AuthError(context("monitoring/dns/alarmed"), "certificate"),
    ]) {
      const { deps, target, failures, entry, signal } = setup(
        {
          "monitoring/dns/alarmed": refusal,
          "monitoring/dnssec/alarmed": refusal,
          "monitoring/rdap/alarmed": refusal,
        },
        downState(),
      );
      expect(await alarmedJob(deps, target, 300_000).run(signal)).toEqual({
        retryAfterMs: FORBIDDEN_RETRY_MS,
      });
      expect(failures).toEqual([["alarmed", "forbidden"]]);
      expect(entry().up).toBe(true);
    }
  });
});

describe("a Basic session refused even after a fresh login", () => {
  it("is an auth failure retried on the interval, not a forbidden data family", async () => {
    const refusal = new AuthError(context("monitoring/dns/alarmed"), "session");
    const { deps, target, failures, signal } = setup(
      {
        "monitoring/dns/alarmed": refusal,
        "monitoring/dnssec/alarmed": refusal,
        "monitoring/rdap/alarmed": refusal,
      },
      downState(),
    );
    expect(await alarmedJob(deps, target, 300_000).run(signal)).toEqual({});
    expect(failures).toEqual([["alarmed", "auth"]]);
  });
});

describe("incidents collector", () => {
  const list = "monitoring/dns/incidents/1795433700.9/measurements";

  it("fetches the latest measurement of the active incident once, then reuses it while it stays the latest", async () => {
    const { deps, target, calls, entry, signal } = setup(
      {
        [list]: { measurements: ["1795433700.9", "1795435140.9"] },
        [`${list}/1795435140.9`]: json("measurement-dns-v2"),
      },
      downState(),
    );
    const job = incidentsJob(deps, target, 300_000);
    await job.run(signal);
    await job.run(signal);
    expect(calls).toEqual([list, `${list}/1795435140.9`, list]);
    expect(entry().incidents?.dns).toMatchObject({
      incidentId: "1795433700.9",
      measurementId: "1795435140.9",
    });
  });

  it("sends an upstream ID as one encoded segment and refuses one that would walk the path", async () => {
    const slashed = setup(
      {
        [list]: { measurements: ["../../state"] },
        [`${list}/..%2F..%2Fstate`]: json("measurement-dns-v2"),
      },
      downState(),
    );
    await incidentsJob(slashed.deps, slashed.target, 300_000).run(slashed.signal);
    expect(slashed.calls).toEqual([list, `${list}/..%2F..%2Fstate`]);
    expect(slashed.failures).toEqual([]);

    // An ID that would walk the path is an odd item: dropped (never sent), the list still used.
    const { deps, target, calls, failures, signal } = setup(
      { [list]: { measurements: [".."] } },
      downState(),
    );
    await incidentsJob(deps, target, 300_000).run(signal);
    expect(calls).toEqual([list]);
    expect(failures).toEqual([]);
  });

  it("drops the detail once the incident resolves: the series vanish from /metrics", async () => {
    const { deps, target, store, signal } = setup(
      {
        [list]: { measurements: ["1795435140.9"] },
        [`${list}/1795435140.9`]: json("measurement-dns-v2"),
      },
      downState(),
    );
    await incidentsJob(deps, target, 300_000).run(signal);
    expect(await renderSnapshot(store.current())).toContain("mosapi_incident_probes{");
    // The next state no longer has an active incident: render checks the detail against it.
    store.update(target, (e) => ({ ...e, state: stateFixture("state-healthy") }));
    expect(await renderSnapshot(store.current())).not.toContain("mosapi_incident_");
  });
});

describe("job loggers", () => {
  it("are made when a job first logs, not when the jobs are built (6,000 at 1,000 TLDs)", async () => {
    const notFound = new NotFoundError(context("metrica/domainList/latest"));
    const { deps, target, sink, signal } = setup(
      {
        "metrica/domainList/latest": notFound,
        "monitoring/dns/alarmed": json("alarmed-yes"),
        "monitoring/dnssec/alarmed": json("alarmed-no"),
        "monitoring/rdap/alarmed": json("alarmed-no"),
      },
      downState(),
    );
    const child = vi.spyOn(deps.logger, "child");
    const metrica = metricaJob(deps, target, 6 * 3_600_000);
    const alarmed = alarmedJob(deps, target, 300_000);
    const incidents = incidentsJob(deps, target, 300_000);
    expect(child).not.toHaveBeenCalled();
    await alarmed.run(signal);
    expect(child).not.toHaveBeenCalled();
    await metrica.run(signal);
    await metrica.run(signal);
    expect(child).toHaveBeenCalledTimes(1);
    expect(sink.records().at(-1)).toMatchObject({ collector: "metrica", target: "TLD test" });
    expect(incidents.collector).toBe("incidents");
  });
});

describe("metrica collector", () => {
  it("treats 404 as no report: no failure counted, one info log, a slow retry", async () => {
    const notFound = new NotFoundError(context("metrica/domainList/latest"));
    const { deps, target, failures, sink, entry, signal } = setup({
      "metrica/domainList/latest": notFound,
    });
    const job = metricaJob(deps, target, 6 * 3_600_000);
    expect(await job.run(signal)).toEqual({ retryAfterMs: METRICA_ABSENT_RETRY_MS });
    expect(await job.run(signal)).toEqual({ retryAfterMs: METRICA_ABSENT_RETRY_MS });
    expect(failures).toEqual([]);
    expect(entry().metrica).toBeNull();
    const infos = sink.records().filter((r) => String(r["msg"]).includes("no Domain METRICA"));
    expect(infos).toHaveLength(1);
    expect(await renderSnapshot(store(entry()))).not.toContain("mosapi_abuse");
  });

  it("keeps the report without any domain name", async () => {
    const { deps, target, entry, signal } = setup({
      "metrica/domainList/latest": json("metrica-report-tld"),
    });
    await metricaJob(deps, target, 6 * 3_600_000).run(signal);
    expect(JSON.stringify(entry().metrica)).not.toMatch(/"domains"|\.example"/);
    expect(entry().metrica?.threats.length).toBeGreaterThan(0);
  });
});

function store(entry: TargetSnapshot) {
  return { version: 1, targets: [entry] };
}
