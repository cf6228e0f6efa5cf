/**
 * What `/metrics` serves: the snapshot-derived families, rendered once per snapshot version and
 * cached (the snapshot is immutable, so the text cannot go stale), followed by the exporter's
 * own metrics, rendered per scrape because counters move between snapshots.
 */
import type { Snapshot } from "../collectors/snapshot.js";
import type { SelfMetrics } from "./self-metrics.js";
import { renderSnapshot } from "./snapshot-metrics.js";

/** Builds the `/metrics` body on demand. */
export class MetricsRenderer {
  #cached: { version: number; text: Promise<string> } | undefined;

  constructor(
    private readonly snapshot: () => Snapshot,
    private readonly self: SelfMetrics,
  ) {}

  /** The full exposition text; never calls MoSAPI. */
  async render(): Promise<string> {
    const current = this.snapshot();
    if (this.#cached?.version !== current.version) {
      this.#cached = { version: current.version, text: renderSnapshot(current) };
    }
    const [derived, own] = await Promise.all([this.#cached.text, this.self.render()]);
    return derived + own;
  }
}
