/**
 * Command-line flags in Prometheus style (`--config.file=x` or `--config.file x`), each also
 * settable through `MOSAPI_EXPORTER_<FLAG>` (dots and dashes as `_`, upper case). The command
 * line wins over the environment. Secrets are deliberately not flags: they would show in `ps`.
 */
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../log/logger.js";
import { FlagError } from "./errors.js";
import { parseListenAddress } from "./listen-address.js";
import { quote } from "./quote.js";

export { FlagError } from "./errors.js";
export { parseListenAddress } from "./listen-address.js";
export type { ListenAddress } from "./listen-address.js";

// The logger owns the level and format vocabularies; the flags only parse them.
export { LOG_FORMATS, LOG_LEVELS };
export type { LogFormat, LogLevel };

/** The parsed command line and environment. */
export interface Flags {
  configFile: string;
  configCheck: boolean;
  listenAddress: string;
  webConfigFile?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  disableExporterMetrics: boolean;
  help: boolean;
  version: boolean;
}

const ENV_PREFIX = "MOSAPI_EXPORTER_";

type FlagSpec = {
  readonly name: string;
  readonly help: string;
  /** Whether `MOSAPI_EXPORTER_<FLAG>` sets it (not for --help and --version). */
  readonly env: boolean;
} & (
  | { readonly kind: "boolean"; readonly set: (flags: Flags, value: boolean) => void }
  | {
      readonly kind: "value";
      readonly placeholder: string;
      readonly fallback?: string;
      /** Stores the value; throws a FlagError message (without the flag name) when invalid. */
      readonly set: (flags: Flags, value: string) => void;
    }
);

function oneOf<T extends string>(allowed: readonly T[], value: string): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new FlagError(`invalid value ${quote(value)}; expected one of ${allowed.join(", ")}`);
  }
  return match;
}

/** The config file read when neither `--config.file` nor its variable names one. */
export const DEFAULT_CONFIG_FILE = "mosapi-exporter.yml";

const SPECS: readonly FlagSpec[] = [
  {
    name: "config.file",
    kind: "value",
    placeholder: "FILE",
    fallback: DEFAULT_CONFIG_FILE,
    env: true,
    help: "Configuration file (YAML); see CONFIGURATION.md.",
    set: (flags, value) => (flags.configFile = value),
  },
  {
    name: "config.check",
    kind: "boolean",
    env: true,
    help: "Validate the configuration, print a redacted summary and exit (0 valid, 1 invalid).",
    set: (flags, value) => (flags.configCheck = value),
  },
  {
    name: "web.listen-address",
    kind: "value",
    placeholder: "[HOST]:PORT",
    fallback: ":9745",
    env: true,
    help: "Address to serve /metrics and the other endpoints on, e.g. 127.0.0.1:9745 or [::1]:9745.",
    set: (flags, value) => {
      parseListenAddress(value);
      flags.listenAddress = value;
    },
  },
  {
    name: "web.config.file",
    kind: "value",
    placeholder: "FILE",
    env: true,
    help: "Web configuration (TLS, basic auth) for our endpoints, exporter-toolkit format.",
    set: (flags, value) => (flags.webConfigFile = value),
  },
  {
    name: "web.disable-exporter-metrics",
    kind: "boolean",
    env: true,
    help: "Leave out the process_* and nodejs_* metrics about the exporter itself.",
    set: (flags, value) => (flags.disableExporterMetrics = value),
  },
  {
    name: "log.level",
    kind: "value",
    placeholder: "LEVEL",
    fallback: "info",
    env: true,
    help: `Least severe level logged: ${LOG_LEVELS.join(", ")}.`,
    set: (flags, value) => (flags.logLevel = oneOf(LOG_LEVELS, value)),
  },
  {
    name: "log.format",
    kind: "value",
    placeholder: "FORMAT",
    fallback: "json",
    env: true,
    help: `Log line format: ${LOG_FORMATS.join(", ")}.`,
    set: (flags, value) => (flags.logFormat = oneOf(LOG_FORMATS, value)),
  },
  {
    name: "help",
    kind: "boolean",
    env: false,
    help: "Show this help and exit.",
    set: (flags, value) => (flags.help = value),
  },
  {
    name: "version",
    kind: "boolean",
    env: false,
    help: "Show the version and exit.",
    set: (flags, value) => (flags.version = value),
  },
];

