/**
 * Which due refresh goes first when MoSAPI capacity is short (lower first). `state` decides
 * `mosapi_up`, readiness and the board, so it is never held back (METRICS.md#odd-parts-of-answers); incidents and
 * measurements explain a failing service; alarmed and downtime follow; METRICA and
 * troubleshooting data change slowly. A collector missing here ranks last.
 */
export const COLLECTOR_PRIORITY: Readonly<Record<string, number>> = {
  state: 0,
  incidents: 1,
  measurements: 1,
  alarmed: 2,
  downtime: 2,
  metrica: 3,
  troubleshooting: 3,
};

/** The rank below every listed collector. */
const UNLISTED = 4;

/** The priority of `collector`: 0 for `state`, higher numbers wait longer. */
export function collectorPriority(collector: string): number {
  return COLLECTOR_PRIORITY[collector] ?? UNLISTED;
}

/** True for the collector that is never queued behind the others (`state`). */
export function isUrgent(collector: string): boolean {
  return collectorPriority(collector) === 0;
}
