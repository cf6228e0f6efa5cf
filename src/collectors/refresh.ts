/**
 * One refresh of one collector for one target, with the bookkeeping every collector shares:
 * on success the data is applied to the snapshot and the success time recorded; on failure the
 * last good data is kept, the failure is counted by reason and logged once per failure streak
 * (again only when its code changes), and recovery is logged.
 */
import type { Logger } from "../log/logger.js";
import { AuthError, ForbiddenError, INTERNAL_ERROR_CODE, isMosapiError } from "../mosapi/errors.js";
import type { FailureReason } from "../mosapi/failure.js";
import { describeTarget, type Target } from "../mosapi/target.js";
import type { Clock } from "../util/clock.js";
import type { CollectorName } from "../snapshot/names.js";
import type { RefreshJob, RefreshOutcome } from "./scheduler.js";
import type { RefreshError, TargetSnapshot } from "../snapshot/snapshot.js";
import type { SnapshotStore } from "../snapshot/store.js";

/** What a refresh job needs from the application. */
export interface RefreshDependencies {
  readonly store: SnapshotStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onFailure: (target: Target, collector: CollectorName, reason: FailureReason) => void;
}

/** A collector's fetch and how its result lands in the snapshot. */
export interface RefreshSpec<T> {
  readonly collector: CollectorName;
  readonly target: Target;
  readonly intervalMs: number;
  fetch(signal: AbortSignal): Promise<T>;
  /** Applies fresh data to the target's entry (called only on success). */
  apply(entry: TargetSnapshot, data: T): TargetSnapshot;
  /** Applies a failure to the target's entry beyond the shared bookkeeping (e.g. `up`). */
  fail?(entry: TargetSnapshot): TargetSnapshot;
  /**
   * False while the refresh cannot run yet (per-service collectors wait for the first `state`):
   * nothing is fetched or recorded, and the job tries again after {@link WAIT_FOR_STATE_MS}.
   */
  ready?(entry: TargetSnapshot | undefined): boolean;
  /**
   * After a success: log transitions, ask for a slower retry. `previous` is the entry before;
   * `log` gives the job's logger (made on first use).
   */
  after?(data: T, previous: TargetSnapshot | undefined, log: () => Logger): RefreshOutcome;
}

/** How soon a collector that waits for the first `state` of its target looks again. */
export const WAIT_FOR_STATE_MS = 2_000;

/**
 * Thrown by a fetch that got part of its data (e.g. two of three services answered): the part
 * is applied to the snapshot, and the refresh still counts as failed with `failure`'s reason.
 */
export class PartialRefreshError<T> extends Error {
  /** The data that did arrive. */
  readonly partial: T;
  /** Why the rest did not. */
  readonly failure: unknown;

  constructor(partial: T, failure: unknown) {
    super("refresh partly failed", { cause: failure });
    this.partial = partial;
    this.failure = failure;
    this.name = "PartialRefreshError";
  }
}

/**
 * How long a collector other than `state` waits after MoSAPI refused it (401/403): a TLS
 * client certificate carries roles, so one data family can be refused while others work; the
 * role will not appear within minutes.
 */
export const FORBIDDEN_RETRY_MS = 60 * 60_000;

/** Classifies anything thrown by a fetch into the snapshot's error record. */
export function toRefreshError(
  error: unknown,
  at: number,
  collector: CollectorName = "state",
): RefreshError & { retryAfterMs?: number } {
  if (isMosapiError(error)) {
    // docs/errors.md: a refusal of a non-state collector is "forbidden" for that collector only —
    // a 403, or a certificate's roles not covering it. A Basic session refused even after a
    // fresh login (sessions being evicted) is an auth problem that retries on the interval.
    const refused =
      error instanceof ForbiddenError ||
      (error instanceof AuthError && error.via === "certificate");
    if (collector !== "state" && refused) {
      return {
        reason: "forbidden",
        code: error.code,
        message: error.message,
        at,
        retryAfterMs: FORBIDDEN_RETRY_MS,
      };
    }
    const retryAfterMs = "retryAfterMs" in error ? error.retryAfterMs : undefined;
    return {
      reason: error.reason,
      code: error.code,
      message: error.message,
      at,
      ...(typeof retryAfterMs === "number" ? { retryAfterMs } : {}),
    };
  }
  // Not a MoSAPI error: data we could not process. Counted, shown, and logged with its stack.
  const message = error instanceof Error ? error.message : String(error);
  return { reason: "invalid_response", code: INTERNAL_ERROR_CODE, message, at };
}

/** Builds a {@link RefreshJob} from a collector spec. */
export function createRefreshJob<T>(deps: RefreshDependencies, spec: RefreshSpec<T>): RefreshJob {
  const { store, clock } = deps;
  // The job's logger, made when it first logs: most jobs never do (a failure, a recovery, a
  // 404). A pino child per job up front cost 2 MB of live heap and 35 MB of allocation at the
  // start of 1,000 TLDs (BENCHMARKS.md, section 2). One closure in the job's own scope.
  let logger: Logger | undefined;
  const log = (): Logger =>
    (logger ??= deps.logger.child({
      collector: spec.collector,
      target: describeTarget(spec.target),
    }));
  return {
    target: spec.target,
    collector: spec.collector,
    intervalMs: spec.intervalMs,
    async run(signal): Promise<RefreshOutcome> {
      if (spec.ready && !spec.ready(store.entry(spec.target)))
        return { retryInMs: WAIT_FOR_STATE_MS };
      let data: T;
      try {
        data = await spec.fetch(signal);
      } catch (error) {
        if (signal.aborted) return {};
        const partial =
          error instanceof PartialRefreshError ? (error as PartialRefreshError<T>) : undefined;
        const cause = partial ? partial.failure : error;
        const failure = toRefreshError(cause, clock.now(), spec.collector);
        const { retryAfterMs, ...recorded } = failure;
        const previous = store.update(spec.target, (current) => {
          const entry = partial ? spec.apply(current, partial.partial) : current;
          const updated: TargetSnapshot = {
            ...entry,
            collectors: {
              ...entry.collectors,
              [spec.collector]: { ...entry.collectors[spec.collector], lastError: recorded },
            },
          };
          return spec.fail ? spec.fail(updated) : updated;
        });
        deps.onFailure(spec.target, spec.collector, recorded.reason);
        if (previous?.collectors[spec.collector]?.lastError?.code !== recorded.code) {
          log().warn(
            {
              reason: recorded.reason,
              code: recorded.code,
              err: failure.code === INTERNAL_ERROR_CODE ? cause : undefined,
            },
            `refresh failed: ${recorded.message}`,
          );
        } else {
          log().debug({ reason: recorded.reason, code: recorded.code }, "refresh still failing");
        }
        return retryAfterMs === undefined ? {} : { retryAfterMs };
      }
      const previous = store.update(spec.target, (entry) =>
        spec.apply(
          {
            ...entry,
            collectors: { ...entry.collectors, [spec.collector]: { lastSuccessAt: clock.now() } },
          },
          data,
        ),
      );
      if (previous?.collectors[spec.collector]?.lastError !== undefined) {
        log().info("refresh recovered");
      }
      return spec.after ? spec.after(data, previous, log) : {};
    },
  };
}
