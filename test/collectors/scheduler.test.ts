import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { Scheduler, initialSpreadMs, type RefreshJob } from "../../src/collectors/scheduler.js";
import type { Clock } from "../../src/util/clock.js";
import { FakeClock, settle } from "../helpers/fake-clock.js";
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

function start(clock: FakeClock, jobs: RefreshJob[], random = () => 0.5, wrapped: Clock = clock) {
  const sink = createLogSink();
  scheduler = new Scheduler({
    clock: wrapped,
    logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
    random,
  });
  scheduler.start(jobs);
  return { scheduler, sink };
}

/** A scheduler (not started) on `clock` admitting `maxRunningPerCredential` refreshes, random 0. */
function admitting(clock: FakeClock, maxRunningPerCredential: number) {
  const sink = createLogSink();
  scheduler = new Scheduler({
    clock,
    logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
    random: () => 0,
    maxRunningPerCredential,
  });
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

  it("stop() aborts an in-flight refresh and resolves once every run has settled", async () => {
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

  it("gives each run a signal of its own: a refresh's listeners never sit among the fleet's", async () => {
    // Adding or removing an abort listener walks the signal's listeners: with one signal for
    // every job, each request of a 1,000-target start paid for the other 5,999 jobs.
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
    const { scheduler: s } = admitting(clock, 2);
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
    s.start([
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
    expect(s.admissionCounts("creds")).toEqual({ running: 2, waiting: 3 });
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
    expect(s.admissionCounts("creds")).toEqual({ running: 2, waiting: 0 });
  });

  it("holds one pending sleep and no controller per waiting job, however many jobs wait", async () => {
    const fake = new FakeClock();
    const clock = new CountingClock(fake);
    const created = countAbortControllers();
    try {
      const jobs = Array.from({ length: 2000 }, (_, i) =>
        job(() => Promise.resolve({}), MINUTE, i % 2 === 0 ? "state" : "alarmed"),
      );
      let i = 0;
      start(fake, jobs, () => (i++ * 0.618_034) % 1, clock);
      // 2,000 jobs queued: one sleep, one signal, one listener on it.
      expect(clock.inFlight).toBe(1);
      expect(clock.signals.size).toBe(1);
      expect(created.count).toBe(1);
      const [signal] = clock.signals;
      expect(signal && getEventListeners(signal, "abort").length).toBe(1);
      // The first round runs (each run with a controller of its own, dropped when it settles)
      // and every job waits again for its next one.
      await fake.advanceAsync(30_000);
      expect(clock.maxInFlight).toBe(1);
      expect(clock.inFlight).toBe(1);
      expect(fake.pending()).toHaveLength(1);
      // Waiting costs no controller: another half minute with nothing due makes none.
      created.count = 0;
      await fake.advanceAsync(20_000);
      expect(created.count).toBe(0);
      expect(clock.inFlight).toBe(1);
    } finally {
      created.restore();
    }
  });

  it("re-arms its one sleep when a job is queued before the earliest due time", async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const runs: { collector: string; at: number }[] = [];
    let finishState: (() => void) | undefined;
    start(clock, [
      job(
        () => {
          runs.push({ collector: "metrica", at: clock.now() - t0 });
          return Promise.resolve({});
        },
        60 * MINUTE,
        "metrica",
      ),
      job(
        (signal) => {
          runs.push({ collector: "state", at: clock.now() - t0 });
          return new Promise((resolve) => {
            finishState = () => {
              resolve({});
            };
            signal.addEventListener("abort", finishState);
          });
        },
        1000,
        "state",
      ),
    ]);
    await clock.advanceAsync(5); // both first due at 5 ms (random 0.5 × 10 ms)
    expect(runs).toEqual([
      { collector: "state", at: 5 },
      { collector: "metrica", at: 5 },
    ]);
    // The hour-long job is queued first: the one sleep waits for it.
    expect(clock.pending()).toEqual([60 * MINUTE]);
    await clock.advanceAsync(100);
    finishState?.();
    await settle();
    // state settles and is due in 1 s, before the hour: the sleep is replaced, not added to.
    expect(clock.pending()).toEqual([1000]);
    await clock.advanceAsync(1000);
    expect(runs.at(-1)).toEqual({ collector: "state", at: 1105 });
  });

  it("starts jobs due at the same time in the order they were queued, state first", async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const ids = ["e", "b", "d", "a", "c"];
    const jobs = ids.flatMap((id) =>
      (["alarmed", "state"] as const).map((collector): RefreshJob => ({
        target: tld(id),
        collector,
        intervalMs: MINUTE,
        run: () => {
          order.push(`${id}/${collector}`);
          return Promise.resolve({});
        },
      })),
    );
    // random 0: every first refresh is due at once, and every next one a whole round later.
    start(clock, jobs, () => 0);
    await clock.advanceAsync(0);
    const firstRound = [...ids.map((id) => `${id}/state`), ...ids.map((id) => `${id}/alarmed`)];
    expect(order).toEqual(firstRound);
    // They settle in that order and are queued again in it: the next round is the same.
    await clock.advanceAsync(0.9 * MINUTE);
    expect(order).toEqual([...firstRound, ...firstRound]);
  });

  it("never runs a job twice at once, whatever its runs take against its interval", async () => {
    const clock = new FakeClock();
    const running = new Map<number, number>();
    let overlaps = 0;
    let runs = 0;
    const jobs = Array.from({ length: 50 }, (_, id): RefreshJob => ({
      target: tld(`t${String(id % 10)}`),
      collector:
        (["state", "incidents", "alarmed", "metrica", "downtime"] as const)[id % 5] ?? "state",
      intervalMs: 1000,
      run: async (signal) => {
        runs++;
        const now = (running.get(id) ?? 0) + 1;
        running.set(id, now);
        if (now > 1) overlaps++;
        try {
          // Runs of 0 to 3 intervals (1 s each), varied per job and round.
          await clock.sleep(((id * 7 + runs) % 4) * 1000, signal);
        } finally {
          running.set(id, (running.get(id) ?? 1) - 1);
        }
        return {};
      },
    }));
    start(clock, jobs);
    await clock.advanceAsync(30_000);
    expect(runs).toBeGreaterThan(200);
    expect(overlaps).toBe(0);
  });

  it("stop() while every job sleeps: drops them, leaves no sleep, and a later start() runs nothing", async () => {
    const clock = new FakeClock();
    let calls = 0;
    const jobs = Array.from({ length: 100 }, () =>
      job(() => {
        calls++;
        return Promise.resolve({});
      }),
    );
    const { scheduler: s } = start(clock, jobs);
    await clock.advanceAsync(2000);
    expect(calls).toBe(100);
    await s.stop();
    expect(clock.pending()).toEqual([]);
    s.start(jobs);
    await clock.advanceAsync(10 * MINUTE);
    expect(calls).toBe(100);
    expect(clock.pending()).toEqual([]);
  });

  it("stop() while jobs run: aborts each run, resolves once the last has settled, starts none waiting for admission", async () => {
    const clock = new FakeClock();
    const { scheduler: s, sink } = admitting(clock, 1);
    const started: string[] = [];
    const aborted: string[] = [];
    let settleLast: (() => void) | undefined;
    const hanging = (id: string, collector: RefreshJob["collector"]): RefreshJob => ({
      target: tld(id),
      collector,
      intervalMs: MINUTE,
      run: (signal) => {
        started.push(`${id}/${collector}`);
        return new Promise((resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted.push(`${id}/${collector}`);
            // One run takes its time to wind down after the abort; the other rejects.
            if (id === "a") {
              settleLast = () => {
                resolve({});
              };
            } else reject(signal.reason as Error);
          });
        });
      },
    });
    s.start([hanging("a", "state"), hanging("b", "alarmed"), hanging("c", "alarmed")]);
    await clock.advanceAsync(0);
    expect(started).toEqual(["a/state", "b/alarmed"]);
    expect(s.admissionCounts("creds")).toEqual({ running: 1, waiting: 1 });
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(aborted.sort()).toEqual(["a/state", "b/alarmed"]);
    expect(stopped).toBe(false);
    settleLast?.();
    await stopping;
    expect(stopped).toBe(true);
    // c never started: b's place was not handed on; a rejection caused by stop() is no bug.
    expect(started).toEqual(["a/state", "b/alarmed"]);
    expect(s.admissionCounts("creds")).toEqual({ running: 0, waiting: 0 });
    expect(clock.pending()).toEqual([]);
    expect(sink.records().some((r) => r["msg"] === "refresh failed unexpectedly")).toBe(false);
    scheduler = undefined;
  });

  it("is held up by a wall clock stepped back for at most one sleep, not for the step", async () => {
    const fake = new FakeClock();
    let skew = 0;
    const clock: Clock = {
      now: () => fake.now() + skew,
      sleep: (ms, signal) => fake.sleep(ms, signal),
    };
    const t0 = fake.now();
    const runs: number[] = [];
    start(
      fake,
      [
        job(() => {
          runs.push(fake.now() - t0);
          return Promise.resolve({});
        }),
      ],
      () => 0.5,
      clock,
    );
    await fake.advanceAsync(5);
    expect(runs).toEqual([5]);
    skew = -60 * MINUTE;
    await fake.advanceAsync(3 * MINUTE);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const gaps = runs.slice(1).map((at, i) => at - (runs[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(2 * MINUTE);
  });
});

/** Wraps a clock, counting its sleeps in flight and the signals handed to them. */
class CountingClock implements Clock {
  inFlight = 0;
  maxInFlight = 0;
  readonly signals = new Set<AbortSignal>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  now(): number {
    return this.#clock.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal !== undefined) this.signals.add(signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.#clock.sleep(ms, signal);
    } finally {
      this.inFlight--;
    }
  }
}

/** Counts the AbortControllers created until `restore()`. */
function countAbortControllers(): { count: number; restore: () => void } {
  const Original = globalThis.AbortController;
  const counter = {
    count: 0,
    restore: () => {
      globalThis.AbortController = Original;
    },
  };
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      counter.count++;
    }
  };
  return counter;
}
