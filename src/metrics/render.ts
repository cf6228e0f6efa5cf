/**
 * What `/metrics` serves: the snapshot-derived families, encoded once per snapshot version and
 * cached (the snapshot is immutable, so the bytes cannot go stale; between versions only the
 * changed targets are rendered again), followed by the exporter's own metrics, rendered per
 * scrape because counters move between snapshots.
 */
import type { Snapshot } from "../collectors/snapshot.js";
import type { SelfMetrics } from "./self-metrics.js";
import { SnapshotRenderer } from "./snapshot-metrics.js";

/** Builds the `/metrics` body on demand. */
export class MetricsRenderer {
  #cached: { version: number; bytes: Buffer } | undefined;
  readonly #snapshots: SnapshotRenderer;

  /**
   * @param snapshot the current snapshot
   * @param self the exporter's own metrics
   * @param snapshots renders the snapshot families (one is made when not given)
   */
  constructor(
    private readonly snapshot: () => Snapshot,
    private readonly self: SelfMetrics,
    snapshots: SnapshotRenderer = new SnapshotRenderer(),
  ) {
    this.#snapshots = snapshots;
  }

  /**
   * The full exposition as UTF-8 chunks to send in order: the cached snapshot families (the
   * same Buffer until the snapshot version changes; never modify it), then the own metrics.
   * Never calls MoSAPI.
   */
  async render(): Promise<readonly Buffer[]> {
    const current = this.snapshot();
    if (this.#cached?.version !== current.version) {
      this.#cached = {
        version: current.version,
        bytes: Buffer.from(this.#snapshots.render(current), "utf8"),
      };
    }
    const derived = this.#cached.bytes;
    return [derived, Buffer.from(await this.self.render(), "utf8")];
  }

  /** The full exposition text, as {@link render} sends it. */
  async renderText(): Promise<string> {
    return Buffer.concat(await this.render()).toString("utf8");
  }
}
