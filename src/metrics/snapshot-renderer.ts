/**
 * Snapshot → MoSAPI-derived metric families in the text format, cached. Each target's lines are
 * rendered once per entry object and kept as bytes until the entry leaves the snapshot: the
 * store replaces only the entry that changed (copy on write), so after a refresh only that
 * target is rendered again. What the series are is snapshot-series.ts's business; this file
 * decides only how they become bytes.
 */
import type { Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import { targetKey } from "../mosapi/target.js";
import { familyHeader, FamilyWriter } from "./exposition.js";
import { SNAPSHOT_METRICS } from "./names.js";
import { releaseBuffer } from "./release.js";
import {
  addTarget,
  addTraces,
  FAMILY_KEYS,
  REPEATABLE_PER_TARGET,
  type FamilyKey,
} from "./snapshot-series.js";

const HEADERS = FAMILY_KEYS.map((key) => familyHeader(SNAPSHOT_METRICS[key]));
const FAMILY_COUNT = FAMILY_KEYS.length;

/**
 * A writer per family. `perTarget`: for one target at a time ({@link SnapshotRenderer}'s
 * cached renders), where only {@link REPEATABLE_PER_TARGET} families need to look for
 * repeated series; otherwise every family does (two entries for one target, or traces).
 */
function newFamilies(perTarget = false): Record<FamilyKey, FamilyWriter> {
  return Object.fromEntries(
    FAMILY_KEYS.map((key) => [
      key,
      new FamilyWriter(SNAPSHOT_METRICS[key].name, {
        distinct: perTarget && !REPEATABLE_PER_TARGET.has(key),
      }),
    ]),
  ) as Record<FamilyKey, FamilyWriter>;
}

/** The sample lines of one or more targets, per family in {@link FAMILY_KEYS} order ("" if none). */
type Lines = readonly string[];

/**
 * The lines of `entries`, from `families`, which are left empty for the next call, also when
 * an entry fails to render.
 */
function linesOf(
  entries: readonly TargetSnapshot[],
  families: Record<FamilyKey, FamilyWriter> = newFamilies(),
): Lines {
  try {
    for (const entry of entries) addTarget(families, entry);
  } catch (err) {
    for (const key of FAMILY_KEYS) families[key].take();
    throw err;
  }
  return FAMILY_KEYS.map((key) => families[key].take());
}

/** The lines of the families shared by targets (traces), from the whole snapshot. */
function sharedLinesOf(entries: readonly TargetSnapshot[]): Lines {
  const families = newFamilies();
  addTraces(families, entries);
  return FAMILY_KEYS.map((key) => families[key].take());
}

/** A block's bytes per family in {@link FAMILY_KEYS} order (undefined if none). */
type Encoded = readonly (Buffer | undefined)[];

/**
 * A run of consecutive targets of the last snapshot rendered, their lines held once: as UTF-8
 * in one Buffer, family by family and, within a family, target by target, so that each
 * family's lines are one view of it (a chunk of the body).
 */
interface Block {
  /**
   * Each target's token ({@link SnapshotRenderer}'s `#ids`), which tells whether its entry
   * changed; holding the entries instead would keep a whole generation of parsed MoSAPI data
   * alive.
   */
  readonly ids: readonly number[];
  /** Empty once given back ({@link SnapshotRenderer.pack}); restored from its chunks' store. */
  readonly bytes: Buffer;
  /**
   * Where the lines of target `i` in family `f` start in {@link bytes}: at `f × n + i` (n
   * targets); they end where the next range starts (the last element is the total length).
   */
  readonly offsets: Uint32Array;
  readonly encoded: Encoded;
}

/** A target's lines in an older block (or batch), and its token. */
interface Copy {
  readonly id: number;
  readonly block: Block;
  readonly index: number;
}

/** Where a target's lines come from when its block is built: rendered, or an older block. */
type Source = { readonly lines: Lines } | Copy;

/** A target's source and token. */
type Placed = Source & { readonly id: number };

/**
 * How a render gets one block: the old block whose targets all sit where they sat, or each
 * target's lines from an older block or batch, or from rendering its entry.
 */
type Plan =
  | { readonly block: Block }
  | { readonly sources: readonly (Copy | { readonly entry: TargetSnapshot })[] };

/** The range of target `index`'s lines of `family` in `block`'s bytes. */
function rangeOf(block: Block, family: number, index: number): [number, number] {
  const at = family * block.ids.length + index;
  return [block.offsets[at] ?? 0, block.offsets[at + 1] ?? 0];
}

function byteLengthOf(source: Source, family: number): number {
  if ("lines" in source) return Buffer.byteLength(source.lines[family] ?? "", "utf8");
  const [start, end] = rangeOf(source.block, family, source.index);
  return end - start;
}

/**
 * The lines of consecutive targets, from `sources`, in one allocation: the unchanged targets'
 * bytes copied from the block that held them, the others' lines encoded. One Buffer per block
 * built, never one per target and refresh: that would churn the native allocator, whose freed
 * memory stays in the RSS.
 */
function layout(
  sources: readonly Source[],
  bytesOf: (block: Block) => Buffer = (block) => block.bytes,
): Omit<Block, "ids"> {
  const n = sources.length;
  const offsets = new Uint32Array(FAMILY_COUNT * n + 1);
  let total = 0;
  for (let family = 0; family < FAMILY_COUNT; family++) {
    sources.forEach((source, index) => {
      offsets[family * n + index] = total;
      total += byteLengthOf(source, family);
    });
  }
  offsets[FAMILY_COUNT * n] = total;
  const bytes = Buffer.allocUnsafeSlow(total);
  for (let family = 0; family < FAMILY_COUNT; family++) {
    sources.forEach((source, index) => {
      const at = offsets[family * n + index] ?? 0;
      if ("lines" in source) {
        bytes.write(source.lines[family] ?? "", at, "utf8");
      } else {
        const [start, end] = rangeOf(source.block, family, source.index);
        bytesOf(source.block).copy(bytes, at, start, end);
      }
    });
  }
  const encoded = FAMILY_KEYS.map((_key, family) => {
    const start = offsets[family * n] ?? 0;
    const end = offsets[(family + 1) * n] ?? 0;
    return end > start ? bytes.subarray(start, end) : undefined;
  });
  return { bytes, offsets, encoded };
}

/** A block of the placed targets, in order: their tokens and their lines laid out. */
function blockOf(placed: readonly Placed[], bytesOf?: (block: Block) => Buffer): Block {
  return { ids: placed.map(({ id }) => id), ...layout(placed, bytesOf) };
}

/** `lines` encoded as UTF-8, one view per family (undefined where it has no series). */
function encode(lines: Lines): Encoded {
  return layout([{ lines }]).encoded;
}

/** Each family's `# HELP`/`# TYPE` lines, alone (the first family) and after a blank line. */
const HEADER_BYTES = HEADERS.map((header) => Buffer.from(header, "utf8"));
const SEPARATED_HEADER_BYTES = HEADERS.map((header) => Buffer.from(`\n${header}`, "utf8"));
/** prom-client prints an empty registry as a single newline. */
const EMPTY = Buffer.from("\n", "utf8");

/**
 * Two entries for one target would share series, which a per-target rendering cannot merge.
 * The store never holds such a snapshot (targets are unique in the configuration).
 */
function hasDuplicateTargets(snapshot: Snapshot): boolean {
  const keys = new Set(snapshot.targets.map((entry) => targetKey(entry.target)));
  return keys.size !== snapshot.targets.length;
}

function sameIds(a: readonly number[], b: readonly (number | undefined)[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

/** Where each target of `blocks` is, by token. */
function placesIn(blocks: readonly Block[]): Map<number, Copy> {
  const places = new Map<number, Copy>();
  for (const block of blocks) {
    block.ids.forEach((id, index) => places.set(id, { id, block, index }));
  }
  return places;
}

/** `block`'s chunks: its families' ranges that hold lines, in order. */
function chunksOf(block: Block): Buffer[] {
  return block.encoded.filter((chunk) => chunk !== undefined);
}

/**
 * The bytes of a packed `block` again, from `store`: its chunks are its families' ranges, in
 * order and back to back.
 *
 * @throws Error when what `store` gives back is not the block's length
 */
function restore(block: Block, store: ChunkStore): Buffer {
  const length = block.offsets[block.offsets.length - 1] ?? 0;
  const bytes = store.restore(chunksOf(block));
  if (bytes.byteLength !== length) {
    throw new Error(`a packed block restored to ${bytes.byteLength} bytes of ${length}`);
  }
  return bytes;
}

/**
 * Where the chunks of a packed block ({@link SnapshotRenderer.pack}) can be had again: their
 * gzip members (gzip-blocks.ts).
 */
export interface ChunkStore {
  /** Whether `chunk`'s bytes can be had again once its memory is given back. */
  has(chunk: Uint8Array): boolean;
  /** Keeps `chunk`'s bytes (so that {@link has} is true for it), unless it does already. */
  keep(chunk: Uint8Array): void;
  /** The bytes of `chunks`, back to back, again, in a new Buffer (their memory may be gone). */
  restore(chunks: readonly Uint8Array[]): Buffer;
}

/**
 * Renders snapshots, keeping each target's lines (as bytes) for as long as its entry object
 * is in the last snapshot rendered, so rendering the next snapshot costs only its changed
 * entries.
 *
 * The output is a list of chunks, not one body: a family's lines are the targets' lines in
 * order, and the targets are grouped into about √N blocks whose lines are joined, encoded and
 * kept. After one target changes, only its block is built again (√N targets × the
 * families), and a scrape sends 17 × √N chunks with one `writev` instead of building and
 * encoding the whole body (7.7 MB at 1,000 targets) or handing 17 × N pieces to the socket;
 * √N balances those two costs.
 *
 * Each target's lines are held once, as bytes in its block (outside V8's heap), not also as
 * strings per entry: those strings were 8 MB of live heap at 1,000 targets (bench/memory.js:
 * 28 → 20 MB), which V8's heap growth multiplies in the RSS. A block is built again by copying
 * its unchanged targets' byte ranges from the blocks that held them and encoding only the
 * changed targets' lines, so a rendering's strings live only until they are encoded (from
 * {@link prepare}: until its batch is encoded). The price: an entry that leaves the snapshot
 * and comes back is rendered again, its bytes gone with the block that held them; and lines
 * rendered ahead are copied twice, into their batch's Buffer and then into their block, at
 * the next render (at once when gzip is wanted: render.ts builds the chunks ahead then; else
 * with the next scrape).
 *
 * Once every chunk of the body has its gzip member, even the bytes can go ({@link pack}),
 * or each block's as soon as it is built and compressed ({@link renderChunks}): the blocks
 * then live only compressed, and a render inflates a block's bytes back for as long as it
 * copies from them.
 */
export class SnapshotRenderer {
  /**
   * Each rendered entry's token, which blocks record instead of the entry; held weakly, so an
   * entry that leaves the store takes its token with it.
   */
  readonly #ids = new WeakMap<TargetSnapshot, number>();
  #nextId = 0;
  /**
   * Lines rendered ahead by {@link prepare} and not yet encoded into a block, by target: only
   * the newest entry's (an older one's are dropped, never accumulated), and none of them
   * past the next {@link renderChunks}.
   */
  readonly #prepared = new Map<string, Copy>();
  /** The blocks {@link prepare} encoded since the last render, all given back by it. */
  #batches: Block[] = [];
  readonly #onTargetRendered: (entry: TargetSnapshot) => void;
  /**
   * The writers every target is rendered with, one per family, emptied after each: a set per
   * target, with its maps and its learnt orders of label names, was about a seventh of what
   * rendering allocated (146 → 126 MB for 1,000 targets).
   */
  readonly #families = newFamilies(true);
  #blocks: readonly Block[] = [];
  /** Blocks whose chunks are still being read ({@link hold}), with how many holds. */
  readonly #held = new WeakMap<Block, number>();
  /** Blocks whose bytes were given back ({@link pack}), with where their chunks are kept. */
  readonly #packed = new WeakMap<Block, ChunkStore>();
  /** The chunks of those blocks, with the same. */
  readonly #packedChunks = new WeakMap<Uint8Array, ChunkStore>();
  readonly #releaseReplaced: boolean;
  readonly #release: (bytes: Buffer) => void;
  /** The shared (trace) families of the last render, and the trace views they came from. */
  #shared: { readonly views: readonly unknown[]; readonly encoded: Encoded } | undefined;

  /**
   * @param onTargetRendered called for every entry actually rendered (not found in the cache)
   * @param options.releaseReplaced give a block's memory back as soon as a render replaces it,
   *   not when V8 next collects it: the chunks of earlier renders, which are views of their
   *   blocks, are then empty after the next render, unless {@link hold} was called after theirs.
   *   For a caller that reads a render's chunks only until the next render (render.ts). The
   *   batches {@link prepare} encodes are given back once rendered into blocks either way (they
   *   are never handed out).
   * @param options.release gives a Buffer's memory back (release.ts; replaced in tests)
   */
  constructor(
    onTargetRendered: (entry: TargetSnapshot) => void = () => {},
    options: { releaseReplaced?: boolean; release?: (bytes: Buffer) => void } = {},
  ) {
    this.#onTargetRendered = onTargetRendered;
    this.#releaseReplaced = options.releaseReplaced ?? false;
    this.#release = options.release ?? releaseBuffer;
  }

  /**
   * The MoSAPI-derived families of `snapshot` in the Prometheus text format, as UTF-8 chunks
   * to send in order (never modify them; they are reused by later renders): families in
   * catalogue order (those without series left out), targets in snapshot (configuration)
   * order, services in `SERVICE_TYPES` order (mosapi/models.ts).
   *
   * @param packInto when given, each block this render builds is kept only there: its chunks
   *   handed to {@link ChunkStore.keep} and its bytes given back before the next block is
   *   built (as {@link pack} does), so that a render which rebuilds every block holds one
   *   block's raw bytes at a time, not the body's; the chunks of those blocks are returned
   *   empty
   */
  renderChunks(snapshot: Snapshot, packInto?: ChunkStore): readonly Buffer[] {
    const blocks = hasDuplicateTargets(snapshot)
      ? [encode(linesOf(snapshot.targets))]
      : this.#blocksOf(snapshot.targets, packInto);
    blocks.push(this.#sharedOf(snapshot.targets));
    const chunks: Buffer[] = [];
    FAMILY_KEYS.forEach((_key, family) => {
      const pieces = blocks.flatMap((encoded) => encoded[family] ?? []);
      // A family with no series says nothing; leave it out rather than print HELP/TYPE alone.
      if (pieces.length === 0) return;
      const header = (chunks.length === 0 ? HEADER_BYTES : SEPARATED_HEADER_BYTES)[family];
      if (header !== undefined) chunks.push(header);
      chunks.push(...pieces);
    });
    return chunks.length === 0 ? [EMPTY] : chunks;
  }

  /**
   * Renders the lines of `entries` now, those not rendered before, so that the next
   * {@link renderChunks} of a snapshot holding them finds them ready. They are held until that
   * render copies them into its blocks (or drops them, if its snapshot does not hold the
   * entry), and only for the newest entry prepared per target. An entry whose rendering throws
   * is left out: the render that needs it renders it again and meets the error there.
   *
   * The batch's lines are encoded at once into one Buffer, as a block of its own, and the
   * strings dropped. Held as strings across the turns of a pass until the render, they
   * outlived two scavenges and were promoted: a pass that renders the whole fleet, as during a
   * cold start, left up to the body's text (7.7 MB at 1,000 targets) as garbage in V8's old
   * space (BENCHMARKS.md, section 4). A full batch's Buffer (64 targets, about 500 kB for the
   * bench fleet's) is one allocation above glibc's mmap threshold, so it goes back to the
   * kernel with the batch.
   */
  prepare(entries: readonly TargetSnapshot[]): void {
    const rendered: { readonly key: string; readonly placed: Placed }[] = [];
    for (const entry of entries) {
      if (this.#ids.has(entry)) continue;
      try {
        rendered.push({ key: targetKey(entry.target), placed: this.#render(entry) });
      } catch {
        // Left for the render that needs the entry (see above).
      }
    }
    if (rendered.length === 0) return;
    const block = blockOf(rendered.map(({ placed }) => placed));
    this.#batches.push(block);
    rendered.forEach(({ key, placed }, index) => {
      this.#prepared.set(key, { id: placed.id, block, index });
    });
  }

  /**
   * The chunks of the last render may be read after the next one (an identity scrape still
   * sending them, say): their blocks are not given back when replaced until the function
   * returned is called, saying they are no longer read (each hold once; a block held twice
   * waits for both). Blocks replaced by then are given back at that call (with
   * `releaseReplaced`); never called, they are left to V8.
   */
  hold(): () => void {
    const blocks = this.#blocks;
    for (const block of blocks) this.#held.set(block, (this.#held.get(block) ?? 0) + 1);
    let holding = true;
    return () => {
      if (!holding) return;
      holding = false;
      for (const block of blocks) {
        const count = (this.#held.get(block) ?? 1) - 1;
        if (count > 0) {
          this.#held.set(block, count);
          continue;
        }
        this.#held.delete(block);
        if (this.#releaseReplaced && !this.#blocks.includes(block)) this.#release(block.bytes);
      }
    };
  }

  /**
   * Gives back the bytes of every block of the last render that is not held ({@link hold}) and
   * whose chunks `store` has all, keeping them only there: the chunks handed out are then
   * empty, and a later render that copies from such a block has its bytes restored from
   * `store` for as long as it copies (one block at a time). For a caller that keeps every
   * chunk's gzip member anyway (render.ts, after joining them): the raw text of the body,
   * 7.4–10.7 MB at 1,000 targets, then lives only while blocks are rebuilt or an identity
   * scrape reads it. Returns the bytes given back.
   */
  pack(store: ChunkStore): number {
    let given = 0;
    for (const block of this.#blocks) {
      if (this.#packed.has(block) || this.#held.has(block)) continue;
      const chunks = chunksOf(block);
      if (!chunks.every((chunk) => store.has(chunk))) continue;
      given += block.bytes.byteLength;
      this.#packBlock(block, chunks, store);
    }
    return given;
  }

  /** Gives back `block`'s bytes, its `chunks` being kept by `store`. */
  #packBlock(block: Block, chunks: readonly Buffer[], store: ChunkStore): void {
    this.#packed.set(block, store);
    for (const chunk of chunks) this.#packedChunks.set(chunk, store);
    this.#release(block.bytes);
  }

  /** {@link renderChunks} as one string (packed blocks' chunks restored). */
  render(snapshot: Snapshot): string {
    const chunks = this.renderChunks(snapshot);
    return Buffer.concat(
      chunks.map((chunk) => this.#packedChunks.get(chunk)?.restore([chunk]) ?? chunk),
    ).toString("utf8");
  }

  /**
   * The encoded lines of each block of `targets`, reusing the blocks that did not change.
   *
   * A batch, or a block this render replaces, is given back as soon as the last new block
   * that copies from it is built (before the first, if none does), not once the whole body
   * is: a render after a pass that rendered every target (a cold start, a reload) otherwise
   * held the old blocks, the batches and the new blocks at once, three copies of the body
   * (BENCHMARKS.md, section 4).
   */
  #blocksOf(targets: readonly TargetSnapshot[], packInto?: ChunkStore): Encoded[] {
    const previous = this.#blocks;
    const plans = this.#plan(targets, previous);
    const kept = new Set(plans.flatMap((plan) => ("block" in plan ? [plan.block] : [])));
    const batches = new Set(this.#batches);
    const done = (block: Block) =>
      batches.has(block) || (this.#releaseReplaced && !kept.has(block) && !this.#held.has(block));
    // The last new block that copies from each old block or batch.
    const lastUse = new Map<Block, number>();
    plans.forEach((plan, at) => {
      if ("sources" in plan) {
        for (const source of plan.sources) if ("block" in source) lastUse.set(source.block, at);
      }
    });
    const given = new Set<Block>();
    const giveBack = (block: Block) => {
      if (given.has(block) || !done(block)) return;
      given.add(block);
      this.#release(block.bytes);
    };
    // The bytes of packed blocks, restored for the new blocks that copy from them.
    const restored = new Map<Block, Buffer>();
    const bytesOf = (block: Block): Buffer => {
      const store = this.#packed.get(block);
      if (store === undefined) return block.bytes;
      let bytes = restored.get(block);
      if (bytes === undefined) {
        bytes = restore(block, store);
        restored.set(block, bytes);
      }
      return bytes;
    };
    const dropRestored = (block: Block) => {
      const bytes = restored.get(block);
      restored.delete(block);
      if (bytes !== undefined) this.#release(bytes);
    };
    for (const block of [...batches, ...previous]) if (!lastUse.has(block)) giveBack(block);
    const blocks: Block[] = [];
    try {
      plans.forEach((plan, at) => {
        if ("block" in plan) {
          blocks.push(plan.block);
          return;
        }
        const { sources } = plan;
        const block = blockOf(
          sources.map((s) => ("entry" in s ? this.#render(s.entry) : s)),
          bytesOf,
        );
        blocks.push(block);
        if (packInto !== undefined) {
          const chunks = chunksOf(block);
          for (const chunk of chunks) packInto.keep(chunk);
          this.#packBlock(block, chunks, packInto);
        }
        for (const source of sources) {
          if ("block" in source && lastUse.get(source.block) === at) {
            giveBack(source.block);
            dropRestored(source.block);
          }
        }
      });
    } catch (err) {
      // An entry failed to render. What this render gave back may be what the cache points
      // at: forget it all, so that the next render renders every target again.
      if (given.size > 0) this.#cache([]);
      throw err;
    } finally {
      for (const block of [...restored.keys()]) dropRestored(block);
    }
    this.#cache(blocks);
    return blocks.map((block) => block.encoded);
  }

  /**
   * Where the targets of each block of `targets` come from, rendering none yet: the block
   * that held them all in the same places, or per target a range of an old block or batch,
   * or the entry to render.
   */
  #plan(targets: readonly TargetSnapshot[], previous: readonly Block[]): Plan[] {
    const size = Math.max(1, Math.ceil(Math.sqrt(targets.length)));
    let places: Map<number, Copy> | undefined;
    const plans: Plan[] = [];
    for (let start = 0; start < targets.length; start += size) {
      const entries = targets.slice(start, start + size);
      const cached = previous[plans.length];
      const known = entries.map((entry) => this.#ids.get(entry));
      if (cached !== undefined && sameIds(cached.ids, known)) {
        plans.push({ block: cached });
        continue;
      }
      const sources = entries.map((entry, index): Copy | { readonly entry: TargetSnapshot } => {
        const id = known[index];
        if (id === undefined) return { entry };
        // Most often an unchanged target sits where it sat; else it moved (targets added,
        // removed or reordered), or it was prepared, or its bytes are gone (rendered once,
        // then left out of a render): rendered again.
        if (cached?.ids[index] === id) return { id, block: cached, index };
        places ??= placesIn(previous);
        const prepared = this.#prepared.get(targetKey(entry.target));
        return places.get(id) ?? (prepared?.id === id ? prepared : { entry });
      });
      plans.push({ sources });
    }
    return plans;
  }

  /**
   * Makes `blocks` the cache the next render starts from, and drops the prepared lines and
   * their batches (copied into `blocks`, or given back): none of them is read again.
   */
  #cache(blocks: readonly Block[]): void {
    this.#blocks = blocks;
    this.#prepared.clear();
    this.#batches = [];
  }

  /** The trace families, rendered again only when some target's traces changed. */
  #sharedOf(targets: readonly TargetSnapshot[]): Encoded {
    const views = targets.map((entry) => entry.traces);
    const cached = this.#shared;
    if (
      cached !== undefined &&
      cached.views.length === views.length &&
      cached.views.every((view, index) => view === views[index])
    ) {
      return cached.encoded;
    }
    const encoded = encode(sharedLinesOf(targets));
    this.#shared = { views, encoded };
    return encoded;
  }

  /** Renders `entry`'s lines, giving it a token unless it has one. */
  #render(entry: TargetSnapshot): Placed {
    const lines = linesOf([entry], this.#families);
    let id = this.#ids.get(entry);
    if (id === undefined) {
      id = this.#nextId++;
      this.#ids.set(entry, id);
    }
    this.#onTargetRendered(entry);
    return { id, lines };
  }
}

/**
 * Renders the MoSAPI-derived families of `snapshot` in the Prometheus text format with a fresh
 * {@link SnapshotRenderer} (nothing cached between calls).
 */
export function renderSnapshot(snapshot: Snapshot): Promise<string> {
  return Promise.resolve(new SnapshotRenderer().render(snapshot));
}
