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
import { releaseBuffer } from "./release.js";
import type { SelfMetrics } from "./self-metrics.js";
import { SnapshotRenderer } from "./snapshot-renderer.js";

/** Targets a pass renders ahead per turn of the event loop, for identity scrapers. */
export const PREPARE_BATCH = 64;

/**
 * When, as a share of the time between the last two scrapes, the work ahead of the next scrape
 * is done: rendering the targets changed since the last one and, for gzip scrapers, compressing
 * the chunks that changed. Done as each change landed, it cost 14.7 % of a core between scrapes
 * at a 1,000-target fleet's 30 changes a second, and 25 s of CPU during a cold start with a
 * gzip scrape every 15 s (BENCHMARKS.md), most of it for targets that changed again before any
 * scrape read them. One pass per scrape, late in the interval, leaves the scrape only what
 * changed in the last tenth of it.
 */
export const AHEAD_AT = 0.9;

/** Builds the `/metrics` body on demand. */
export class MetricsRenderer {
  #cached: { version: number; chunks: readonly Buffer[] } | undefined;
  readonly #snapshots: SnapshotRenderer;
  readonly #gzip: GzipBlocks;
  readonly #snapshot: () => Snapshot;
  readonly #self: SelfMetrics;
  readonly #clock: Clock;
  /** Entries to render ahead of the next scrape, the newest per target. */
  readonly #pending = new Map<string, TargetSnapshot>();
  /** When the last two scrapes came: the rhythm the work ahead is timed by. */
  #scrapes: { last: number; gap?: number } | undefined;
  /** Whether a gzip scrape has been seen: only then does a pass compress ahead. */
  #gzipWanted = false;
  /** Whether a pass is waiting for its time or running. */
  #passing = false;
  /** Wakes a waiting pass to time itself again (after a scrape). */
  #wake: AbortController | undefined;
  /** What {@link sent} calls for each list {@link render} returned and not yet sent. */
  readonly #sending = new WeakMap<readonly Uint8Array[], () => void>();

  /**
   * @param snapshot the current snapshot
   * @param self the exporter's own metrics
   * @param snapshots renders the snapshot families (when not given, one that gives the blocks
   *   it replaces back at once: this class reads a render's chunks only until the next, and
   *   holds those an identity scrape sends)
   * @param gzip compresses their chunks for {@link renderGzip} (one is made when not given)
   * @param clock times the work ahead of the next scrape
   */
  constructor(
    snapshot: () => Snapshot,
    self: SelfMetrics,
    snapshots: SnapshotRenderer = new SnapshotRenderer(undefined, { releaseReplaced: true }),
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
   * same Buffers until the snapshot version changes; never modify them) or, once a gzip
   * scrape has packed their blocks, those families inflated into one Buffer; then the own
   * metrics as the last chunk. Never calls MoSAPI. Pass the list to {@link sent} once it is
   * no longer read.
   */
  async render(): Promise<readonly Buffer[]> {
    this.#scraped();
    const chunks = this.#snapshotChunks();
    if (chunks.some((chunk) => chunk.byteLength === 0)) return this.#renderPacked(chunks);
    // Sent after an await, and for as long as the client reads: a later render must not give
    // their memory back before `sent`.
    const release = this.#snapshots.hold();
    const all = [...chunks, Buffer.from(await this.#self.render(), "utf8")];
    this.#sending.set(all, release);
    return all;
  }

  /**
   * {@link render} when some of the blocks are kept only as gzip members (a gzip scrape
   * packed them): the families inflated from the gzip file into one Buffer, given back at
   * {@link sent}. 40 ms of CPU at 1,000 targets (Node 20; BENCHMARKS.md, section 4);
   * Prometheus scrapes with gzip.
   */
  async #renderPacked(chunks: readonly Buffer[]): Promise<readonly Buffer[]> {
    const families = this.#gzip.inflate(chunks);
    const all = [families, Buffer.from(await this.#self.render(), "utf8")];
    this.#sending.set(all, () => {
      releaseBuffer(families);
    });
    return all;
  }

  /**
   * Says that the chunks of a {@link render} are no longer read (the response was handed to
   * the kernel, or its connection is gone): the blocks later renders replaced are given back
   * now, not when V8 next collects their Buffers. Without it an identity scrape kept a
   * second copy of the body (7–11 MB at 1,000 targets) until V8's next full collection
   * (BENCHMARKS.md, section 4). Unknown lists, and a second call, do nothing.
   */
  sent(chunks: readonly Uint8Array[]): void {
    const release = this.#sending.get(chunks);
    this.#sending.delete(chunks);
    release?.();
  }

  /**
   * {@link render} gzipped: one gzip file of several members (see gzip-blocks.ts), as Buffers to
   * send in order: the snapshot families' members, compressed once per chunk and joined once
   * per snapshot version (the same Buffer until it changes), then the own metrics, compressed
   * per scrape. From then on, the passes ahead of the scrapes compress too.
   */
  async renderGzip(): Promise<readonly Buffer[]> {
    this.#gzipWanted = true;
    this.#scraped();
    const families = this.#gzip.join(this.#snapshotChunks());
    this.#pack();
    const self = gzipMemberSync(Buffer.from(await this.#self.render(), "utf8"));
    return [families, self];
  }

  /** The snapshot families' chunks: the same array until the snapshot version changes. */
  #snapshotChunks(): readonly Buffer[] {
    const current = this.#snapshot();
    if (this.#cached?.version !== current.version) {
      // Once gzip is wanted, every new block is kept only as its chunks' gzip members.
      const packInto = this.#gzipWanted ? this.#gzip : undefined;
      this.#cached = {
        version: current.version,
        chunks: this.#snapshots.renderChunks(current, packInto),
      };
    }
    return this.#cached.chunks;
  }

  /** The full exposition text, as {@link render} sends it. */
  async renderText(): Promise<string> {
    const chunks = await this.render();
    const text = Buffer.concat(chunks).toString("utf8");
    this.sent(chunks);
    return text;
  }

  /**
   * Notes `entries` (new in the store: feed it from `SnapshotStore.onChange`) for the next pass
   * ahead of a scrape, the newest per target. Once two scrapes have shown their rhythm, a pass
   * runs at {@link AHEAD_AT} of the time between the last two after the last one. For gzip
   * scrapers it builds the snapshot's chunks, rendering the noted targets and compressing each
   * new block's chunks as the block is built, and joins the members into the body, in one turn
   * of the event loop. For identity scrapers it renders the noted targets, at most
   * {@link PREPARE_BATCH} a turn, for the scrape's render to copy. After a round that changed
   * every target, the scrape would otherwise render them all and compress the body while
   * Prometheus waits. Without scrapes nothing is done ahead. The output is the same either way.
   */
  prepare(entries: readonly TargetSnapshot[]): void {
    for (const entry of entries) this.#pending.set(targetKey(entry.target), entry);
  }

  /** A scrape is being answered: notes its time and times the next pass by it. */
  #scraped(): void {
    const now = this.#clock.now();
    const previous = this.#scrapes?.last;
    this.#scrapes =
      previous === undefined ? { last: now } : { last: now, gap: Math.max(0, now - previous) };
    // This scrape renders the current snapshot, which holds every noted entry that is still
    // current.
    this.#pending.clear();
    this.#wake?.abort();
    this.#passLater();
  }

