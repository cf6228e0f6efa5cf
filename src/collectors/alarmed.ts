/**
 * The `alarmed` collector: `GET monitoring/<svc>/alarmed` for every monitored service.
 * `Yes` is true, `No` false; `Disabled` (or an unrecognised value) drops the service.
 */
import type { MosapiClient } from "../mosapi/client.js";
import type { Target } from "../mosapi/target.js";
import { perServiceJob } from "./per-service.js";
import type { RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";

/** The refresh job of `monitoring/<svc>/alarmed` for `target`. */
export function alarmedJob(
  deps: RefreshDependencies & { client: Pick<MosapiClient, "getAlarmed"> },
  target: Target,
  intervalMs: number,
): RefreshJob {
  return perServiceJob(deps, target, intervalMs, {
    notFoundMeansNotAvailable: true,
    collector: "alarmed",
    fetch: (t, service, signal) => deps.client.getAlarmed(t, service, signal),
    value: (body) => (body.alarmed === "yes" ? true : body.alarmed === "no" ? false : undefined),
    current: (entry) => entry.alarmed,
    store: (entry, alarmed) => ({ ...entry, alarmed }),
  });
}
