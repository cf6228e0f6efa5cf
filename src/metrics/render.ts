/**
 * What `/metrics` serves: the snapshot-derived families, encoded once per snapshot version and
 * cached (the snapshot is immutable, so the bytes cannot go stale; between versions only the
 * changed targets are rendered again), followed by the exporter's own metrics, rendered per
 * scrape because counters move between snapshots.
 */
import type { Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import type { SnapshotStore } from "../snapshot/store.js";
import { targetKey } from "../mosapi/target.js";
import { GzipBlocks, gzipMemberSync } from "./gzip-blocks.js";
import type { SelfMetrics } from "./self-metrics.js";
import { SnapshotRenderer } from "./snapshot-renderer.js";

/** Targets {@link MetricsRenderer.prepare} renders per turn of the event loop (about 15 ms). */
export const PREPARE_BATCH = 64;

/** Builds the `/metrics` body on demand. */
export class MetricsRenderer {
  #cached: { version: number; chunks: readonly Buffer[] } | undefined;
  readonly #snapshots: SnapshotRenderer;
  readonly #gzip: GzipBlocks;
  readonly #snapshot: () => Snapshot;
  readonly #self: SelfMetrics;
  /** Entries to render ahead of the next scrape, the newest per target. */
  readonly #pending = new Map<string, TargetSnapshot>();
  #scheduled = false;
  /** Whether a gzip scrape has been seen: only then does {@link prepare} compress ahead. */
  #gzipWanted = false;

  /**
   * @param snapshot the current snapshot
   * @param self the exporter's own metrics
   * @param snapshots renders the snapshot families (one is made when not given)
   * @param gzip compresses their chunks for {@link renderGzip} (one is made when not given)
   */
  constructor(
    snapshot: () => Snapshot,
    self: SelfMetrics,
    snapshots: SnapshotRenderer = new SnapshotRenderer(),
    gzip: GzipBlocks = new GzipBlocks(),
  ) {
    this.#snapshot = snapshot;
    this.#self = self;
    this.#snapshots = snapshots;
    this.#gzip = gzip;
  }

  /**
   * The full exposition as UTF-8 chunks to send in order: the cached snapshot families (the
   * same Buffers until the snapshot version changes; never modify them), then the own
   * metrics as the last chunk. Never calls MoSAPI.
   */
  async render(): Promise<readonly Buffer[]> {
    return [...this.#snapshotChunks(), Buffer.from(await this.#self.render(), "utf8")];
  }

  /**
   * {@link render} gzipped: one gzip file of several members (see gzip-blocks.ts), as Buffers to
   * send in order: the snapshot families' members, compressed once per chunk and joined once
   * per snapshot version (the same Buffer until it changes), then the own metrics, compressed
   * per scrape. From the first call on, {@link prepare} compresses changed chunks ahead of the
   * next scrape too.
   */
  async renderGzip(): Promise<readonly Buffer[]> {
    this.#gzipWanted = true;
    const families = this.#gzip.join(this.#snapshotChunks());
    const self = gzipMemberSync(Buffer.from(await this.#self.render(), "utf8"));
    return [families, self];
  }

  /** The snapshot families' chunks: the same array until the snapshot version changes. */
  #snapshotChunks(): readonly Buffer[] {
    const current = this.#snapshot();
    if (this.#cached?.version !== current.version) {
      this.#cached = { version: current.version, chunks: this.#snapshots.renderChunks(current) };
    }
    return this.#cached.chunks;
  }

  /** The full exposition text, as {@link render} sends it. */
  async renderText(): Promise<string> {
    return Buffer.concat(await this.render()).toString("utf8");
  }

  /**
   * Renders `entries` (new in the store: feed it from `SnapshotStore.onChange`) on later turns
   * of the event loop, batched with whatever else changed meanwhile, at most
   * {@link PREPARE_BATCH} targets a turn. A target is then rendered as its refresh lands
   * rather than on the next scrape: after a round that changed every target, that scrape would
   * otherwise render them all (240 ms at 1,000 targets) while Prometheus waits. Batches keep a
   * reload, which changes every entry at once, from blocking the loop for as long. Once
   * everything pending is rendered, and if gzip has been asked for ({@link renderGzip}), the
   * snapshot's chunks are built and the changed ones compressed, a slice per turn
   * (`COMPRESS_SLICE_BYTES`), so the next gzip scrape finds its members ready rather than
   * compressing them while Prometheus waits. The output is the same either way.
   */
  prepare(entries: readonly TargetSnapshot[]): void {
    for (const entry of entries) this.#pending.set(targetKey(entry.target), entry);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#drain();
    }).unref();
  }

  #drain(): void {
    let budget = PREPARE_BATCH;
    for (const [key, entry] of this.#pending) {
      if (budget-- === 0) break;
      this.#pending.delete(key);
      try {
        this.#snapshots.prepare(entry);
      } catch {
        // Left for the scrape, which renders the entry again and answers 500 with the error.
      }
    }
    this.#scheduled = false;
    if (this.#pending.size > 0) this.prepare([]);
    else if (this.#gzipWanted && !this.#compressAhead()) this.prepare([]);
  }

  /**
   * Compresses a slice of the current snapshot's chunks that have no member yet; whether none
   * is left.
   */
  #compressAhead(): boolean {
    try {
      return this.#gzip.compressAhead(this.#snapshotChunks());
    } catch {
      // Left for the scrape, which meets the error again and answers 500.
      return true;
    }
  }
}

/**
 * The renderer of `store`'s snapshots, as the exporter runs it: every change is rendered ahead
 * of the next scrape ({@link MetricsRenderer.prepare}).
 */
export function storeRenderer(store: SnapshotStore, self: SelfMetrics): MetricsRenderer {
  const renderer = new MetricsRenderer(() => store.current(), self);
  store.onChange((entries) => {
    renderer.prepare(entries);
  });
  return renderer;
}