  /**
   * Once per scrape, when the rhythm of the scrapes is known: waits until {@link AHEAD_AT} of
   * the last gap has passed since the last scrape (a scrape that comes meanwhile times it
   * again), then does the work ahead (see {@link prepare}).
   */
  #passLater(): void {
    if (this.#passing || this.#scrapes?.gap === undefined) return;
    this.#passing = true;
    const pass = async (): Promise<number> => {
      for (;;) {
        const { last, gap = 0 } = this.#scrapes ?? { last: 0 };
        const wait = last + AHEAD_AT * gap - this.#clock.now();
        if (wait <= 0) {
          await this.#ahead();
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
        this.#passing = false;
        // A scrape that came while the pass ran has its own pass to come.
        if (this.#scrapes?.last !== timedFrom) this.#passLater();
      },
      () => {
        // The work ahead only saves the scrape time: the scrape does what is left.
        this.#passing = false;
      },
    );
  }

  /**
   * For gzip scrapers, builds the chunks, compressing and packing each new block as it is
   * built, then joins the members into the body the scrape will send; for identity scrapers,
   * renders the noted targets, a batch a turn.
   */
  async #ahead(): Promise<void> {
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // The entries noted by now: a pass ends even while changes keep landing.
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    if (!this.#gzipWanted) {
      for (let start = 0; start < entries.length; start += PREPARE_BATCH) {
        if (start > 0) await turn();
        // An entry that fails to render is left for the scrape, which answers 500 with it.
        this.#snapshots.prepare(entries.slice(start, start + PREPARE_BATCH));
      }
      return;
    }
    // The chunks at once, in one turn, not from batches rendered a turn each: the batches held
    // the noted targets' lines beside the blocks until this render copied them, a second copy
    // of the body (10 MB at the passes of a 1,000-target cold start), while a render builds
    // each new block from the entries, compresses its chunks and keeps it only compressed
    // (snapshot-renderer.ts). Compressed in slices a turn after the render, the new blocks
    // were all held raw until the last slice: the body's text (7.4 MB for the bench's 1,000
    // targets) on top of everything else at each pass of a cold start, its peak (BENCHMARKS.md,
    // section 4, tenth session). A pass usually renders the few targets that changed.
    const chunks = this.#chunksOrNone();
    // Joining now, not at the scrape, lets go of the last scrape's body and chunks, and with
    // them of the blocks they are views of. Without it two generations of blocks were alive
    // from here to the scrape: 10 of the 21 MB of live Buffers at full data of a 1,000-target
    // cold start (BENCHMARKS.md, section 4). Not when none could be built.
    if (chunks.length > 0) {
      this.#gzip.join(chunks);
      this.#pack();
    }
  }

  /**
   * Once the chunks' members are joined, keeps the blocks only as those members: their raw
   * text (7.4 MB for the bench's 1,000 targets, 10.7 MB for a real fleet's) goes back, and
   * comes back for a block only while a render copies from it (snapshot-renderer.ts) or for
   * an identity scrape ({@link render}). The blocks built since gzip was wanted are kept so
   * as they are built; this packs the others (built before, or held by an identity scrape).
   */
  #pack(): void {
    this.#snapshots.pack(this.#gzip);
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
 * The renderer of `store`'s snapshots, as the exporter runs it: the targets each change brings
 * are rendered ahead of the next scrape, once per scrape ({@link MetricsRenderer.prepare}).
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
