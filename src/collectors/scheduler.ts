/**
 * Runs refresh jobs periodically: one refresh at a time per job (never overlapping), then a
 * wait of the job's interval with ±10 % jitter so hundreds of targets do not hit MoSAPI in
 * lockstep. A failure that carries `retryAfterMs` (429/503 with Retry-After) waits at least
 * that long.
 *
 * Waiting jobs are data, not suspended code. A fleet of 1,000 TLDs with every collector on has
 * 6,000 jobs, nearly all of them waiting at any moment. With a loop per job, each wait kept an
 * AbortController and its signal, a timer, a suspended async function, promises and an abort
 * listener alive: about 2 KB of heap per job (12 MB for 6,000 jobs on the system clock) that
 * existed only to wait. Here a waiting job is one record of about 60–100 bytes in a priority
 * queue keyed by its due time (due-queue.ts), and the whole scheduler holds **one** pending
 * `clock.sleep`, for the earliest due time; it is re-armed when an earlier due time is queued.
 * When it fires, every job due by then starts, `state` at once and the others through
 * admission (see admission.ts: a bounded number run per credential, picked by collector
 * priority, the rest wait there as data too). A job's next due time is set when its run
 * settles, so it never runs twice at once.
 *
 * Each run gets an AbortController of its own, made when it starts and dropped when it settles:
 * live controllers are bounded by the refreshes in flight, and no signal is shared by the fleet
 * (see {@link Scheduler}). {@link Scheduler.stop} aborts the runs in flight and drops the rest.
 *
 * The first refreshes are spread out (see {@link initialSpreadMs}): a few targets start at
 * once, a fleet of thousands does not queue every request of every collector in one burst.
 */
import { setMaxListeners } from "node:events";
import type { Logger } from "../log/logger.js";
import type { Target } from "../mosapi/target.js";
import type { Clock } from "../util/clock.js";
import type { CollectorName } from "../snapshot/names.js";
import { Admission } from "./admission.js";
import { DueQueue } from "./due-queue.js";
import { isUrgent } from "./priority.js";

/** Outcome of one refresh, for scheduling. */
export interface RefreshOutcome {
  /** Minimum wait before the next attempt (from Retry-After), in ms. */
  readonly retryAfterMs?: number;
  /** Try again after exactly this long instead of the interval (nothing could be done yet). */
  readonly retryInMs?: number;
}

/** One periodic refresh of one collector for one target. */
export interface RefreshJob {
  readonly target: Target;
  readonly collector: CollectorName;
  readonly intervalMs: number;
  /** Must not reject: failures are recorded by the job itself (see refresh.ts). */
  run(signal: AbortSignal): Promise<RefreshOutcome>;
}

/** Share of the interval used as ± jitter. */
const JITTER = 0.1;
/** Average spacing of one collector's first refreshes: at most 100 of them start per second. */
const FIRST_REFRESH_SPACING_MS = 10;
/** `state` decides `/-/ready`, so its first round is bounded tighter than the others'. */
const MAX_STATE_SPREAD_MS = 10_000;
const MAX_SPREAD_MS = 60_000;

/**
 * The window in which the first refreshes of a collector's `jobs` jobs start, each at a
 * uniformly random point: `jobs` × 10 ms (100 starts per second on average), but no longer
 * than the interval and than 10 s for `state` (readiness) or 60 s for the others. 5 targets
 * start within 50 ms, 100 within 1 s; at 1,000 targets `state` spreads over 10 s.
 */
export function initialSpreadMs(
  collector: CollectorName,
  intervalMs: number,
  jobs: number,
): number {
  const cap = collector === "state" ? MAX_STATE_SPREAD_MS : MAX_SPREAD_MS;
  return Math.min(intervalMs, cap, jobs * FIRST_REFRESH_SPACING_MS);
}

/** What a scheduler needs. */
export interface SchedulerDependencies {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: (() => number) | undefined;
  /**
   * Refreshes other than `state` running at once per credential (default: no limit). The
   * exporter gives twice the credential's `max_concurrency`: enough to keep its slots busy
   * while a refresh parses or waits between requests, few enough that work waits as data.
   */
  readonly maxRunningPerCredential?: number | undefined;
}

/**
 * Owns the refresh jobs: a queue of waiting jobs under one timer, and the runs in flight.
 *
 * Due times are read from the clock's `now()` and waited for with one relative `sleep`. A wall
 * clock stepped back is not waited out: readings never go backward, so queued jobs are late by
 * at most one sleep, not by the length of the step. A clock stepped forward makes the jobs due
 * early, once.
 */
export class Scheduler {
  /**
   * The runs in flight, each with its own controller, aborted one by one on stop. Not one
   * signal shared by every run: each request, trace download and client operation of a run
   * listens on its signal, and an EventTarget's add and remove walk all its listeners, so a
   * signal shared by targets × collectors made every request of a 1,000-target start cost
   * O(fleet) (profiled: most of the exporter's CPU during the start burst). A controller lives
   * as long as its run: waiting jobs have none.
   */
  readonly #running = new Set<AbortController>();
  /** Jobs waiting for their due time. */
  readonly #queue = new DueQueue<RefreshJob>();
  /** The one pending sleep, until the earliest due time when it was armed. */
  #timer: { readonly due: number; readonly controller: AbortController } | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  /** Resolves stop() once the last run in flight has settled. */
  #onIdle: (() => void) | undefined;
  /** Added to the clock's readings so that they never go backward (see {@link Scheduler}). */
  #skew = 0;
  #lastNow = -Infinity;
  readonly #admission: Admission;

