/**
 * Errors of the configuration layer. The `code` is the contract for programs; the `message` is
 * for people and lists every problem at once, one per line, as `<file>: <key path>: <what>`.
 * No message ever contains a secret value or a stack trace.
 */

/** One thing wrong with a config file: where (`targets[1].credentials`, or `` for the file) and what. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/**
 * `CONFIG_UNREADABLE`: the config file itself cannot be read; `CONFIG_INVALID`: anything else.
 * docs/errors.md explains each (a test keeps it in sync with this list).
 */
export const CONFIG_ERROR_CODES = ["CONFIG_INVALID", "CONFIG_UNREADABLE"] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** Formats one problem as a line of a ConfigError message. */
export function formatProblem(file: string, problem: Problem): string {
  return problem.path === ""
    ? `${file}: ${problem.message}`
    : `${file}: ${problem.path}: ${problem.message}`;
}

/** The config file cannot be read, parsed, validated, or one of its secrets cannot be resolved. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code: ConfigErrorCode;
  /** The config file path exactly as the caller passed it. */
  readonly file: string;
  /** Every problem found, in file order; never empty. */
  readonly problems: readonly Problem[];

  constructor(
    file: string,
    problems: readonly Problem[],
    options: { readonly code?: ConfigErrorCode; readonly cause?: unknown } = {},
  ) {
    super(problems.map((problem) => formatProblem(file, problem)).join("\n"), {
      cause: options.cause,
    });
    this.code = options.code ?? "CONFIG_INVALID";
    this.file = file;
    this.problems = Object.freeze([...problems]);
  }
}

/** A command-line flag or its environment variable has an invalid value, or a flag is unknown. */
export class FlagError extends Error {
  override readonly name = "FlagError";
  readonly code = "FLAG_INVALID";
}
