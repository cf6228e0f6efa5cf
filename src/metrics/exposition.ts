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

/** Label names in a labels object's order, and the same names sorted. */
interface Shape {
  readonly names: readonly string[];
  readonly sorted: readonly string[];
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

/**
 * The series of one family (or of one target's share of it), in first-set order. Setting a
 * series again keeps its place and takes the new labels and value, as a prom-client Gauge does.
 *
 * Two series are the same when prom-client's identity of them is: `name:value,` over the
 * label names in default sort order. It is ambiguous for values holding `,` or `:`; two label
 * sets it confuses are one series to prom-client, and so to us.
 */
export class FamilyWriter {
  readonly #lines: string[] = [];
  #positions = new Map<string, number>();
  readonly #name: string;
  /**
   * The label names of the last series set, as given and sorted. A family's series nearly
   * always list the same names in the same order, so the sort, and the arrays of names and
   * entries, are paid once per writer rather than once per series: they were a third of what
   * rendering a target allocated (BENCHMARKS.md, section 4).
   */
  #shape: Shape = { names: [], sorted: [] };

  /** @param name the family's metric name */
  constructor(name: string) {
    this.#name = escapeHelp(name);
  }

  /** Sets the series with `labels` to `value`. */
  set(labels: LabelValues, value: number): void {
    if (!hasNames(labels, this.#shape.names)) {
      const names = Object.keys(labels);
      this.#shape = { names, sorted: [...names].sort() };
    }
    const { names, sorted } = this.#shape;
    let text = "";
    for (const label of names) {
      text += `${text === "" ? "" : ","}${label}="${escapeLabelValue(labels[label] ?? "")}"`;
    }
    const line = `${this.#name}${text === "" ? "" : `{${text}}`} ${formatSampleValue(value)}\n`;
    let key = "";
    for (const label of sorted) key += `${label}:${labels[label]},`;
    const position = this.#positions.get(key);
    if (position === undefined) {
      this.#positions.set(key, this.#lines.length);
      this.#lines.push(line);
    } else {
      this.#lines[position] = line;
    }
  }

  /**
   * The sample lines, each ending in a newline (empty when nothing was set), and the writer
   * empty again: the renderer uses one writer per family for every target it renders.
   */
  take(): string {
    const text = this.#lines.join("");
    this.#lines.length = 0;
    // A new Map rather than an emptied one. A writer lives long enough to reach V8's old
    // generation, and on Node 20 emptying its Map there left garbage in the old generation
    // that still pointed at the last target's young keys, so scavenges promoted them with
    // everything they held (presumably the Map's next tables, which V8 allocates in the old
    // table's generation). Two full renders of 1,000 targets promoted 61–65 MB with `clear()`
    // and 18 MB with a new Map on Node 20; on Node 26, 12 and 14 MB (BENCHMARKS.md, section 4).
    this.#positions = new Map();
    return text;
  }
}
