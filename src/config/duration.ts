/**
 * Prometheus-style durations (`500ms`, `90s`, `5m`, `1h30m`, `1d`), the format of every
 * interval and timeout in the config file. Only whole numbers, units from largest to smallest,
 * each unit at most once; `0` alone means zero. Weeks and years are left out on purpose: no
 * MoSAPI interval needs them, and `1y` next to a 60 s default is more likely a typo than intent.
 */
import { quote } from "./quote.js";

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

// One optional group per unit, in the order of UNITS, so "1h30m" parses and "30m1h" does not.
const PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** What a valid duration looks like, for messages. */
export const DURATION_HINT = "expected a number with a unit (ms, s, m, h, d), e.g. 90s, 5m, 6h";

/**
 * Parses a duration to milliseconds.
 *
 * @returns the duration in milliseconds (an integer ≥ 0).
 * @throws Error when `text` is not a duration (`5 minutes`, `1.5h`, `-5m`, `90`, `30m1h`, ``)
 *   or exceeds Number.MAX_SAFE_INTEGER milliseconds; the message quotes the input and says what
 *   is expected.
 */
export function parseDuration(text: string): number {
  if (text === "0") return 0;
  const match = text === "" ? null : PATTERN.exec(text);
  if (match === null) {
    throw new Error(`invalid duration ${quote(text)}: ${DURATION_HINT}`);
  }
  let total = 0;
  UNITS.forEach(([, factor], index) => {
    const digits = match[index + 1];
    if (digits !== undefined) total += Number(digits) * factor;
  });
  if (!Number.isSafeInteger(total)) {
    throw new Error(`invalid duration ${quote(text)}: too large`);
  }
  return total;
}

/**
 * Formats milliseconds as the shortest duration `parseDuration` reads back to the same value:
 * `90000` → `1m30s`, `21600000` → `6h`, `0` → `0s`.
 *
 * @throws RangeError when `ms` is negative, not an integer, or not a safe integer.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`cannot format ${ms} as a duration: expected whole milliseconds ≥ 0`);
  }
  if (ms === 0) return "0s";
  let rest = ms;
  let text = "";
  for (const [unit, factor] of UNITS) {
    const count = Math.floor(rest / factor);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * factor;
    }
  }
  return text;
}
