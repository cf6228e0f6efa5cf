/**
 * The year → month → day listings shared by SLAM's two day-partitioned trees (recent
 * measurements and mtr traces, docs/mosapi.md#probe-network-trees): which UTC days hold files
 * between a first instant and now, listed newest first as in the spec's examples.
 */

/** Days of history the simulator keeps in each tree before the scenario epoch. */
export const TREE_HISTORY_DAYS = 3;

const DAY_SECONDS = 86_400;

/** A UTC day as the tree's path segments. */
export interface DaySegments {
  readonly year: string;
  readonly month: string;
  readonly day: string;
}

function segmentsOf(seconds: number): DaySegments {
  const date = new Date(seconds * 1000);
  return {
    year: String(date.getUTCFullYear()),
    month: String(date.getUTCMonth() + 1).padStart(2, "0"),
    day: String(date.getUTCDate()).padStart(2, "0"),
  };
}

/** Every UTC day from the one holding `first` to the one holding `now`, newest first. */
export function treeDays(first: number, now: number): DaySegments[] {
  const days: DaySegments[] = [];
  if (first > now) return days;
  const today = Math.floor(now / DAY_SECONDS) * DAY_SECONDS;
  for (let start = today; start + DAY_SECONDS > first; start -= DAY_SECONDS) {
    days.push(segmentsOf(start));
  }
  return days;
}

/** The start and end (exclusive) of a UTC day named by its segments, Unix seconds; undefined if malformed. */
export function dayBounds(segments: {
  year?: string | undefined;
  month?: string | undefined;
  day?: string | undefined;
}): { start: number; end: number } | undefined {
  const { year, month, day } = segments;
  if (!/^\d{4}$/.test(year ?? "") || !/^\d{2}$/.test(month ?? "") || !/^\d{2}$/.test(day ?? "")) {
    return undefined;
  }
  const start = Date.UTC(Number(year), Number(month) - 1, Number(day)) / 1000;
  const check = segmentsOf(start);
  if (check.year !== year || check.month !== month || check.day !== day) return undefined;
  return { start, end: start + DAY_SECONDS };
}

/** Distinct values in first-seen order. */
function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** `years`, `months` of a year or `days` of a month, or undefined when there are none. */
export function listLevel(
  days: readonly DaySegments[],
  params: Readonly<Record<string, string>>,
): { key: "years" | "months" | "days"; values: string[] } | undefined {
  const { year, month } = params;
  if (year === undefined) return { key: "years", values: distinct(days.map((d) => d.year)) };
  const inYear = days.filter((d) => d.year === year);
  if (month === undefined) {
    return inYear.length === 0
      ? undefined
      : { key: "months", values: distinct(inYear.map((d) => d.month)) };
  }
  const inMonth = inYear.filter((d) => d.month === month);
  return inMonth.length === 0
    ? undefined
    : { key: "days", values: distinct(inMonth.map((d) => d.day)) };
}
