/**
 * The shared shape of collectors that ask one endpoint per monitored service (alarmed,
 * downtime, incident measurements): requests go out together (the client caps concurrency per
 * credential), answers that arrive are kept even when another service's request fails.
 */
import type { z } from "zod";
import type { MosapiClient } from "../mosapi/client.js";
import type { ServiceType } from "../mosapi/models.js";
import type { Target } from "../mosapi/target.js";
import type { CollectorName } from "../snapshot/names.js";
import { createRefreshJob, PartialRefreshError, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";
import { monitoredServices } from "../snapshot/queries.js";
import type { TargetSnapshot } from "../snapshot/snapshot.js";

/** Values per service, and whether every service answered. */
export interface PerService<T> {
  readonly values: Readonly<Partial<Record<ServiceType, T>>>;
  readonly complete: boolean;
}

/**
 * Calls `fetchOne` for every service. Resolves when all succeed; throws the first failure when
 * none did, or a {@link PartialRefreshError} carrying the answers when only some did.
 */
export async function fetchPerService<T>(
  services: readonly ServiceType[],
  fetchOne: (service: ServiceType) => Promise<T>,
): Promise<PerService<T>> {
  const settled = await Promise.allSettled(services.map(fetchOne));
  const values: Partial<Record<ServiceType, T>> = {};
  const failures: unknown[] = [];
  settled.forEach((result, index) => {
    const service = services[index];
    if (service === undefined) return;
    if (result.status === "fulfilled") values[service] = result.value;
    else failures.push(result.reason);
  });
  if (failures.length === 0) return { values, complete: true };
  if (failures.length === services.length) throw failures[0];
  throw new PartialRefreshError<PerService<T>>({ values, complete: false }, failures[0]);
}

/**
 * The new per-service map: a complete answer replaces the old one (services that went away
 * vanish); a partial one updates only the services that answered. `undefined` values remove
 * the service (e.g. `alarmed: Disabled`).
 */
export function mergePerService<T>(
  previous: Readonly<Partial<Record<ServiceType, T>>> | undefined,
  result: PerService<T | undefined>,
): Partial<Record<ServiceType, T>> {
  const merged: Partial<Record<ServiceType, T | undefined>> = result.complete
    ? result.values
    : { ...previous, ...result.values };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** A collector that reads one small document per monitored service. */
export interface PerServiceSpec<S extends z.ZodType, T> {
  readonly collector: CollectorName;
  /** Endpoint template with `{service}`, e.g. `monitoring/{service}/alarmed`. */
  readonly endpoint: string;
  readonly schema: S;
  /** The value kept for the service; `undefined` drops the service. */
  value(body: z.output<S>): T | undefined;
  /** Stores the merged per-service map in the target's entry. */
  store(entry: TargetSnapshot, values: Partial<Record<ServiceType, T>>): TargetSnapshot;
  /** The map currently stored, merged with partial answers. */
  current(entry: TargetSnapshot): Readonly<Partial<Record<ServiceType, T>>> | undefined;
}

/** A refresh job querying `spec.endpoint` for every monitored service of `target`. */
export function perServiceJob<S extends z.ZodType, T>(
  deps: RefreshDependencies & { client: Pick<MosapiClient, "getJson"> },
  target: Target,
  intervalMs: number,
  spec: PerServiceSpec<S, T>,
): RefreshJob {
  return createRefreshJob<PerService<T | undefined>>(deps, {
    collector: spec.collector,
    target,
    intervalMs,
    ready: (entry) => entry?.state !== undefined,
    fetch: (signal) =>
      fetchPerService(monitoredServices(deps.store.entry(target)), async (service) => {
        const resource = spec.endpoint.replace("{service}", service);
        const body = await deps.client.getJson(target, resource, spec.schema, {
          endpoint: spec.endpoint,
          operation: `fetch ${resource}`,
          signal,
        });
        return spec.value(body);
      }),
    apply: (entry, result) => spec.store(entry, mergePerService(spec.current(entry), result)),
  });
}
