/**
 * A log destination for tests: collects every line a logger writes so a test can assert on
 * parsed log objects (pino's own test `sink()` habit).
 */
import type { LogDestination } from "../../src/log/logger.js";

export interface LogSink {
  /** Pass as `createLogger({ destination })`. */
  readonly destination: LogDestination;
  /** Every line written so far, without the trailing newline. */
  lines(): string[];
  /** Every line parsed as JSON; throws on a non-JSON line (e.g. with `format: "logfmt"`). */
  records(): Record<string, unknown>[];
}

export function createLogSink(): LogSink {
  const written: string[] = [];
  return {
    destination: {
      write(line: string): void {
        written.push(line.replace(/\n$/, ""));
      },
    },
    lines: () => [...written],
    records: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
