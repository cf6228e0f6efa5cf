/**
 * Snapshot → MoSAPI-derived metric families in the text format, cached. Each target's lines are
 * rendered once per entry object and reused: the store replaces only the entry that changed
 * (copy on write), so after a refresh only that target is rendered again. What the series are
 * is snapshot-series.ts's business; this file decides only how they become bytes.
 */
import type { Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import { targetKey } from "../mosapi/target.js";
import { familyHeader, FamilyWriter } from "./exposition.js";
import { SNAPSHOT_METRICS } from "./names.js";
import { addTarget, addTraces, FAMILY_KEYS, type FamilyKey } from "./snapshot-series.js";

const HEADERS = FAMILY_KEYS.map((key) => familyHeader(SNAPSHOT_METRICS[key]));

function newFamilies(): Record<FamilyKey, FamilyWriter> {
  return Object.fromEntries(
    FAMILY_KEYS.map((key) => [key, new FamilyWriter(SNAPSHOT_METRICS[key].name)]),
  ) as Record<FamilyKey, FamilyWriter>;
}

/** The sample lines of one or more targets, per family in {@link FAMILY_KEYS} order ("" if none). */
type Lines = readonly string[];

function linesOf(entries: readonly TargetSnapshot[]): Lines {
  const families = newFamilies();
  for (const entry of entries) addTarget(families, entry);
  return FAMILY_KEYS.map((key) => families[key].text());
}

/** The lines of the families shared by targets (traces), from the whole snapshot. */
function sharedLinesOf(entries: readonly TargetSnapshot[]): Lines {
  const families = newFamilies();
  addTraces(families, entries);
  return FAMILY_KEYS.map((key) => families[key].text());
}

/**
 * The lines of consecutive targets joined family by family and encoded as UTF-8: one view per
 * family (undefined where it has no series), all into one allocation. Lines stay strings until
 * here on purpose: they live in V8's heap, which compacts, whereas a Buffer per target and
 * refresh would churn the native allocator, whose freed memory stays in the RSS.
 */
function encode(parts: readonly Lines[]): Encoded {
  const sizes = FAMILY_KEYS.map((_key, family) =>
    parts.reduce((sum, lines) => sum + Buffer.byteLength(lines[family] ?? "", "utf8"), 0),
  );
  const bytes = Buffer.allocUnsafeSlow(sizes.reduce((sum, size) => sum + size, 0));
  let offset = 0;
  return sizes.map((size, family) => {
    if (size === 0) return undefined;
    const start = offset;
    for (const lines of parts) offset += bytes.write(lines[family] ?? "", offset, "utf8");
    return bytes.subarray(start, offset);
  });
}

/** A block's bytes per family in {@link FAMILY_KEYS} order (undefined if none). */
type Encoded = readonly (Buffer | undefined)[];

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

/**
 * A run of consecutive targets of the last snapshot rendered: their lines (whose identity
 * tells whether an entry changed; holding the entries instead would keep a whole generation
 * of parsed MoSAPI data alive) and the lines encoded.
 */
interface Block {
  readonly lines: readonly Lines[];
  readonly encoded: Encoded;
}

function sameLines(a: readonly Lines[], b: readonly Lines[]): boolean {
  return a.length === b.length && a.every((lines, index) => lines === b[index]);
}

/**
 * Renders snapshots, remembering each target entry's lines for as long as the entry object
 * lives, so rendering the next snapshot costs only its changed entries.
 *
 * The output is a list of chunks, not one body: a family's lines are the targets' lines in
 * order, and the targets are grouped into about √N blocks whose lines are joined, encoded and
 * kept. After one target changes, only its block is encoded again (√N targets × the
 * families), and a scrape sends 17 × √N chunks with one `writev` instead of building and
 * encoding the whole body (7.7 MB at 1,000 targets) or handing 17 × N pieces to the socket;
 * √N balances those two costs.
 */
export class SnapshotRenderer {
  readonly #lines = new WeakMap<TargetSnapshot, Lines>();
  readonly #onTargetRendered: (entry: TargetSnapshot) => void;
  #blocks: readonly Block[] = [];
  /** The shared (trace) families of the last render, and the trace views they came from. */
  #shared: { readonly views: readonly unknown[]; readonly encoded: Encoded } | undefined;

  /** @param onTargetRendered called for every entry actually rendered (not found in the cache) */
  constructor(onTargetRendered: (entry: TargetSnapshot) => void = () => {}) {
    this.#onTargetRendered = onTargetRendered;
  }

  /**
   * The MoSAPI-derived families of `snapshot` in the Prometheus text format, as UTF-8 chunks
   * to send in order (never modify them; they are reused by later renders): families in
   * catalogue order (those without series left out), targets in snapshot (configuration)
   * order, services in `SERVICE_TYPES` order (mosapi/models.ts).
   */
  renderChunks(snapshot: Snapshot): readonly Buffer[] {
    const blocks = hasDuplicateTargets(snapshot)
      ? [encode([linesOf(snapshot.targets)])]
      : this.#blocksOf(snapshot.targets);
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
   * Renders `entry`'s lines now unless they are cached, so that a later {@link renderChunks}
   * of a snapshot holding it finds them ready.
   */
  prepare(entry: TargetSnapshot): void {
    this.#linesOf(entry);
  }

  /** {@link renderChunks} as one string. */
  render(snapshot: Snapshot): string {
    return Buffer.concat(this.renderChunks(snapshot)).toString("utf8");
  }

  /** The encoded lines of each block of `targets`, reusing the blocks that did not change. */
  #blocksOf(targets: readonly TargetSnapshot[]): Encoded[] {
    const size = Math.max(1, Math.ceil(Math.sqrt(targets.length)));
    const blocks: Block[] = [];
    for (let start = 0; start < targets.length; start += size) {
      const lines = targets.slice(start, start + size).map((entry) => this.#linesOf(entry));
      const cached = this.#blocks[blocks.length];
      blocks.push(
        cached !== undefined && sameLines(cached.lines, lines)
          ? cached
          : { lines, encoded: encode(lines) },
      );
    }
    this.#blocks = blocks;
    return blocks.map((block) => block.encoded);
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
    const encoded = encode([sharedLinesOf(targets)]);
    this.#shared = { views, encoded };
    return encoded;
  }

  #linesOf(entry: TargetSnapshot): Lines {
    let lines = this.#lines.get(entry);
    if (lines === undefined) {
      lines = linesOf([entry]);
      this.#lines.set(entry, lines);
      this.#onTargetRendered(entry);
    }
    return lines;
  }
}

/**
 * Renders the MoSAPI-derived families of `snapshot` in the Prometheus text format with a fresh
 * {@link SnapshotRenderer} (nothing cached between calls).
 */
export function renderSnapshot(snapshot: Snapshot): Promise<string> {
  return Promise.resolve(new SnapshotRenderer().render(snapshot));
}
