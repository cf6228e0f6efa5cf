import { describe, expect, it } from "vitest";
import type { CollectorName } from "../../src/snapshot/names.js";
import { toRefreshError } from "../../src/collectors/refresh.js";
import { stateJob } from "../../src/collectors/state.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import {
  HttpStatusError,
  RateLimitedError,
  TimeoutError,
  type ErrorContext,
} from "../../src/mosapi/errors.js";
import type { FailureReason } from "../../src/mosapi/failure.js";
import type { StateResponse } from "../../src/mosapi/models.js";
import type { Target } from "../../src/mosapi/target.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { stateFixture, tld } from "../helpers/fixtures.js";
import { createLogSink } from "../helpers/log-sink.js";
import { createLogger } from "../../src/log/logger.js";

const CONTEXT: ErrorContext = {
  operation: "fetch monitoring/state",
  target: "TLD example",
  endpoint: "monitoring/state",
  path: "/ry/example/v2/monitoring/state",
};

/** A state job whose fetches return (or throw) the queued results in order. */
function setup(results: (StateResponse | Error)[]) {
  const clock = new FakeClock();
  const target = tld("example");
  const store = new SnapshotStore([target]);
  const sink = createLogSink();
  const failures: [Target, CollectorName, FailureReason][] = [];
  const job = stateJob(
    {
      store,
      clock,
      logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
      onFailure: (...args) => failures.push(args),
      client: {
        getState: () => {
          const next = results.shift();
          if (next === undefined) throw new Error("no result queued");
          return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
        },
      },
    },
    target,
    60_000,
  );
  const entry = () => store.current().targets[0]!;
  return { clock, store, sink, failures, job, entry, signal: new AbortController().signal };
}

describe("state collector", () => {
  it("stores the state, marks the target up and attempted, and records the success time", async () => {
    const state = stateFixture("state-healthy");
    const { job, entry, clock, signal } = setup([state]);
    expect(await job.run(signal)).toEqual({});
    expect(entry()).toMatchObject({ up: true, stateAttempted: true, state });
    expect(entry().collectors.state).toEqual({ lastSuccessAt: clock.now() });
  });

  it("keeps the last good data on failure, sets up 0, counts the reason, and logs once per streak", async () => {
    const state = stateFixture("state-healthy");
    const outage = () => new HttpStatusError(CONTEXT, 502);
    const { job, entry, failures, sink, clock, signal } = setup([
      state,
      outage(),
      outage(),
      new TimeoutError(CONTEXT, 15_000),
      state,
    ]);
    await job.run(signal);
    const successAt = clock.now();
    clock.advance(60_000);
    await job.run(signal);
    expect(entry()).toMatchObject({ up: false, stateAttempted: true, state });
    expect(entry().collectors.state?.lastSuccessAt).toBe(successAt);
    expect(entry().collectors.state?.lastError).toMatchObject({
      reason: "http_error",
      code: "MOSAPI_HTTP_STATUS",
      at: clock.now(),
    });
    await job.run(signal);
    await job.run(signal);
    expect(failures.map(([, collector, reason]) => `${collector}:${reason}`)).toEqual([
      "state:http_error",
      "state:http_error",
      "state:timeout",
    ]);
    const warnings = sink.records().filter((r) => r["level"] === "warn");
    // One warning for the 502 streak, one when the failure changes to a timeout.
    expect(warnings.map((w) => w["code"])).toEqual(["MOSAPI_HTTP_STATUS", "MOSAPI_TIMEOUT"]);
    expect(warnings[0]).toMatchObject({
      collector: "state",
      target: "TLD example",
      reason: "http_error",
    });
    expect(String(warnings[0]?.["msg"])).toContain("fetch monitoring/state for TLD example failed");

    await job.run(signal);
    expect(entry().up).toBe(true);
    expect(entry().collectors.state?.lastError).toBeUndefined();
    expect(sink.records().some((r) => r["msg"] === "refresh recovered")).toBe(true);
  });

  it("marks a target attempted (for readiness) even when its very first refresh fails", async () => {
    const { job, entry, store, signal } = setup([new HttpStatusError(CONTEXT, 500)]);
    await job.run(signal);
    expect(entry()).toMatchObject({ up: false, stateAttempted: true });
    expect(entry().state).toBeUndefined();
    expect(store.isReady()).toBe(true);
  });

  it("passes Retry-After on to the scheduler", async () => {
    const { job, signal } = setup([new RateLimitedError(CONTEXT, 120_000)]);
    expect(await job.run(signal)).toEqual({ retryAfterMs: 120_000 });
  });

  it("records nothing when the refresh was aborted by shutdown", async () => {
    const controller = new AbortController();
    const { job, entry, failures } = setup([new TimeoutError(CONTEXT, 1)]);
    controller.abort();
    await job.run(controller.signal);
    expect(entry().stateAttempted).toBe(false);
    expect(failures).toEqual([]);
  });
});

describe("toRefreshError", () => {
  it("classifies a non-MoSAPI error as invalid_response with code INTERNAL", () => {
    expect(toRefreshError(new TypeError("boom"), 5)).toEqual({
      reason: "invalid_response",
      code: "INTERNAL",
      message: "boom",
      at: 5,
    });
  });
});
