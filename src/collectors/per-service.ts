/**
 * The shared shape of collectors that ask one endpoint per monitored service (alarmed,
 * downtime, incident measurements): requests go out together (the client caps concurrency per
 * credential), answers that arrive are kept even when another service's request fails.
 */
import type { Logger } from "../log/logger.js";
import type { ServiceType } from "../mosapi/models.js";
import { NotFoundError } from "../mosapi/errors.js";
import { describeTarget, type Target } from "../mosapi/target.js";
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
export interface PerServiceSpec<B, T> {
  readonly collector: CollectorName;
  /** Fetches the service's document (one typed client method). */
  fetch(target: Target, service: ServiceType, signal: AbortSignal): Promise<B>;
  /** The value kept for the service; `undefined` drops the service. */
  value(body: B): T | undefined;
  /** Stores the merged per-service map in the target's entry. */
  store(entry: TargetSnapshot, values: Partial<Record<ServiceType, T>>): TargetSnapshot;
  /** The map currently stored, merged with partial answers. */
  current(entry: TargetSnapshot): Readonly<Partial<Record<ServiceType, T>>> | undefined;
  /**
   * A 404 for a service `state` lists as monitored means "not available for this service"
   * (METRICS.md#odd-parts-of-answers): no value, no failure, one info log, and the service
   * is asked again only after {@link NOT_AVAILABLE_RETRY_MS}.
   */
  readonly notFoundMeansNotAvailable?: boolean;
}

/** How long a service whose endpoint answered 404 ("not available") waits to be asked again. */
export const NOT_AVAILABLE_RETRY_MS = 6 * 60 * 60_000;

/** A refresh job fetching `spec`'s document for every monitored service of `target`. */
export function perServiceJob<B, T>(
  deps: RefreshDependencies,
  target: Target,
  intervalMs: number,
  spec: PerServiceSpec<B, T>,
): RefreshJob {
  /** Services that answered 404 ("not available"), and when to ask them again. */
  const notAvailableUntil = new Map<ServiceType, number>();
  // Made on first use, as in refresh.ts: most jobs never log.
  let logger: Logger | undefined;
  const log = (): Logger =>
    (logger ??= deps.logger.child({ collector: spec.collector, target: describeTarget(target) }));
  const fetchOne = async (service: ServiceType, signal: AbortSignal) => {
    try {
      const value = spec.value(await spec.fetch(target, service, signal));
      notAvailableUntil.delete(service);
      return value;
    } catch (error) {
      if (spec.notFoundMeansNotAvailable !== true || !(error instanceof NotFoundError)) throw error;
      if (!notAvailableUntil.has(service)) {
        log().info(
          { service_type: service, retry_in_ms: NOT_AVAILABLE_RETRY_MS },
          `MoSAPI answered 404 for ${service}: not available for this service; asking again later`,
        );
      }
      notAvailableUntil.set(service, deps.clock.now() + NOT_AVAILABLE_RETRY_MS);
      return undefined;
    }
  };
  return createRefreshJob<PerService<T | undefined>>(deps, {
    collector: spec.collector,
    target,
    intervalMs,
    ready: (entry) => entry?.state !== undefined,
    fetch: (signal) => {
      const now = deps.clock.now();
      const services = monitoredServices(deps.store.entry(target)).filter(
        (service) => (notAvailableUntil.get(service) ?? 0) <= now,
      );
      return fetchPerService(services, (service) => fetchOne(service, signal));
    },
    apply: (entry, result) => spec.store(entry, mergePerService(spec.current(entry), result)),
  });
}
