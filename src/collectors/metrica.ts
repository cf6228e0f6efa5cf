/**
 * The `metrica` collector: Domain METRICA (formerly DAAR), `GET metrica/domainList/latest`.
 * A 404 means MoSAPI has no report for the target (not enabled, or none yet): that is data,
 * not a failure — no metric, one info log, and a slow retry instead of an error storm.
 */
import type { MosapiClient } from "../mosapi/client.js";
import { NotFoundError } from "../mosapi/errors.js";
import type { MetricaReport } from "../mosapi/metrica-models.js";
import type { Target } from "../mosapi/target.js";
import { createRefreshJob, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";

/** How long to wait before asking again for a report MoSAPI said it does not have. */
export const METRICA_ABSENT_RETRY_MS = 24 * 60 * 60_000;

/** The refresh job of the latest Domain METRICA report for `target`. */
export function metricaJob(
  deps: RefreshDependencies & { client: Pick<MosapiClient, "getMetricaLatest"> },
  target: Target,
  intervalMs: number,
): RefreshJob {
  return createRefreshJob<MetricaReport | null>(deps, {
    collector: "metrica",
    target,
    intervalMs,
    fetch: async (signal) => {
      try {
        return await deps.client.getMetricaLatest(target, signal);
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },
    apply: (entry, metrica) => ({ ...entry, metrica }),
    after: (metrica, previous, log) => {
      if (metrica !== null) return {};
      if (previous?.metrica !== null) {
        log().info(
          { retry_in_ms: METRICA_ABSENT_RETRY_MS },
          "MoSAPI has no Domain METRICA report for this target (404: not enabled or none yet)",
        );
      }
      return { retryAfterMs: METRICA_ABSENT_RETRY_MS };
    },
  });
}
