/**
 * logfmt output for `--log.format=logfmt`: a destination wrapper that rewrites each JSON line
 * pino produces. Done in-thread on purpose (no pino transport worker), so lines stay synchronous
 * and ordered with the rest of the process.
 */
import type { LogDestination } from "./logger.js";

/** Keys written first, in this order, when present. */
const LEADING_KEYS = ["time", "level", "msg"] as const;

/**
 * Wraps `destination` so every JSON line written to the result reaches it as one logfmt line.
 * A line that is not a JSON object is passed through unchanged rather than lost.
 */
export function logfmtDestination(destination: LogDestination): LogDestination {
  return {
    write(line: string): void {
      destination.write(jsonLineToLogfmt(line));
    },
  };
}

/**
 * Converts one JSON log line to `time=… level=info msg="…" key=value …\n`. Nested objects are
 * flattened with dots (`err.code=…`), arrays by index (`tags.0=…`); `null` is written as `null`.
 */
export function jsonLineToLogfmt(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (!isPlainRecord(record)) return line;
  const pairs: string[] = [];
  for (const key of LEADING_KEYS) {
    if (key in record) appendPairs(pairs, key, record[key]);
  }
  for (const [key, value] of Object.entries(record)) {
    if (!(LEADING_KEYS as readonly string[]).includes(key)) appendPairs(pairs, key, value);
  }
  return `${pairs.join(" ")}\n`;
}

function appendPairs(pairs: string[], key: string, value: unknown): void {
  if (Array.isArray(value) || isPlainRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) {
      pairs.push(`${formatKey(key)}=${Array.isArray(value) ? "[]" : "{}"}`);
      return;
    }
    for (const [child, nested] of entries) appendPairs(pairs, `${key}.${child}`, nested);
    return;
  }
  // Whatever is left came from JSON.parse: a string, number, boolean or null.
  pairs.push(`${formatKey(key)}=${formatValue(value as string | number | boolean | null)}`);
}

/** Keys cannot be quoted in logfmt, so characters that would break parsing become `_`. */
function formatKey(key: string): string {
  const cleaned = key.replace(/[\s="\\]/g, "_");
  return cleaned === "" ? "_" : cleaned;
}

/**
 * Bare when safe; otherwise double-quoted with `\` and `"` escaped and control characters
 * written as escapes (`\n`), so one record always stays on one line.
 */
export function formatValue(value: string | number | boolean | null): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text !== "" && !NEEDS_QUOTES.test(text)) return text;
  return `"${text.replace(TO_ESCAPE, escapeChar)}"`;
}

// Control characters are matched on purpose: they must never reach a log line raw.
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\s"=\\\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const TO_ESCAPE = /[\\"\u0000-\u001f\u007f]/g;

const NAMED_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeChar(char: string): string {
  return NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