  readonly #deps: SchedulerDependencies;

  constructor(deps: SchedulerDependencies) {
    this.#deps = deps;
    this.#admission = new Admission(deps.maxRunningPerCredential ?? Infinity);
  }

  /** Non-`state` refreshes of `credentials` running and waiting for admission. */
  admissionCounts(credentials: string): { running: number; waiting: number } {
    return this.#admission.counts(credentials);
  }

  /**
   * Queues the jobs; jobs with `intervalMs` 0 are disabled and not queued. The first refreshes
   * of each collector are due at a uniformly random point of {@link initialSpreadMs} for the
   * jobs given here. Does nothing once {@link Scheduler.stop} was called.
   */
  start(jobs: readonly RefreshJob[]): void {
    if (this.#stopping) return;
    const enabled = jobs.filter((job) => job.intervalMs > 0);
    const counts = new Map<CollectorName, number>();
    for (const job of enabled) counts.set(job.collector, (counts.get(job.collector) ?? 0) + 1);
    const now = this.#now();
    for (const job of enabled) {
      const spreadMs = initialSpreadMs(
        job.collector,
        job.intervalMs,
        counts.get(job.collector) ?? 1,
      );
      this.#queue.push(job, now + this.#random() * spreadMs);
    }
    this.#arm();
  }

  /**
   * Drops the waiting jobs and aborts every run in flight; resolves once they have all
   * settled. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  /** The delay before the next refresh: interval ± jitter, at least `retryAfterMs`. */
  nextDelay(job: RefreshJob, outcome: RefreshOutcome): number {
    if (outcome.retryInMs !== undefined) return outcome.retryInMs;
    const jitter = (this.#random() * 2 - 1) * JITTER * job.intervalMs;
    return Math.max(Math.round(job.intervalMs + jitter), outcome.retryAfterMs ?? 0);
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    this.#queue.clear();
    this.#admission.clear();
    const reason = new Error("exporter shutting down");
    this.#timer?.controller.abort(reason);
    this.#timer = undefined;
    if (this.#running.size === 0) return;
    const idle = new Promise<void>((resolve) => {
      this.#onIdle = resolve;
    });
    for (const controller of this.#running) controller.abort(reason);
    await idle;
  }

  #random(): number {
    return (this.#deps.random ?? Math.random)();
  }

  /** The clock's time, never earlier than a previous reading. */
  #now(): number {
    const now = this.#deps.clock.now() + this.#skew;
    if (now >= this.#lastNow) {
      this.#lastNow = now;
      return now;
    }
    this.#skew += this.#lastNow - now;
    return this.#lastNow;
  }

  /** Sleeps until the earliest due time, unless a sleep until then or earlier is pending. */
  #arm(): void {
    const due = this.#queue.nextDue();
    if (due === undefined || this.#stopping) return;
    if (this.#timer !== undefined) {
      if (this.#timer.due <= due) return;
      this.#timer.controller.abort();
    }
    const timer = { due, controller: new AbortController() };
    this.#timer = timer;
    this.#deps.clock.sleep(Math.max(0, due - this.#now()), timer.controller.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        this.#wake();
      },
      () => {
        // Aborted: an earlier due time re-armed the timer, or the scheduler stopped.
      },
    );
  }

  /**
   * Starts every job due by now, `state` first (it is never held back), the others through
   * admission in due order, then sleeps until the next due time.
   */
  #wake(): void {
    const now = this.#now();
    const others: RefreshJob[] = [];
    for (let job = this.#queue.popDue(now); job !== undefined; job = this.#queue.popDue(now)) {
      if (isUrgent(job.collector)) this.#launch(job, undefined);
      else others.push(job);
    }
    for (const job of others) {
      this.#admission.request(job, (release) => {
        this.#launch(job, release);
      });
    }
    this.#arm();
  }

  /** Runs `job` once with a controller of its own; queues it again when the run settles. */
  #launch(job: RefreshJob, release: (() => void) | undefined): void {
    const controller = new AbortController();
    // A refresh may run several requests at once on its signal (per service, trace files).
    setMaxListeners(0, controller.signal);
    this.#running.add(controller);
    void this.#execute(job, controller, release);
  }

  async #execute(
    job: RefreshJob,
    controller: AbortController,
    release: (() => void) | undefined,
  ): Promise<void> {
    let outcome: RefreshOutcome = {};
    try {
      outcome = await job.run(controller.signal);
    } catch (error) {
      if (!this.#stopping) {
        // run() records its own failures; reaching here is a bug. Log it and keep refreshing.
        this.#deps.logger.error(
          { err: error, collector: job.collector, target: job.target.id },
          "refresh failed unexpectedly",
        );
      }
    } finally {
      this.#running.delete(controller);
      release?.();
    }
    if (this.#stopping) {
      if (this.#running.size === 0) this.#onIdle?.();
      return;
    }
    this.#queue.push(job, this.#now() + this.nextDelay(job, outcome));
    this.#arm();
  }
}
