/**
 * The `state` collector: `GET monitoring/state` per target. It alone decides `mosapi_up` and
 * readiness: the first finished attempt (either way) marks the target as attempted.
 */
import type { MosapiClient } from "../mosapi/client.js";
import type { StateResponse } from "../mosapi/models.js";
import type { Target } from "../mosapi/target.js";
import { createRefreshJob, type RefreshDependencies } from "./refresh.js";
import type { RefreshJob } from "./scheduler.js";

/** The refresh job of `monitoring/state` for `target`. */
export function stateJob(
  deps: RefreshDependencies & { client: Pick<MosapiClient, "getState"> },
  target: Target,
  intervalMs: number,
): RefreshJob {
  return createRefreshJob<StateResponse>(deps, {
    collector: "state",
    target,
    intervalMs,
    fetch: (signal) => deps.client.getState(target, signal),
    apply: (entry, state) => ({ ...entry, up: true, stateAttempted: true, state }),
    fail: (entry) => ({ ...entry, up: false, stateAttempted: true }),
  });
}
