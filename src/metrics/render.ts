/**
 * What `/metrics` serves: the snapshot-derived families, encoded once per snapshot version and
 * cached (the snapshot is immutable, so the bytes cannot go stale; between versions only the
 * changed targets are rendered again), followed by the exporter's own metrics, rendered per
 * scrape because counters move between snapshots.
 */
import type { Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import type { SnapshotStore } from "../snapshot/store.js";
import { targetKey } from "../mosapi/target.js";
import { systemClock, type Clock } from "../util/clock.js";
import { GzipBlocks, gzipMemberSync } from "./gzip-blocks.js";
import type { SelfMetrics } from "./self-metrics.js";
import { SnapshotRenderer } from "./snapshot-renderer.js";

/** Targets {@link MetricsRenderer.prepare} renders per turn of the event loop (about 15 ms). */
export const PREPARE_BATCH = 64;

/**
 * When, as a share of the time between the last two gzip scrapes, the changed chunks are
 * compressed ahead of the next one. Compressing every change as it lands cost 14.7 % of a core
 * at a 1,000-target fleet's 30 changes a second and 37 % during a cold start, most of it for
 * chunks that changed again before any scrape read them; one pass per scrape, late in the
 * interval, leaves the scrape only the chunks changed in the last tenth of it.
 */
export const COMPRESS_AHEAD_AT = 0.9;

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
  readonly #clock: Clock;
  /** When the last two gzip scrapes came: the rhythm compressing ahead is timed by. */
  #gzipScrapes: { last: number; gap?: number } | undefined;
  /** Whether a compress-ahead pass is waiting for its time or running. */
  #compressing = false;
  /** Wakes a waiting pass to time itself again (after a scrape). */
  #wake: AbortController | undefined;

  /**
   * @param snapshot the current snapshot
   * @param self the exporter's own metrics
   * @param snapshots renders the snapshot families (one is made when not given)
   * @param gzip compresses their chunks for {@link renderGzip} (one is made when not given)
   * @param clock times compressing ahead of the next gzip scrape
   */
  constructor(
    snapshot: () => Snapshot,
    self: SelfMetrics,
    snapshots: SnapshotRenderer = new SnapshotRenderer(),
    gzip: GzipBlocks = new GzipBlocks(),
    clock: Clock = systemClock,
  ) {
    this.#snapshot = snapshot;
    this.#self = self;
    this.#snapshots = snapshots;
    this.#gzip = gzip;
    this.#clock = clock;
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
   * per scrape. From the second call on, the chunks changed since are compressed ahead of the
   * next scrape too, once per scrape: at {@link COMPRESS_AHEAD_AT} of the time between the last
   * two.
   */
  async renderGzip(): Promise<readonly Buffer[]> {
    const now = this.#clock.now();
    const previous = this.#gzipScrapes?.last;
    this.#gzipScrapes =
      previous === undefined ? { last: now } : { last: now, gap: Math.max(0, now - previous) };
    this.#wake?.abort();
    this.#compressAheadLater();
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
   * reload, which changes every entry at once, from blocking the loop for as long. Compressing
   * is timed by the scrapes, not by the changes ({@link renderGzip}). The output is the same
   * either way.
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
  }

  /**
   * Once per gzip scrape, when the rhythm of the scrapes is known: waits until
   * {@link COMPRESS_AHEAD_AT} of the last gap has passed since the last scrape (a scrape that
   * comes meanwhile times it again), then builds the snapshot's chunks and compresses
   * those without a member, a slice per turn (`COMPRESS_SLICE_BYTES`), so that the next scrape
   * finds them ready rather than compressing them while Prometheus waits.
   */
  #compressAheadLater(): void {
    if (this.#compressing || this.#gzipScrapes?.gap === undefined) return;
    this.#compressing = true;
    const pass = async (): Promise<number> => {
      for (;;) {
        const { last, gap = 0 } = this.#gzipScrapes ?? { last: 0 };
        const wait = last + COMPRESS_AHEAD_AT * gap - this.#clock.now();
        if (wait <= 0) {
          // The chunks of this moment: a pass ends even while changes keep landing.
          const chunks = this.#chunksOrNone();
          while (!this.#gzip.compressAhead(chunks)) {
            await new Promise((resolve) => setImmediate(resolve));
          }
          return last;
        }
        const wake = new AbortController();
        this.#wake = wake;
        await this.#clock.sleep(wait, wake.signal).catch(() => undefined);
        this.#wake = undefined;
      }
    };
    void pass().then(
      (timedFrom) => {
        this.#compressing = false;
        // A scrape that came while the slices ran has its own pass to come.
        if (this.#gzipScrapes?.last !== timedFrom) this.#compressAheadLater();
      },
      () => {
        // Compressing ahead only saves the scrape time: the scrape compresses what is left.
        this.#compressing = false;
      },
    );
  }

  /** The current snapshot's chunks, or none when they cannot be built. */
  #chunksOrNone(): readonly Buffer[] {
    try {
      return this.#snapshotChunks();
    } catch {
      // Left for the scrape, which meets the error again and answers 500.
      return [];
    }
  }
}

/**
 * The renderer of `store`'s snapshots, as the exporter runs it: every change is rendered ahead
 * of the next scrape ({@link MetricsRenderer.prepare}).
 */
export function storeRenderer(
  store: SnapshotStore,
  self: SelfMetrics,
  clock: Clock = systemClock,
): MetricsRenderer {
  const renderer = new MetricsRenderer(() => store.current(), self, undefined, undefined, clock);
  store.onChange((entries) => {
    renderer.prepare(entries);
  });
  return renderer;
}
