/**
 * The `incidents` collector: for every service with an active incident in the latest `state`,
 * the incident's measurement list, then the details of its latest measurement. A measurement
 * never changes once published, so its details are fetched once and reused while it stays the
 * latest: one list request per active incident per round, one detail request per new cycle.
 * When the incident resolves, the service drops out and its series vanish.
 */
import type { MosapiClient } from "../mosapi/client.js";
import { latestMeasurementId } from "../mosapi/monitoring-models.js";
import type { ServiceType } from "../mosapi/models.js";
import type { Target } from "../mosapi/target.js";
import { fetchPerService, mergePerService, type PerService } from "./per-service.js";
import { createRefreshJob, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";
import { activeIncident, monitoredServices } from "../snapshot/queries.js";
import type { IncidentDetail, TargetSnapshot } from "../snapshot/snapshot.js";

function servicesWithActiveIncident(entry: TargetSnapshot | undefined): ServiceType[] {
  return monitoredServices(entry).filter((service) => activeIncident(entry, service) !== undefined);
}

/** The refresh job of active incidents' latest measurements for `target`. */
export function incidentsJob(
  deps: RefreshDependencies & {
    client: Pick<MosapiClient, "getIncidentMeasurements" | "getIncidentMeasurement">;
  },
  target: Target,
  intervalMs: number,
): RefreshJob {
  const fetchDetail = async (
    entry: TargetSnapshot | undefined,
    service: ServiceType,
    signal: AbortSignal,
  ): Promise<IncidentDetail | undefined> => {
    const incident = activeIncident(entry, service);
    if (incident === undefined) return undefined;
    const list = await deps.client.getIncidentMeasurements(
      target,
      service,
      incident.incidentId,
      signal,
    );
    const latest = latestMeasurementId(list);
    if (latest === undefined) return undefined;
    const cached = entry?.incidents?.[service];
    if (cached?.incidentId === incident.incidentId && cached.measurementId === latest)
      return cached;
    const measurement = await deps.client.getIncidentMeasurement(
      target,
      service,
      incident.incidentId,
      latest,
      signal,
    );
    return { incidentId: incident.incidentId, measurementId: latest, measurement };
  };

  return createRefreshJob<PerService<IncidentDetail | undefined>>(deps, {
    collector: "incidents",
    target,
    intervalMs,
    ready: (entry) => entry?.state !== undefined,
    fetch: (signal) => {
      const entry = deps.store.entry(target);
      return fetchPerService(servicesWithActiveIncident(entry), (service) =>
        fetchDetail(entry, service, signal),
      );
    },
    apply: (entry, result) => ({ ...entry, incidents: mergePerService(entry.incidents, result) }),
  });
}