/** `MOSAPI_EXPORTER_WEB_LISTEN_ADDRESS` for `web.listen-address`. */
export function envVarName(flag: string): string {
  return ENV_PREFIX + flag.replace(/[.-]/g, "_").toUpperCase();
}

function parseBoolean(value: string): boolean {
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new FlagError(`invalid value ${quote(value)}; expected true, false, 1 or 0`);
}

/** Applies a value, prefixing any FlagError with where the value came from. */
function apply(spec: FlagSpec, flags: Flags, value: string, where: string): void {
  try {
    if (spec.kind === "boolean") spec.set(flags, parseBoolean(value));
    else if (value === "") throw new FlagError("needs a non-empty value");
    else spec.set(flags, value);
  } catch (error) {
    if (error instanceof FlagError) throw new FlagError(`${where}: ${error.message}`);
    throw error;
  }
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownFlag(arg: string): FlagError {
  const name = arg.replace(/^-+/, "").split("=")[0] ?? "";
  const closest = SPECS.map((spec) => ({ spec, distance: editDistance(name, spec.name) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = closest === undefined ? "see --help" : `did you mean --${closest.spec.name}?`;
  return new FlagError(`unknown flag ${arg.split("=")[0] ?? arg}; ${hint}`);
}

/**
 * Parses the command line (without the node and script arguments) over the environment over
 * the defaults. An empty environment variable counts as unset.
 *
 * @returns the flags with defaults filled in.
 * @throws FlagError (code `FLAG_INVALID`) for an unknown flag, a positional argument, a flag
 *   given twice, a missing or invalid value; the message names the flag or variable.
 */
export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Flags {
  const flags: Flags = {
    configFile: DEFAULT_CONFIG_FILE,
    configCheck: false,
    listenAddress: ":9745",
    logLevel: "info",
    logFormat: "json",
    disableExporterMetrics: false,
    help: false,
    version: false,
  };
  for (const spec of SPECS) {
    const name = envVarName(spec.name);
    const value = env[name];
    if (spec.env && value !== undefined && value !== "") apply(spec, flags, value, name);
  }
  const seen = new Set<FlagSpec>();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? "";
    if (arg === "-h") {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      if (arg.startsWith("-")) throw unknownFlag(arg);
      throw new FlagError(`unexpected argument ${quote(arg)}; flags start with --`);
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const spec = SPECS.find((candidate) => candidate.name === name);
    if (spec === undefined) throw unknownFlag(arg);
    const where = `--${spec.name}`;
    if (seen.has(spec)) throw new FlagError(`${where}: given more than once`);
    seen.add(spec);
    let value = equals < 0 ? undefined : arg.slice(equals + 1);
    if (value === undefined && spec.kind === "value") {
      const next = argv[index + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new FlagError(`${where}: needs a value, e.g. ${where}=${spec.placeholder}`);
      }
      value = next;
      index += 1;
    }
    apply(spec, flags, value ?? "true", where);
  }
  return flags;
}

/** @returns the `--help` text: usage, then every flag with its variable and default. */
export function helpText(): string {
  const entries = SPECS.map((spec) => {
    const usage = spec.kind === "value" ? `--${spec.name}=${spec.placeholder}` : `--${spec.name}`;
    const alias = spec.name === "help" ? "-h, " : "    ";
    const notes = [
      ...(spec.kind === "value" && spec.fallback !== undefined
        ? [`default: ${spec.fallback}`]
        : []),
      ...(spec.env ? [`env: ${envVarName(spec.name)}`] : []),
    ];
    const details = notes.length === 0 ? "" : `\n        (${notes.join("; ")})`;
    return `  ${alias}${usage}\n        ${spec.help}${details}\n`;
  });
  return (
    "usage: mosapi-exporter [flags]\n\n" +
    "Prometheus exporter for ICANN's Monitoring System API (MoSAPI).\n\n" +
    "Flags (the command line wins over the environment):\n" +
    entries.join("")
  );
}
