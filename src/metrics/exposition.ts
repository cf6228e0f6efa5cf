/**
 * A writer of the Prometheus text format 0.0.4 for the snapshot-derived families, producing the
 * very bytes prom-client 15 produces for a Gauge (the golden files were written by it): the
 * same escaping, number formatting, label order and handling of repeated label sets. Writing
 * the text directly lets a target's lines be rendered once and reused until its entry changes.
 */
import type { MetricDefinition } from "./names.js";

/** Label values in the order the series prints them (object insertion order, as prom-client). */
export type LabelValues = Readonly<Record<string, string>>;

/** Characters {@link escapeHelp} rewrites. */
const HELP_SPECIAL = /[\\\n]/;
/** Characters {@link escapeLabelValue} rewrites. */
const LABEL_VALUE_SPECIAL = /[\\\n"]/;

/** HELP text and metric names: prom-client escapes `\` and newline (not `"`). */
export function escapeHelp(text: string): string {
  if (!HELP_SPECIAL.test(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A label value: `\`, newline and `"` escaped, as prom-client does. */
export function escapeLabelValue(value: string): string {
  if (!LABEL_VALUE_SPECIAL.test(value)) return value;
  return escapeHelp(value).replace(/"/g, '\\"');
}

/**
 * A sample value as prom-client prints it: `String(value)` for finite numbers, else `Nan`
 * (sic, prom-client's spelling), `+Inf` or `-Inf`.
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "Nan";
  if (!Number.isFinite(value)) return value < 0 ? "-Inf" : "+Inf";
  return `${value}`;
}

/** The `# HELP` and `# TYPE` lines of a family, each ending in a newline. */
export function familyHeader(definition: MetricDefinition): string {
  const name = escapeHelp(definition.name);
  return `# HELP ${name} ${escapeHelp(definition.help)}\n# TYPE ${name} ${definition.type}\n`;
}

/**
 * A family's label names in a labels object's order, the same names sorted, and the text
 * around their values: `prefixes[i]` goes before the i-th value (the first opens the braces
 * after the metric name) and `close` after the last (or after the bare name).
 */
interface Shape {
  readonly names: readonly string[];
  readonly sorted: readonly string[];
  readonly prefixes: readonly string[];
  readonly close: string;
}

function shapeOf(name: string, labels: LabelValues): Shape {
  const names = Object.keys(labels);
  return {
    names,
    sorted: [...names].sort(),
    prefixes: names.map((label, i) => `${i === 0 ? `${name}{` : '",'}${label}="`),
    close: names.length === 0 ? `${name} ` : '"} ',
  };
}

/** Whether `labels` has exactly `names`, in that order. Allocates nothing. */
function hasNames(labels: LabelValues, names: readonly string[]): boolean {
  let index = 0;
  for (const name in labels) {
    if (names[index] !== name) return false;
    index++;
  }
  return index === names.length;
}

/** prom-client's identity of a series: `name:value,` over the label names in sorted order. */
function identity(labels: LabelValues, sorted: readonly string[]): string {
  let key = "";
  for (const label of sorted) key += `${label}:${labels[label]},`;
  return key;
}

/** Appends the pieces of one sample line, newline included, to `pieces`. */
function pushLine(pieces: string[], shape: Shape, labels: LabelValues, value: number): void {
  const { names, prefixes } = shape;
  for (let i = 0; i < names.length; i++) {
    pieces.push(prefixes[i] ?? "", escapeLabelValue(labels[names[i] ?? ""] ?? ""));
  }
  pieces.push(shape.close, formatSampleValue(value), "\n");
}

/**
 * The series of one family (or of one target's share of it), in first-set order. Setting a
 * series again keeps its place and takes the new labels and value, as a prom-client Gauge does.
 *
 * Two series are the same when prom-client's identity of them is: `name:value,` over the
 * label names in default sort order. It is ambiguous for values holding `,` or `:`; two label
 * sets it confuses are one series to prom-client, and so to us.
 *
 * Rendering allocates little, because a cold start or a reload renders every target, and what
 * that allocates sets how often V8 collects and how much it promotes to its old generation on
 * the way (BENCHMARKS.md, section 4). A line is kept as the pieces it is joined from (the
 * shape's fixed text, the label values, the sample value), never concatenated on its own; and
 * a writer told that its series are distinct (`distinct`) does not build their identities. A
 * full render of the bench fleet (1,000 targets) allocated 118–128 MB and took 108 ms of CPU
 * on Node 26 (221 ms on Node 20) with a line and an identity string per series; 47–55 MB and
 * 53 ms (110 ms) this way.
 */
export class FamilyWriter {
  /** The text of the series set since the last {@link take}, in pieces. */
  #pieces: string[] = [];
  /**
   * Unless the series are distinct: where each series' pieces start, by its identity, and
   * where the series set since the last {@link take} start, in set order. A new Map for every
   * take: on Node 20 a Map emptied in V8's old generation kept the next target's young keys
   * alive through scavenges (BENCHMARKS.md, section 4, seventh session).
   */
  #repeats: { readonly byIdentity: Map<string, number>; readonly starts: number[] } | undefined;
  readonly #distinct: boolean;
  readonly #name: string;
  /**
   * The label names of the last series set, with their sorted order and the text around the
   * values. A family's series nearly always list the same names in the same order, so this is
   * paid once per writer rather than once per series.
   */
  #shape: Shape;

  /**
   * @param name the family's metric name
   * @param options.distinct the caller never sets one series twice between two takes, so the
   *   writer need not look for repeats (a repeat would then print twice)
   */
  constructor(name: string, options: { distinct?: boolean } = {}) {
    this.#name = escapeHelp(name);
    this.#distinct = options.distinct ?? false;
    this.#shape = shapeOf(this.#name, {});
  }

  /** Sets the series with `labels` to `value`. */
  set(labels: LabelValues, value: number): void {
    if (!hasNames(labels, this.#shape.names)) this.#shape = shapeOf(this.#name, labels);
    const shape = this.#shape;
    if (this.#distinct) {
      pushLine(this.#pieces, shape, labels, value);
      return;
    }
    this.#repeats ??= { byIdentity: new Map(), starts: [] };
    const { byIdentity, starts } = this.#repeats;
    const key = identity(labels, shape.sorted);
    const series = byIdentity.get(key);
    if (series === undefined) {
      byIdentity.set(key, starts.length);
      starts.push(this.#pieces.length);
      pushLine(this.#pieces, shape, labels, value);
      return;
    }
    // The new line takes the first of the series' pieces; the rest print nothing.
    const start = starts[series] ?? 0;
    const end = starts[series + 1] ?? this.#pieces.length;
    const line: string[] = [];
    pushLine(line, shape, labels, value);
    this.#pieces[start] = line.join("");
    this.#pieces.fill("", start + 1, end);
  }

  /**
   * The sample lines, each ending in a newline (empty when nothing was set), and the writer
   * empty again: the renderer uses one writer per family for every target it renders.
   */
  take(): string {
    const text = this.#pieces.join("");
    this.#pieces.length = 0;
    this.#repeats = undefined;
    return text;
  }
}
