/**
 * A writer of the Prometheus text format 0.0.4 for the snapshot-derived families, producing the
 * very bytes prom-client 15 produces for a Gauge (the golden files were written by it): the
 * same escaping, number formatting, label order and handling of repeated label sets. Writing
 * the text directly lets a target's lines be rendered once and reused until its entry changes.
 */
import type { MetricDefinition } from "./names.js";

/** Label values in the order the series prints them (object insertion order, as prom-client). */
export type LabelValues = Readonly<Record<string, string>>;

/** HELP text and metric names: prom-client escapes `\` and newline (not `"`). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A label value: `\`, newline and `"` escaped, as prom-client does. */
export function escapeLabelValue(value: string): string {
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
 * prom-client's identity of a series: `name:value,` over the label names in default sort
 * order. It is ambiguous for values holding `,` or `:`; two label sets it confuses are one
 * series to prom-client, and so to us.
 */
function seriesKey(labels: LabelValues): string {
  let key = "";
  for (const name of Object.keys(labels).sort()) key += `${name}:${labels[name]},`;
  return key;
}

/**
 * The series of one family (or of one target's share of it), in first-set order. Setting a
 * series again keeps its place and takes the new labels and value, as a prom-client Gauge does.
 */
export class FamilyWriter {
  readonly #lines: string[] = [];
  readonly #positions = new Map<string, number>();
  readonly #name: string;

  /** @param name the family's metric name */
  constructor(name: string) {
    this.#name = escapeHelp(name);
  }

  /** Sets the series with `labels` to `value`. */
  set(labels: LabelValues, value: number): void {
    let text = "";
    for (const [label, labelValue] of Object.entries(labels)) {
      text += `${text === "" ? "" : ","}${label}="${escapeLabelValue(labelValue)}"`;
    }
    const line = `${this.#name}${text === "" ? "" : `{${text}}`} ${formatSampleValue(value)}\n`;
    const key = seriesKey(labels);
    const position = this.#positions.get(key);
    if (position === undefined) {
      this.#positions.set(key, this.#lines.length);
      this.#lines.push(line);
    } else {
      this.#lines[position] = line;
    }
  }

  /** The sample lines, each ending in a newline; empty when nothing was set. */
  text(): string {
    return this.#lines.join("");
  }
}
