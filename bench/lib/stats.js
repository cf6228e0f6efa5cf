/** Small statistics and formatting helpers shared by the benchmarks. */

/** The `q` quantile (0..1) of `values` by nearest rank; NaN when empty. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The median of `values`. */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds with a sensible number of digits. */
export function ms(value) {
  if (!Number.isFinite(value)) return "n/a";
  return value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 10
      ? `${value.toFixed(1)} ms`
      : `${value.toFixed(2)} ms`;
}

/** Bytes as MB (10^6). */
export function mb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A ratio as `1.23×`. */
export function ratio(value, baseline) {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return "n/a";
  return `${(value / baseline).toFixed(2)}×`;
}

/** Prints a table of rows (arrays of cells) with aligned columns. */
export function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  const line = (row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  console.log(line(all[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of all.slice(1)) console.log(line(row));
}

/** Resident set size and peak RSS of process `pid` from /proc (Linux), in bytes. */
export async function procMemory(pid) {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const field = (name) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: field("VmRSS"), peakRss: field("VmHWM") };
}

/**
 * CPU time (user + system) process `pid` has used, in seconds, from /proc (Linux; clock ticks
 * of 1/100 s, the kernel's USER_HZ on every Linux Node.js supports).
 */
export async function procCpuSeconds(pid) {
  const { readFile } = await import("node:fs/promises");
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
