/**
 * Runs refresh jobs, each in its own loop: one refresh at a time per job (never overlapping),
 * then a wait of the job's interval with ±10 % jitter so hundreds of targets do not hit MoSAPI
 * in lockstep. A failure that carries `retryAfterMs` (429/503 with Retry-After) waits at least
 * that long. Loops stop promptly when {@link Scheduler.stop} aborts them.
 *
 * The first refreshes are spread out (see {@link initialSpreadMs}): a few targets start at
 * once, a fleet of thousands does not queue every request of every collector in one burst.
 * A due refresh other than `state` then waits for admission (see admission.ts): a bounded
 * number run per credential, picked by collector priority, and the rest wait as data.
 */
import { setMaxListeners } from "node:events";
import type { Logger } from "../log/logger.js";
import type { Target } from "../mosapi/target.js";
import type { Clock } from "../util/clock.js";
import type { CollectorName } from "../snapshot/names.js";
import { Admission } from "./admission.js";
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

/** Owns the refresh loops. */
export class Scheduler {
  /**
   * One controller per loop, aborted one by one on stop. Not one signal shared by every loop:
   * each sleep, admission wait and client operation listens on its loop's signal, and an
   * EventTarget's add and remove walk all its listeners, so a shared signal with targets ×
   * collectors listeners made every request of a 1,000-target start cost O(fleet) (profiled:
   * most of the exporter's CPU during the start burst).
   */
  readonly #controllers = new Set<AbortController>();
  #stopping = false;
  readonly #loops: Promise<void>[] = [];
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
   * Starts one loop per job; jobs with `intervalMs` 0 are disabled and not started. The first
   * refreshes of each collector spread over {@link initialSpreadMs} for the jobs given here.
   */
  start(jobs: readonly RefreshJob[]): void {
    const enabled = jobs.filter((job) => job.intervalMs > 0);
    const counts = new Map<CollectorName, number>();
    for (const job of enabled) counts.set(job.collector, (counts.get(job.collector) ?? 0) + 1);
    for (const job of enabled) {
      const spreadMs = initialSpreadMs(
        job.collector,
        job.intervalMs,
        counts.get(job.collector) ?? 1,
      );
      this.#loops.push(this.#loop(job, spreadMs));
    }
  }

  /** Aborts every in-flight refresh and wait; resolves when all loops have exited. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const reason = new Error("exporter shutting down");
    for (const controller of this.#controllers) controller.abort(reason);
    await Promise.all(this.#loops);
  }

  /** The delay before the next refresh: interval ± jitter, at least `retryAfterMs`. */
  nextDelay(job: RefreshJob, outcome: RefreshOutcome): number {
    if (outcome.retryInMs !== undefined) return outcome.retryInMs;
    const jitter = (this.#random() * 2 - 1) * JITTER * job.intervalMs;
    return Math.max(Math.round(job.intervalMs + jitter), outcome.retryAfterMs ?? 0);
  }

  #stopped(): boolean {
    return this.#stopping;
  }

  #random(): number {
    return (this.#deps.random ?? Math.random)();
  }

  /** Runs one refresh: `state` at once, the others once admitted. */
  async #run(job: RefreshJob, signal: AbortSignal): Promise<RefreshOutcome> {
    if (isUrgent(job.collector)) return job.run(signal);
    const release = await this.#admission.enter(job, signal);
    try {
      return await job.run(signal);
    } finally {
      release();
    }
  }

  async #loop(job: RefreshJob, spreadMs: number): Promise<void> {
    const controller = new AbortController();
    const signal = controller.signal;
    // A refresh may run several requests at once on it (per service, trace files).
    setMaxListeners(0, signal);
    if (this.#stopping) return;
    this.#controllers.add(controller);
    try {
      await this.#deps.clock.sleep(this.#random() * spreadMs, signal);
      while (!signal.aborted) {
        let outcome: RefreshOutcome = {};
        try {
          outcome = await this.#run(job, signal);
        } catch (error) {
          if (this.#stopped()) return;
          // run() records its own failures; reaching here is a bug. Log it and keep refreshing.
          this.#deps.logger.error(
            { err: error, collector: job.collector, target: job.target.id },
            "refresh failed unexpectedly",
          );
        }
        await this.#deps.clock.sleep(this.nextDelay(job, outcome), signal);
      }
    } catch {
      // clock.sleep rejects only when stop() aborts the signal: the loop ends.
    } finally {
      this.#controllers.delete(controller);
    }
  }
}
