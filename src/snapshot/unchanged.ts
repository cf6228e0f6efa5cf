/**
 * An entry's data that did not change keeps its objects. A refresh parses MoSAPI's answer into
 * new objects even when it says what the last one said, which for the data families polled
 * every few minutes is nearly always. Swapped in anyway, each round turned the previous
 * generation of parsed data, long since promoted to V8's old generation, into garbage there,
 * and the old generation grew by up to its collection threshold before a full collection: at
 * 1,000 TLDs, the second round of the 5-minute collectors was the exporter's peak
 * (BENCHMARKS.md, section 4, tenth session). Kept, the new objects die young instead.
 */
import { util } from "../util/builtins.js";
import type { TargetSnapshot } from "./snapshot.js";

/**
 * `next`, except that each field whose value equals `previous`'s (deeply, as
 * `util.isDeepStrictEqual` compares) holds `previous`'s value itself; `next` itself when no
 * field does. Never changes what the entry says, only which objects say it.
 */
export function keepUnchanged(previous: TargetSnapshot, next: TargetSnapshot): TargetSnapshot {
  if (next === previous) return next;
  let kept: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(next)) {
    const old: unknown = previous[key as keyof TargetSnapshot];
    if (value === old || typeof value !== "object" || value === null) continue;
    if (old === undefined || old === null || !util.isDeepStrictEqual(value, old)) continue;
    kept ??= { ...next };
    kept[key] = old;
  }
  return kept === undefined ? next : (kept as unknown as TargetSnapshot);
}
