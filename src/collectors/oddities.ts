/**
 * What happens to the odd parts of upstream answers (METRICS.md#odd-parts-of-answers: nothing silent): each is
 * counted (`mosapi_upstream_oddities_total`), logged once per target, endpoint and shape with
 * its path, and kept in the target's snapshot entry for the target page. A resource's entries
 * are replaced by those of its next answer, so a shape MoSAPI stops sending leaves the page.
 */
import type { Logger } from "../log/logger.js";
import type { Oddity } from "../mosapi/oddities.js";
import { describeTarget, targetKey, type Target } from "../mosapi/target.js";
import type { OddPart, TargetSnapshot } from "../snapshot/snapshot.js";
import type { SnapshotStore } from "../snapshot/store.js";
import type { Clock } from "../util/clock.js";

/** Most odd parts a target's entry keeps (the most recent ones). */
export const MAX_ODD_PARTS_PER_TARGET = 50;
/** Most shapes remembered as logged; beyond it a shape may be logged again (bounded memory). */
const MAX_LOGGED_SHAPES = 10_000;

/** `testedServices.DNS.incidents[3].startTime` → `testedServices.DNS.incidents[].startTime`. */
export function shapeOf(path: string): string {
  return path.replace(/\[\d+\]/g, "[]");
}

/** What the book needs. */
export interface OddityBookDependencies {
  readonly store: SnapshotStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Counts one odd part (the exporter's counter). */
  readonly count: (target: Target, oddity: Oddity) => void;
}

/** Receives every parsed answer's oddities (the client's `onOddities`). */
export class OddityBook {
  readonly #logged = new Set<string>();
  readonly #deps: OddityBookDependencies;

  constructor(deps: OddityBookDependencies) {
    this.#deps = deps;
  }

  /** Records the oddities of one answer of `resource` for `target` (none clears the resource's). */
  record(event: { target: Target; resource: string; oddities: readonly Oddity[] }): void {
    const { target, resource, oddities } = event;
    const previous = this.#deps.store.entry(target)?.oddities;
    if (oddities.length === 0 && !previous?.some((part) => part.resource === resource)) return;
    for (const oddity of oddities) {
      this.#deps.count(target, oddity);
      this.#logOnce(target, oddity);
    }
    const now = this.#deps.clock.now();
    this.#deps.store.update(target, (entry) => {
      const before = entry.oddities ?? [];
      const fresh: OddPart[] = oddities.map((oddity) => {
        const seen = before.find(
          (part) =>
            part.resource === resource &&
            part.reason === oddity.reason &&
            part.path === oddity.path,
        );
        return { ...oddity, resource, count: (seen?.count ?? 0) + 1, lastSeenAt: now };
      });
      const kept = [...before.filter((part) => part.resource !== resource), ...fresh]
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
        .slice(0, MAX_ODD_PARTS_PER_TARGET);
      const next: TargetSnapshot = { ...entry, oddities: kept };
      if (kept.length === 0) delete (next as { oddities?: unknown }).oddities;
      return next;
    });
  }

  #logOnce(target: Target, oddity: Oddity): void {
    const key = `${targetKey(target)}\n${oddity.endpoint}\n${oddity.reason}\n${shapeOf(oddity.path)}`;
    if (this.#logged.has(key)) return;
    if (this.#logged.size >= MAX_LOGGED_SHAPES) this.#logged.clear();
    this.#logged.add(key);
    this.#deps.logger.warn(
      {
        target: describeTarget(target),
        endpoint: oddity.endpoint,
        reason: oddity.reason,
        path: oddity.path,
      },
      `odd part in a MoSAPI answer (${oddity.reason} at ${oddity.path}): it cost only itself, the rest of the answer is used`,
    );
  }
}
