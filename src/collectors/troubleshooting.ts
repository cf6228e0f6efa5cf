/**
 * The `troubleshooting` collector (opt-in): the probe network's mtr traces to the target's IPs
 * (docs/mosapi.md#probe-network-trees), fetched only while one of the target's services has an active
 * incident, or always for a target with `troubleshooting: always`. Otherwise it sends nothing.
 *
 * Per round: today's (UTC) day listing of the trace tree (in the first hour of the day
 * yesterday's too, read once: today's then holds only the paths traced since 00:00), then per
 * probe × IP only the newest file, and each file once: files are shared with every other
 * target through {@link TraceFiles} (an IP serving several TLDs has the same file in each
 * tree). The tree's paths are inferred, so a 404 on it means "not offered for this account":
 * data, not a failure — one info log, no series, and the next look a day later.
 */
import type { MosapiClient } from "../mosapi/client.js";
import { NotFoundError, SchemaError, InvalidResponseError } from "../mosapi/errors.js";
import {
  dayPath,
  newestTraces,
  summariseTrace,
  treeDay,
  type TraceFile,
  type TraceSummary,
  type TreeDay,
} from "../mosapi/probe-network.js";
import { targetKey, type Target } from "../mosapi/target.js";
import { activeIncident, monitoredServices } from "../snapshot/queries.js";
import type { TargetSnapshot, TraceView } from "../snapshot/snapshot.js";
import { MIDNIGHT_GRACE_MS } from "./measurements.js";
import { PartialRefreshError, createRefreshJob, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";
import type { TraceFileResult, TraceFiles } from "./trace-files.js";

/** How long to wait before asking again for a trace tree MoSAPI said it does not have. */
export const TRACES_ABSENT_RETRY_MS = 24 * 60 * 60_000;

const DAY_MS = 86_400_000;

/** Whether the collector looks at `target` now: `always`, or an active incident. */
export function wantsTraces(target: Target, entry: TargetSnapshot | undefined): boolean {
  if (target.troubleshooting === "always") return true;
  return monitoredServices(entry).some((service) => activeIncident(entry, service) !== undefined);
}

/** What one round found: traces, "not offered" (null), or nothing looked at (undefined). */
type Found = TraceView | null | undefined;

/** The refresh job of the probe network's traces to `target`'s IPs. */
export function troubleshootingJob(
  deps: RefreshDependencies & {
    client: Pick<MosapiClient, "getTraceDay" | "getTraceFile">;
    traceFiles: TraceFiles;
  },
  target: Target,
  intervalMs: number,
): RefreshJob {
  const key = targetKey(target);
  /** Yesterday's final listing (none if MoSAPI had no tree that day), read at most once per day. */
  let pastDay: { day: string; names: readonly string[]; found: boolean } | undefined;

  const listDay = (day: TreeDay, signal: AbortSignal): Promise<string[]> =>
    deps.client.getTraceDay(target, day, signal);

  /** File names with their day; null when the tree is not offered (404). */
  const listFiles = async (
    signal: AbortSignal,
  ): Promise<{ day: TreeDay; names: readonly string[] }[] | null> => {
    const now = deps.clock.now();
    const today = treeDay(now);
    let todays: string[] | undefined;
    try {
      todays = await listDay(today, signal);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const afterMidnight = now % DAY_MS < MIDNIGHT_GRACE_MS;
    const days = todays !== undefined && todays.length > 0 ? [{ day: today, names: todays }] : [];
    if (!afterMidnight) {
      // Yesterday's listing (up to one name per probe × IP × cycle) is let go after the grace
      // period, not a day later.
      pastDay = undefined;
      return todays === undefined ? null : days;
    }
    // Until each path has been traced today, its newest trace is yesterday's: without it, the
    // series of the paths not traced yet since 00:00 vanished for minutes after midnight.
    const yesterday = treeDay(now - DAY_MS);
    if (pastDay?.day !== dayPath(yesterday)) {
      let names: string[] = [];
      let found = true;
      try {
        names = await listDay(yesterday, signal);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        found = false;
      }
      pastDay = { day: dayPath(yesterday), names, found };
    }
    if (todays === undefined && !pastDay.found) return null;
    // Today's first: a path's newest file is taken from the first day that has one.
    return pastDay.names.length > 0 ? [...days, { day: yesterday, names: pastDay.names }] : days;
  };

  const download = async (
    day: TreeDay,
    file: TraceFile,
    signal: AbortSignal,
  ): Promise<TraceSummary | null> => {
    try {
      return summariseTrace(file, await deps.client.getTraceFile(target, day, file.file, signal));
    } catch (error) {
      // An unreadable file costs only itself, and is not downloaded again.
      if (!(error instanceof SchemaError || error instanceof InvalidResponseError)) throw error;
      deps.onFailure(target, "troubleshooting", "invalid_response");
      deps.logger.warn(
        { collector: "troubleshooting", code: error.code, file: file.file },
        `trace file skipped: ${error.message}`,
      );
      return null;
    }
  };

  return createRefreshJob<Found>(deps, {
    collector: "troubleshooting",
    target,
    intervalMs,
    ready: (entry) => entry?.state !== undefined,
    fetch: async (signal) => {
      const entry = deps.store.entry(target);
      if (!wantsTraces(target, entry)) {
        deps.traceFiles.hold(key, new Map());
        // Remember "not offered" so the board keeps saying so; otherwise show nothing.
        return entry?.traces === null ? null : undefined;
      }
      const days = await listFiles(signal);
      if (days === null) {
        deps.traceFiles.hold(key, new Map());
        return null;
      }
      const newest = days.flatMap(({ day, names }) =>
        newestTraces(names).map((file) => ({ day, file })),
      );
      // Yesterday's files only for paths that have none today.
      const seen = new Set<string>();
      const wanted = newest.filter(({ file }) => {
        const path = `${file.probe}\u0000${file.ip}`;
        if (seen.has(path)) return false;
        seen.add(path);
        return true;
      });
      const settled = await Promise.allSettled(
        wanted.map(({ day, file }) =>
          deps.traceFiles.get(file.file, () => download(day, file, signal)),
        ),
      );
      const traces: TraceSummary[] = [];
      const held = new Map<string, TraceFileResult>();
      const failures: unknown[] = [];
      settled.forEach((result, index) => {
        const file = wanted[index]?.file.file;
        if (result.status === "rejected") {
          failures.push(result.reason);
          return;
        }
        if (file !== undefined) held.set(file, result.value);
        if (result.value !== null) traces.push(result.value);
      });
      deps.traceFiles.hold(key, held);
      const view: TraceView = { traces };
      if (failures.length === 0) return view;
      if (held.size === 0) throw failures[0];
      throw new PartialRefreshError<Found>(view, failures[0]);
    },
    apply: (entry, found) => {
      if (found !== undefined) return { ...entry, traces: found };
      const rest = { ...entry };
      delete rest.traces;
      return rest;
    },
    after: (found, previous, log) => {
      if (found !== null) return {};
      if (previous?.traces !== null) {
        log().info(
          { retry_in_ms: TRACES_ABSENT_RETRY_MS },
          "MoSAPI has no network troubleshooting data for this target (404: not offered for this account)",
        );
      }
      return { retryAfterMs: TRACES_ABSENT_RETRY_MS };
    },
  });
}
