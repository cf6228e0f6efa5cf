/**
 * What a monitored MoSAPI target is: a registry (`ry`, identified by its TLD as an A-label)
 * or a registrar (`rr`, identified by its IANA registrar ID). Every per-target series carries
 * exactly one of the labels `tld` or `registrar_id`.
 */
export type Entity = "ry" | "rr";

/** One monitored TLD or registrar and the name of the credentials it uses. */
export interface Target {
  readonly entity: Entity;
  /** TLD A-label (`example`, `xn--9dbq2a`) or IANA registrar ID (`9999`). */
  readonly id: string;
  /** Key into `config.credentials`. */
  readonly credentials: string;
  /**
   * `always`: the `troubleshooting` collector fetches this target's probe-network traces every
   * round, not only while one of its services has an active incident.
   */
  readonly troubleshooting?: "always";
}

/** The identifying label set of a target, as exported on every per-target series. */
export type TargetLabels = { tld: string } | { registrar_id: string };

/** Stable key for maps: `ry/example`, `rr/9999`. */
export function targetKey(target: Pick<Target, "entity" | "id">): string {
  return `${target.entity}/${target.id}`;
}

/** The `tld` or `registrar_id` label of a target. */
export function targetLabels(target: Pick<Target, "entity" | "id">): TargetLabels {
  return target.entity === "ry" ? { tld: target.id } : { registrar_id: target.id };
}

/** Human wording for messages and logs: `TLD example`, `registrar 9999`. */
export function describeTarget(target: Pick<Target, "entity" | "id">): string {
  return target.entity === "ry" ? `TLD ${target.id}` : `registrar ${target.id}`;
}
