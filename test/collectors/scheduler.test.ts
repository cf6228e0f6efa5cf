import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { Scheduler, initialSpreadMs, type RefreshJob } from "../../src/collectors/scheduler.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { tld } from "../helpers/fixtures.js";
import { createLogSink } from "../helpers/log-sink.js";
import { createLogger } from "../../src/log/logger.js";

const MINUTE = 60_000;

function job(
  run: RefreshJob["run"],
  intervalMs = MINUTE,
  collector: RefreshJob["collector"] = "state",
): RefreshJob {
  return { target: tld("example"), collector, intervalMs, run };
}

let scheduler: Scheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

function start(clock: FakeClock, jobs: RefreshJob[], random = () => 0.5) {
  const sink = createLogSink();
  scheduler = new Scheduler({
    clock,
    logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
    random,
  });
  scheduler.start(jobs);
  return { scheduler, sink };
}

describe("Scheduler", () => {
  // Behaviour changed (issue 7): the first refresh used to start within 1 s whatever the fleet
  // size; it now starts within 10 ms per job of its collector (here 1 job: 10 ms).
  it("refreshes on the interval, never overlapping, starting within the initial spread", async () => {
    const clock = new FakeClock();
    const starts: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const release: (() => void)[] = [];
    start(clock, [
      job(async (signal) => {
        starts.push(clock.now());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => {
          release.push(resolve);
          signal.addEventListener("abort", () => {
            resolve();
          });
        });
        running--;
        return {};
      }),
    ]);
    const t0 = clock.now();
    await clock.advanceAsync(5); // random 0.5 × 10 ms initial spread
    expect(starts).toEqual([t0 + 5]);
    // The refresh is still running: a whole interval passes without a second start.
    await clock.advanceAsync(2 * MINUTE);
    expect(starts).toHaveLength(1);
    release.shift()?.();
    await clock.advanceAsync(MINUTE); // random 0.5 → zero jitter
    expect(starts).toEqual([t0 + 5, t0 + 5 + 2 * MINUTE + MINUTE]);
    expect(maxRunning).toBe(1);
  });

  it("spreads first refreshes by fleet size: 10 ms per job, within the interval, 10 s for state and 60 s for the others", () => {
    expect(initialSpreadMs("state", MINUTE, 5)).toBe(50);
    expect(initialSpreadMs("state", MINUTE, 100)).toBe(1000);
    expect(initialSpreadMs("state", MINUTE, 1000)).toBe(10_000);
    expect(initialSpreadMs("state", 5000, 1000)).toBe(5000);
    expect(initialSpreadMs("alarmed", 5 * MINUTE, 1000)).toBe(10_000);
    expect(initialSpreadMs("alarmed", 5 * MINUTE, 10_000)).toBe(MINUTE);
    expect(initialSpreadMs("metrica", 6 * 60 * MINUTE, 100_000)).toBe(MINUTE);
  });

  it("starts a fleet's first refreshes over the spread, per collector, uniformly", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const starts = new Map<string, number[]>();
    const jobs = ["state", "alarmed"].flatMap((collector) =>
      Array.from({ length: 1000 }, () =>
        job(
          () => {
            const list = starts.get(collector) ?? [];
            list.push(clock.now() - t0);
            starts.set(collector, list);
            return Promise.resolve({});
          },
          collector === "state" ? MINUTE : 5 * MINUTE,
          collector as RefreshJob["collector"],
        ),
      ),
    );
    let i = 0;
    // Deterministic "random" draws spread evenly over [0, 1).
    start(clock, jobs, () => (i++ * 0.618_034) % 1);
    await clock.advanceAsync(10_000);
    for (const collector of ["state", "alarmed"]) {
      const times = starts.get(collector) ?? [];
      expect(times).toHaveLength(1000);
      expect(Math.max(...times)).toBeLessThan(10_000);
      // Not a burst: no more than 2 % of them in any 100 ms.
      const perSlot = new Map<number, number>();
      for (const t of times)
        perSlot.set(Math.floor(t / 100), (perSlot.get(Math.floor(t / 100)) ?? 0) + 1);
      expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(20);
    }
  });

  it("jitters the interval by at most ±10 %", () => {
    const clock = new FakeClock();
    const j = job(() => Promise.resolve({}));
    expect(
      new Scheduler({
        clock,
        logger: createLogger({
          level: "error",
          format: "json",
          destination: { write: () => undefined },
        }),
        random: () => 0,
      }).nextDelay(j, {}),
    ).toBe(54_000);
    expect(
      new Scheduler({
        clock,
        logger: createLogger({
          level: "error",
          format: "json",
          destination: { write: () => undefined },
        }),
        random: () => 0.999999,
      }).nextDelay(j, {}),
    ).toBe(66_000);
  });

  it("waits at least Retry-After when the refresh says so", () => {
    const s = new Scheduler({
      clock: new FakeClock(),
      logger: createLogger({
        level: "error",
        format: "json",
        destination: { write: () => undefined },
      }),
      random: () => 0.5,
    });
    expect(
      s.nextDelay(
        job(() => Promise.resolve({})),
        { retryAfterMs: 5 * MINUTE },
      ),
    ).toBe(5 * MINUTE);
    expect(
      s.nextDelay(
        job(() => Promise.resolve({})),
        { retryAfterMs: 1000 },
      ),
    ).toBe(MINUTE);
  });

  it("does not start disabled jobs (interval 0)", async () => {
    const clock = new FakeClock();
    let calls = 0;
    start(clock, [
      job(() => {
        calls++;
        return Promise.resolve({});
      }, 0),
    ]);
    await clock.advanceAsync(10 * MINUTE);
    expect(calls).toBe(0);
    expect(clock.pending()).toEqual([]);
  });

  it("keeps refreshing after a job throws, and logs it", async () => {
    const clock = new FakeClock();
    let calls = 0;
    const { sink } = start(clock, [
      job(() => {
        calls++;
        return calls === 1 ? Promise.reject(new Error("bug")) : Promise.resolve({});
      }),
    ]);
    await clock.advanceAsync(1000 + MINUTE);
    expect(calls).toBe(2);
    expect(sink.records().some((r) => r["msg"] === "refresh failed unexpectedly")).toBe(true);
  });

  it("stop() aborts an in-flight refresh and resolves once every loop has exited", async () => {
    const clock = new FakeClock();
    let aborted = false;
    const { scheduler: s } = start(clock, [
      job(
        (signal) =>
          new Promise((resolve) => {
            signal.addEventListener("abort", () => {
              aborted = true;
              resolve({});
            });
          }),
      ),
      job(() => Promise.resolve({}), MINUTE, "alarmed"),
    ]);
    await clock.advanceAsync(1000);
    await s.stop();
    scheduler = undefined;
    expect(aborted).toBe(true);
    expect(clock.pending()).toEqual([]);
  });

  it("gives each loop a signal of its own: a refresh's listeners never sit among the fleet's", async () => {
    // Adding or removing an abort listener walks the signal's listeners: with one signal for
    // every loop, each request of a 1,000-target start paid for the other 5,999 loops.
    const clock = new FakeClock();
    const seen: number[] = [];
    const signals = new Set<AbortSignal>();
    const jobs = Array.from({ length: 500 }, () =>
      job(async (signal) => {
        signals.add(signal);
        seen.push(getEventListeners(signal, "abort").length);
        return Promise.resolve({});
      }),
    );
    const { scheduler: s } = start(clock, jobs);
    await clock.advanceAsync(10_000);
    expect(signals.size).toBe(500);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
    await s.stop();
    scheduler = undefined;
    expect(clock.pending()).toEqual([]);
  });

  it("admits a bounded number of refreshes per credential, one per target, most urgent first; state is never held back", async () => {
    const clock = new FakeClock();
    const sink = createLogSink();
    scheduler = new Scheduler({
      clock,
      logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
      random: () => 0,
      maxRunningPerCredential: 2,
    });
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const hanging = (id: string, collector: RefreshJob["collector"]): RefreshJob => ({
      target: tld(id),
      collector,
      intervalMs: MINUTE,
      run: (signal) => {
        started.push(`${id}/${collector}`);
        return new Promise((resolve) => {
          finish.set(`${id}/${collector}`, () => {
            resolve({});
          });
          signal.addEventListener("abort", () => {
            resolve({});
          });
        });
      },
    });
    // Spread 0 (random 0): every first refresh is due at once, in this order.
    scheduler.start([
      hanging("a", "metrica"),
      hanging("a", "alarmed"),
      hanging("b", "metrica"),
      hanging("c", "downtime"),
      hanging("c", "incidents"),
      hanging("a", "state"),
      hanging("b", "state"),
    ]);
    await clock.advanceAsync(0);
    // Two places for creds, taken in arrival order; a's alarmed waits for a's metrica.
    expect(started).toEqual(["a/state", "b/state", "a/metrica", "b/metrica"]);
    expect(scheduler.admissionCounts("creds")).toEqual({ running: 2, waiting: 3 });
    // b's place goes to the most urgent waiting refresh whose target is idle: c's incidents.
    finish.get("b/metrica")?.();
    await clock.advanceAsync(0);
    expect(started.slice(4)).toEqual(["c/incidents"]);
    // a's place: a's alarmed (priority 2) before c's downtime (c is busy anyway).
    finish.get("a/metrica")?.();
    await clock.advanceAsync(0);
    expect(started.slice(5)).toEqual(["a/alarmed"]);
    finish.get("c/incidents")?.();
    await clock.advanceAsync(0);
    expect(started.slice(6)).toEqual(["c/downtime"]);
    expect(scheduler.admissionCounts("creds")).toEqual({ running: 2, waiting: 0 });
  });
});
