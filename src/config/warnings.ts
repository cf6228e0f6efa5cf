/**
 * Valid but probably unintended settings. They do not stop the exporter; the caller logs them
 * and `--config.check` lists them. Each one is `<key path>: <what and why>`.
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import { formatDuration } from "./duration.js";
import { formatPath } from "./issues.js";
import type { ParsedConfig } from "./schema.js";

/** SLAM regenerates `monitoring/state` once a minute; faster polling of ICANN only adds load. */
const ICANN_MIN_INTERVAL_MS = 60_000;
/** ICANN documents 4 concurrent sessions per certificate (MoSAPI spec §12.3, as cited by Nomulus). */
const ICANN_MAX_SESSIONS = 4;

function isIcannHost(hostname: string): boolean {
  return hostname === "icann.org" || hostname.endsWith(".icann.org");
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * @returns the warnings for a validated config, in a fixed order (mosapi, credentials,
 *   collectors); empty when nothing looks unintended.
 */
export function configWarnings(config: ParsedConfig): string[] {
  const warnings: string[] = [];
  const url = new URL(config.mosapi.url);
  const icann = isIcannHost(url.hostname);
  const plainHttp = url.protocol === "http:";
  if (plainHttp && !isLoopbackHost(url.hostname)) {
    warnings.push(
      "mosapi.url: plain http sends passwords, session cookies and data unencrypted; use https (http is meant for the simulator on loopback)",
    );
  }
  if (config.mosapi.tls.insecureSkipVerify) {
    warnings.push(
      "mosapi.tls.insecure_skip_verify: TLS certificate verification of MoSAPI is OFF; anyone on the network path can read your credentials and session cookies and feed the exporter false data",
    );
  }
  if (icann && config.mosapi.maxConcurrency > ICANN_MAX_SESSIONS) {
    warnings.push(
      `mosapi.max_concurrency: ${config.mosapi.maxConcurrency} is above the ${ICANN_MAX_SESSIONS} concurrent sessions ICANN documents per certificate; MoSAPI may refuse the extra sessions`,
    );
  }
  const used = new Set(config.targets.map((target) => target.credentials));
  for (const [name, credential] of Object.entries(config.credentials)) {
    if (!used.has(name)) {
      warnings.push(`${formatPath(["credentials", name])}: not used by any target`);
    }
    if (plainHttp && credential.kind === "tls_client") {
      warnings.push(
        `${formatPath(["credentials", name, "tls_client"])}: a client certificate is only presented over https, but mosapi.url is http`,
      );
    }
  }
  for (const name of COLLECTOR_NAMES) {
    const interval = config.collectors[name];
    if (icann && interval !== 0 && interval < ICANN_MIN_INTERVAL_MS) {
      warnings.push(
        `collectors.${name}: ${formatDuration(interval)} is below ${formatDuration(ICANN_MIN_INTERVAL_MS)}; ICANN regenerates MoSAPI data about once a minute, so shorter intervals only add load on ${url.hostname} (they are meant for the simulator)`,
      );
    }
  }
  return warnings;
}
