/**
 * The process logger: pino writing one JSON object per line (or logfmt) to an injected
 * destination, with fixed redaction so a secret never reaches a log line.
 */
import { pino, stdSerializers, stdTimeFunctions } from "pino";
import type { Logger } from "pino";
import { logfmtDestination } from "./logfmt.js";

export type { Logger } from "pino";

/** `--log.level` values. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `--log.format` values. */
export const LOG_FORMATS = ["json", "logfmt"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where finished log lines go; each `write` receives exactly one line ending in `\n`. */
export interface LogDestination {
  write(line: string): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Defaults to `process.stderr`, so stdout stays free for `--config.check` output. */
  readonly destination?: LogDestination;
}

/** Placeholder written instead of a redacted value. */
export const REDACTED = "<secret>";

/**
 * Field paths whose values are replaced by {@link REDACTED}. Fixed on purpose: a secret must be
 * hidden even when a caller forgets, so redaction is not configurable. `*` matches one level.
 */
export const REDACT_PATHS: readonly string[] = [
  "password",
  "*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "cookie",
  "*.cookie",
  "headers.cookie",
  "key",
  "*.key",
  "credentials.*.password",
];

/**
 * Builds the logger.
 *
 * Lines carry `time` (ISO-8601), `level` (the label, e.g. `"info"`) and `msg`; an `err` field is
 * serialised with pino's standard serializer (type, message and stack including `cause`s, plus
 * enumerable fields such as `code`). Writes are synchronous: no transport worker threads, so a
 * line is out before the process exits.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  return pino(
    {
      level: options.level,
      // pid and hostname are noise under a supervisor and in containers.
      base: null,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    },
    options.format === "logfmt" ? logfmtDestination(destination) : destination,
  );
}
