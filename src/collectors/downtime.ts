/**
 * The `downtime` collector: `GET monitoring/<svc>/downtime` for every monitored service —
 * minutes of downtime in the rolling week, as SLAM counts them.
 */
import type { MosapiClient } from "../mosapi/client.js";
import type { Target } from "../mosapi/target.js";
import { perServiceJob } from "./per-service.js";
import type { RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";

/** The refresh job of `monitoring/<svc>/downtime` for `target`. */
export function downtimeJob(
  deps: RefreshDependencies & { client: Pick<MosapiClient, "getDowntime"> },
  target: Target,
  intervalMs: number,
): RefreshJob {
  return perServiceJob(deps, target, intervalMs, {
    notFoundMeansNotAvailable: true,
    collector: "downtime",
    fetch: (t, service, signal) => deps.client.getDowntime(t, service, signal),
    value: (body) => body.downtimeMinutes,
    current: (entry) => entry.downtimeMinutes,
    store: (entry, downtimeMinutes) => ({ ...entry, downtimeMinutes }),
  });
}
