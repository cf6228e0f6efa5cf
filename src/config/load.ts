/**
 * Loads the config file: read → YAML → validate → resolve secrets → warnings → freeze.
 * Every stage reports all of its problems at once in one ConfigError. Schema problems are
 * reported before secrets are read: a secret file named under a misspelt key is not looked at.
 */
import path from "node:path";
import type { Config } from "./config.js";
import { ConfigError } from "./errors.js";
import { configSchema, validateConfig } from "./schema.js";
import { resolveSecrets } from "./secrets.js";
import { configWarnings } from "./warnings.js";
import { invalidFile, readYamlFile } from "./yaml-file.js";

export type { Config } from "./config.js";
export { ConfigError } from "./errors.js";

/** Options of `loadConfig`. */
export interface LoadOptions {
  /** Where `password_env` variables are looked up (normally `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Loads and validates a config file and resolves its secrets. Call it again to reload: secret
 * files and variables are re-read each time.
 *
 * @param file config file path; relative secret paths inside it are joined to its directory,
 *   and every message starts with `file` exactly as given.
 * @returns the resolved, deeply frozen Config, with warnings for the caller to log.
 * @throws ConfigError `CONFIG_UNREADABLE` when the file cannot be read, `CONFIG_INVALID` (listing
 *   every problem) when it is not valid YAML, breaks a rule, or names an unusable secret.
 */
export async function loadConfig(file: string, options: LoadOptions): Promise<Config> {
  const document = await readYamlFile(file);
  if (document.data === null) {
    const keys = Object.keys(configSchema.shape).join(", ");
    throw new ConfigError(file, [
      { path: "", message: `the file is empty; expected a mapping with keys ${keys}` },
    ]);
  }
  const validation = validateConfig(document.data);
  if (!validation.ok) {
    throw invalidFile(file, document, validation.problems, [validation.cause]);
  }
  const config = validation.config;
  const secrets = await resolveSecrets(config, { dir: path.dirname(file), env: options.env });
  if (secrets.problems.length > 0) {
    throw invalidFile(file, document, secrets.problems, secrets.causes);
  }
  const { sourceAddress } = config.mosapi;
  return deepFreeze<Config>({
    file,
    mosapi: {
      url: config.mosapi.url,
      version: config.mosapi.version,
      timeoutMs: config.mosapi.timeoutMs,
      maxConcurrency: config.mosapi.maxConcurrency,
      ...(sourceAddress === undefined ? {} : { sourceAddress }),
      tls: {
        ...(secrets.caFile === undefined ? {} : { caFile: secrets.caFile }),
        ...(secrets.ca === undefined ? {} : { ca: secrets.ca }),
        minVersion: config.mosapi.tls.minVersion,
        insecureSkipVerify: config.mosapi.tls.insecureSkipVerify,
      },
    },
    credentials: secrets.credentials,
    targets: config.targets,
    collectors: config.collectors,
    warnings: configWarnings(config),
  });
}
