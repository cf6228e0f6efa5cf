/**
 * Which services of a target the per-service collectors query: those its latest `state` lists
 * as monitored. Never a Disabled service, never one the target does not have (registrars have
 * only RDDS and RDAP), nothing before the first successful `state` refresh.
 */
import { SERVICE_TYPES, type ServiceType } from "../mosapi/models.js";
import type { TargetSnapshot } from "./snapshot.js";

/** Services listed in the last good state and not Disabled, in {@link SERVICE_TYPES} order. */
export function monitoredServices(entry: TargetSnapshot | undefined): ServiceType[] {
  const services = entry?.state?.services;
  if (services === undefined) return [];
  return SERVICE_TYPES.filter((type) => {
    const status = services[type]?.status;
    return status !== undefined && status !== "disabled";
  });
}

/**
 * The active incident a service's detail is about: the most recently started one (a service
 * rarely has two; the newest is what is failing now). Undefined when none is active.
 */
export function activeIncident(entry: TargetSnapshot | undefined, service: ServiceType) {
  const incidents = entry?.state?.services[service]?.incidents ?? [];
  return incidents
    .filter((incident) => incident.state === "active")
    .reduce<(typeof incidents)[number] | undefined>(
      (latest, incident) =>
        latest === undefined || incident.startTime > latest.startTime ? incident : latest,
      undefined,
    );
}
