/**
 * The `measurements` collector: for every monitored service, the latest recent measurement
 * (`monitoring/<svc>/measurements/<yyyy>/<mm>/<dd>/<cycle>.json`, docs/mosapi.md#probe-network-trees), every cycle and not only during incidents: how many probes lose the service or a
 * name server before SLAM opens an incident (3 failed DNS cycles, 2 for RDDS/RDAP).
 *
 * The tree is walked cheaply: per service and round, today's (UTC) day listing, then the
 * measurement only when it is not the one already held (a published measurement never
 * changes). Yesterday's listing is read only when today's is empty or missing in the first
 * hour of the day, and only once: a past day's listing is final. So a round costs at most one
 * listing and one measurement per service, plus one listing per service per day.
 */
import type { MosapiClient } from "../mosapi/client.js";
import { NotFoundError } from "../mosapi/errors.js";
import type { ServiceType } from "../mosapi/models.js";
import { latestMeasurementId, type MeasurementList } from "../mosapi/monitoring-models.js";
import { dayPath, treeDay, type TreeDay } from "../mosapi/probe-network.js";
import type { Target } from "../mosapi/target.js";
import { monitoredServices } from "../snapshot/queries.js";
import type { RecentMeasurementDetail, TargetSnapshot } from "../snapshot/snapshot.js";
import { fetchPerService, mergePerService, type PerService } from "./per-service.js";
import { createRefreshJob, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";

/** How long after 00:00 UTC an empty or missing day listing sends us to yesterday's. */
export const MIDNIGHT_GRACE_MS = 60 * 60_000;

const DAY_MS = 86_400_000;

/** The refresh job of the latest recent measurement per monitored service of `target`. */
export function measurementsJob(
  deps: RefreshDependencies & {
    client: Pick<MosapiClient, "getMeasurementDay" | "getMeasurement">;
  },
  target: Target,
  intervalMs: number,
): RefreshJob {
  /** Yesterday's final listing per service, read at most once per day. */
  const pastDays = new Map<ServiceType, { day: string; list: MeasurementList }>();

  const listDay = async (
    service: ServiceType,
    day: TreeDay,
    signal: AbortSignal,
  ): Promise<MeasurementList> => {
    try {
      return await deps.client.getMeasurementDay(target, service, day, signal);
    } catch (error) {
      // A day without measurements (yet) is data, not a failure.
      if (error instanceof NotFoundError) return { measurements: [] };
      throw error;
    }
  };

  const latestListed = async (
    service: ServiceType,
    signal: AbortSignal,
  ): Promise<{ day: TreeDay; id: string } | undefined> => {
    const now = deps.clock.now();
    const today = treeDay(now);
    const todays = latestMeasurementId(await listDay(service, today, signal));
    const afterMidnight = now % DAY_MS < MIDNIGHT_GRACE_MS;
    // Yesterday's listing is needed only until today's has a measurement or the grace period
    // is over: let it go then, not a day later.
    if (!afterMidnight || todays !== undefined) pastDays.delete(service);
    if (todays !== undefined) return { day: today, id: todays };
    if (!afterMidnight) return undefined;
    const yesterday = treeDay(now - DAY_MS);
    const key = dayPath(yesterday);
    let past = pastDays.get(service);
    if (past?.day !== key) {
      past = { day: key, list: await listDay(service, yesterday, signal) };
      pastDays.set(service, past);
    }
    const id = latestMeasurementId(past.list);
    return id === undefined ? undefined : { day: yesterday, id };
  };

  const fetchLatest = async (
    entry: TargetSnapshot | undefined,
    service: ServiceType,
    signal: AbortSignal,
  ): Promise<RecentMeasurementDetail | undefined> => {
    const held = entry?.measurements?.[service];
    const listed = await latestListed(service, signal);
    // Nothing listed (a gap in SLAM's output): keep what we have rather than drop the service.
    if (listed === undefined || listed.id === held?.measurementId) return held;
    const measurement = await deps.client.getMeasurement(
      target,
      service,
      listed.day,
      listed.id,
      signal,
    );
    return { measurementId: listed.id, measurement };
  };

  return createRefreshJob<PerService<RecentMeasurementDetail | undefined>>(deps, {
    collector: "measurements",
    target,
    intervalMs,
    ready: (entry) => entry?.state !== undefined,
    fetch: (signal) => {
      const entry = deps.store.entry(target);
      return fetchPerService(monitoredServices(entry), (service) =>
        fetchLatest(entry, service, signal),
      );
    },
    apply: (entry, result) => ({
      ...entry,
      measurements: mergePerService(entry.measurements, result),
    }),
  });
}
