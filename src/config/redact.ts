/**
 * The `--config.check` report: the effective configuration in the file's own YAML shape, with
 * defaults filled in, durations formatted, and every secret replaced. Passwords appear only as
 * `<secret>` (inline) or by their source (file path, variable name); client certificates and
 * keys only by their file paths. The output is deterministic, so it can be a golden file.
 */
import { Document, isScalar } from "yaml";
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import type { Credential } from "../mosapi/credentials.js";
import type { Config } from "./config.js";
import { formatDuration } from "./duration.js";
import { passwordSourceOf } from "./password-source.js";

/** What `--config.check` prints instead of a secret value. */
export const SECRET_PLACEHOLDER = "<secret>";

function redactCredential(credential: Credential): Record<string, Record<string, string>> {
  if (credential.kind === "tls_client") {
    return { tls_client: { cert_file: credential.certFile, key_file: credential.keyFile } };
  }
  const source = passwordSourceOf(credential);
  const password: Record<string, string> =
    source.key === "password_file"
      ? { password_file: source.file }
      : source.key === "password_env"
        ? { password_env: source.variable }
        : { password: SECRET_PLACEHOLDER };
  return { basic: { username: credential.username, ...password } };
}

/**
 * @returns the redacted, printable effective configuration: a first line
 *   `mosapi-exporter: configuration <file> is valid`, the configuration as YAML, then the
 *   warnings, if any. Never contains a password, a private key or certificate contents.
 */
export function formatConfigCheck(config: Config): string {
  const { mosapi } = config;
  const doc = new Document({
    mosapi: {
      url: mosapi.url,
      version: mosapi.version,
      timeout: formatDuration(mosapi.timeoutMs),
      max_concurrency: mosapi.maxConcurrency,
      ...(mosapi.sourceAddress === undefined ? {} : { source_address: mosapi.sourceAddress }),
      tls: {
        ...(mosapi.tls.caFile === undefined ? {} : { ca_file: mosapi.tls.caFile }),
        min_version: mosapi.tls.minVersion,
        ...(mosapi.tls.insecureSkipVerify ? { insecure_skip_verify: true } : {}),
      },
    },
    credentials: Object.fromEntries(
      [...config.credentials].map(([name, credential]) => [name, redactCredential(credential)]),
    ),
    targets: config.targets.map((target) => ({
      ...(target.entity === "ry" ? { tld: target.id } : { registrar_id: target.id }),
      credentials: target.credentials,
      ...(target.troubleshooting === undefined ? {} : { troubleshooting: target.troubleshooting }),
    })),
    collectors: Object.fromEntries(
      COLLECTOR_NAMES.map((name) => [name, formatDuration(config.collectors[name])]),
    ),
  });
  for (const name of COLLECTOR_NAMES) {
    const node = doc.getIn(["collectors", name], true);
    if (config.collectors[name] === 0 && isScalar(node)) node.comment = " disabled";
  }
  const count = config.warnings.length;
  const summary = count === 0 ? "" : `, ${count} warning${count === 1 ? "" : "s"}`;
  const warnings =
    count === 0 ? "" : `\nwarnings:\n${config.warnings.map((w) => `  - ${w}\n`).join("")}`;
  return (
    `mosapi-exporter: configuration ${config.file} is valid${summary}\n\n` +
    doc.toString({ lineWidth: 0 }) +
    warnings
  );
}
