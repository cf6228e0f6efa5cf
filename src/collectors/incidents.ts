/**
 * The `incidents` collector: for every service with an active incident in the latest `state`,
 * the incident's measurement list, then the details of its latest measurement. A measurement
 * never changes once published, so its details are fetched once and reused while it stays the
 * latest: one list request per active incident per round, one detail request per new cycle.
 * When the incident resolves, the service drops out and its series vanish.
 */
import type { MosapiClient } from "../mosapi/client.js";
import { measurementSchema } from "../mosapi/measurement.js";
import { latestMeasurementId, measurementListSchema } from "../mosapi/monitoring-models.js";
import type { ServiceType } from "../mosapi/models.js";
import type { Target } from "../mosapi/target.js";
import { fetchPerService, mergePerService, type PerService } from "./per-service.js";
import { createRefreshJob, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";
import { activeIncident, monitoredServices } from "../snapshot/queries.js";
import type { IncidentDetail, TargetSnapshot } from "../snapshot/snapshot.js";

/**
 * Upstream IDs become path segments; anything but a plain token (e.g. `..` or a slash) would
 * address another resource, so such an ID is refused as an invalid response.
 */
export function isSafeId(id: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(id) && !id.includes("..");
}

function servicesWithActiveIncident(entry: TargetSnapshot | undefined): ServiceType[] {
  return monitoredServices(entry).filter((service) => activeIncident(entry, service) !== undefined);
}

/** The refresh job of active incidents' latest measurements for `target`. */
export function incidentsJob(
  deps: RefreshDependencies & { client: Pick<MosapiClient, "getJson"> },
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
    if (!isSafeId(incident.incidentId)) {
      throw new TypeError(
        `unusable incidentID ${JSON.stringify(incident.incidentId.slice(0, 64))}`,
      );
    }
    const base = `monitoring/${service}/incidents/${incident.incidentId}/measurements`;
    const list = await deps.client.getJson(target, base, measurementListSchema, {
      endpoint: "monitoring/{service}/incidents/{incident}/measurements",
      operation: `fetch ${base}`,
      signal,
    });
    const latest = latestMeasurementId(list);
    if (latest === undefined) return undefined;
    const cached = entry?.incidents?.[service];
    if (cached?.incidentId === incident.incidentId && cached.measurementId === latest)
      return cached;
    if (!isSafeId(latest)) {
      throw new TypeError(`unusable measurementID ${JSON.stringify(latest.slice(0, 64))}`);
    }
    const measurement = await deps.client.getJson(target, `${base}/${latest}`, measurementSchema, {
      endpoint: "monitoring/{service}/incidents/{incident}/measurements/{measurement}",
      operation: `fetch ${base}/${latest}`,
      signal,
    });
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
