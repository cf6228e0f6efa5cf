/**
 * Loads `--web.config.file`: read → YAML → validate → check the certificate files → freeze.
 * Problems come in one ConfigError as `<file>: <key path>: <what>`, like the main config's.
 * No message ever shows a bcrypt hash or key material: hashes are never quoted, and PEM
 * problems are described by OpenSSL's reason only.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { LocatedProblem } from "../config/issues.js";
import { describeFsError } from "../config/secrets.js";
import { invalidFile, readYamlFile } from "../config/yaml-file.js";
import type { TlsServerSettings, WebConfig } from "./config.js";
import type { ParsedTlsServerConfig } from "./schema.js";
import { validateWebConfig } from "./schema.js";
import { checkTlsMaterial, readTlsMaterial } from "./tls.js";
import type { TlsMaterial } from "./tls.js";

export type { WebConfig } from "./config.js";

const PEM = {
  cert_file: { pattern: /-----BEGIN CERTIFICATE-----/, what: "certificate" },
  key_file: { pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/, what: "private key" },
  client_ca_file: { pattern: /-----BEGIN CERTIFICATE-----/, what: "certificate" },
} as const;

/** OpenSSL's reason without its `error:0A00018F:SSL routines::` prefix. */
function opensslReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^error:[0-9A-Fa-f]+:[^:]*:[^:]*:/, "");
}

/**
 * Reads each TLS file once to report every unreadable or non-PEM file, then checks that they
 * form a usable context (the key matches the certificate).
 */
async function checkTlsFiles(
  settings: TlsServerSettings,
): Promise<{ problems: LocatedProblem[]; causes: unknown[] }> {
  const problems: LocatedProblem[] = [];
  const causes: unknown[] = [];
  const files = {
    cert_file: settings.certFile,
    key_file: settings.keyFile,
    ...(settings.clientCaFile === undefined ? {} : { client_ca_file: settings.clientCaFile }),
  };
  await Promise.all(
    Object.entries(files).map(async ([key, file]) => {
      const segments = ["tls_server_config", key];
      const quoted = JSON.stringify(file);
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        causes.push(error);
        problems.push({ segments, message: `cannot read ${quoted}: ${describeFsError(error)}` });
        return;
      }
      const { pattern, what } = PEM[key as keyof typeof PEM];
      if (!pattern.test(text)) {
        problems.push({ segments, message: `${quoted} holds no PEM ${what}` });
      }
    }),
  );
  if (problems.length > 0) return { problems, causes };
  let material: TlsMaterial;
  try {
    material = readTlsMaterial(settings);
    checkTlsMaterial(settings, material);
  } catch (error) {
    // The error text is OpenSSL's reason; it never includes the PEM it failed on.
    problems.push({
      segments: ["tls_server_config"],
      message: `cannot use cert_file and key_file: ${opensslReason(error)}`,
    });
  }
  return { problems, causes };
}

function resolveTls(tls: ParsedTlsServerConfig, dir: string): TlsServerSettings {
  const resolve = (file: string) => (path.isAbsolute(file) ? file : path.join(dir, file));
  return {
    certFile: resolve(tls.cert_file),
    keyFile: resolve(tls.key_file),
    clientAuthType: tls.client_auth_type,
    ...(tls.client_ca_file === undefined ? {} : { clientCaFile: resolve(tls.client_ca_file) }),
    ...((tls.client_allowed_sans?.length ?? 0) === 0
      ? {}
      : { clientAllowedSans: Object.freeze([...(tls.client_allowed_sans ?? [])]) }),
    minVersion: tls.min_version,
    maxVersion: tls.max_version,
  };
}

/**
 * Loads and validates a web config file. Relative paths inside it are joined to its directory.
 *
 * @returns the frozen WebConfig; an empty file yields plain HTTP without authentication.
 * @throws ConfigError `CONFIG_UNREADABLE` when the file cannot be read, `CONFIG_INVALID` (every
 *   problem, each naming its key path) for bad YAML, a broken rule, or an unusable TLS file.
 */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const document = await readYamlFile(file);
  const validation = validateWebConfig(document.data ?? {});
  if (!validation.ok) {
    throw invalidFile(file, document, validation.problems, [validation.cause]);
  }
  const { config } = validation;
  const tls =
    config.tls_server_config === undefined
      ? undefined
      : resolveTls(config.tls_server_config, path.dirname(file));
  if (tls !== undefined) {
    const { problems, causes } = await checkTlsFiles(tls);
    if (problems.length > 0) {
      throw invalidFile(file, document, problems, causes);
    }
  }
  const headers = Object.fromEntries(
    Object.entries(config.http_server_config?.headers ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
    ),
  );
  const rateLimit = config.rate_limit;
  return Object.freeze({
    file,
    ...(tls === undefined ? {} : { tls: Object.freeze(tls) }),
    basicAuthUsers: new Map(Object.entries(config.basic_auth_users ?? {})),
    headers: Object.freeze(headers),
    ...(rateLimit === undefined || rateLimit.interval === 0
      ? {}
      : {
          rateLimit: Object.freeze({ intervalMs: rateLimit.interval, burst: rateLimit.burst ?? 1 }),
        }),
  });
}
