/**
 * What a reload keeps: the last good data of a target survives when the new config would fetch
 * the same data the same way (same MoSAPI, same credentials), so `/metrics` shows no gap.
 * Anything else starts afresh rather than showing data obtained under the old settings.
 */
import type { CarryOver } from "../snapshot/store.js";
import type { CollectorName } from "../snapshot/names.js";
import type { TargetSnapshot } from "../snapshot/snapshot.js";
import type { Config } from "../config/load.js";
import { sameCredential } from "../mosapi/credentials.js";

/** `entry` without the data and bookkeeping of the collectors `config` disables. */
function withoutDisabled(entry: TargetSnapshot, config: Config): TargetSnapshot {
  const on = (name: CollectorName): boolean => config.collectors[name] !== 0;
  const {
    state,
    alarmed,
    downtimeMinutes,
    incidents,
    metrica,
    measurements,
    traces,
    collectors,
    ...rest
  } = entry;
  return {
    ...rest,
    // Without `state`, nothing will confirm the target is up any more.
    up: on("state") && entry.up,
    collectors: Object.fromEntries(
      Object.entries(collectors).filter(([name]) => on(name as CollectorName)),
    ),
    ...(state !== undefined && on("state") ? { state } : {}),
    ...(alarmed !== undefined && on("alarmed") ? { alarmed } : {}),
    ...(downtimeMinutes !== undefined && on("downtime") ? { downtimeMinutes } : {}),
    ...(incidents !== undefined && on("incidents") ? { incidents } : {}),
    ...(metrica !== undefined && on("metrica") ? { metrica } : {}),
    ...(measurements !== undefined && on("measurements") ? { measurements } : {}),
    ...(traces !== undefined && on("troubleshooting") ? { traces } : {}),
  };
}

/**
 * True when a reload can keep the running MoSAPI client (its Agents, limiters and sessions):
 * same URL, API version, timeout, concurrency cap, source address and TLS settings. Credentials
 * and targets may differ; the client takes them over (see `MosapiClient.reconfigure`).
 */
export function sameClientSettings(before: Config, after: Config): boolean {
  const a = before.mosapi;
  const b = after.mosapi;
  return (
    a.url === b.url &&
    a.version === b.version &&
    a.timeoutMs === b.timeoutMs &&
    a.maxConcurrency === b.maxConcurrency &&
    a.sourceAddress === b.sourceAddress &&
    a.tls.ca === b.tls.ca &&
    a.tls.minVersion === b.tls.minVersion &&
    a.tls.insecureSkipVerify === b.tls.insecureSkipVerify
  );
}

/**
 * The {@link CarryOver} of a reload from `before` to `after`: a target keeps its entry when
 * MoSAPI's URL and API version are unchanged and its credentials have the same name and the same
 * content (username and password, or certificate and key, as re-read from their files). Data of
 * collectors the new config disables is dropped.
 */
export function carryOver(before: Config, after: Config): CarryOver {
  const sameSource =
    before.mosapi.url === after.mosapi.url && before.mosapi.version === after.mosapi.version;
  return (target, previous) => {
    if (!sameSource || previous.target.credentials !== target.credentials) return undefined;
    const credential = target.credentials;
    if (!sameCredential(before.credentials.get(credential), after.credentials.get(credential))) {
      return undefined;
    }
    return withoutDisabled(previous, after);
  };
}
