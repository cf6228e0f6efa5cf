/**
 * undici Agents for talking to MoSAPI: server verification always on, optional private CA and
 * minimum TLS version, the client certificate of a `tls_client` credential, and the allow-listed
 * source address ICANN expects our requests from.
 */
import { isIP } from "node:net";
import type { Agent } from "undici";
import { AgentClass } from "./undici.js";

/** Everything an Agent needs; PEM strings, not file names. */
export interface AgentSettings {
  /** Client certificate (PEM) of a `tls_client` credential; needs `key`. */
  readonly cert?: string;
  /** Private key (PEM) of `cert`. Secret. */
  readonly key?: string;
  /** CA bundle (PEM) to verify MoSAPI with instead of Node's default roots. */
  readonly ca?: string;
  readonly minVersion?: "TLSv1.2" | "TLSv1.3";
  /** Skip verifying the server certificate (explicit opt-in only; default: verify). */
  readonly insecureSkipVerify?: boolean;
  /** Local IP address to bind outgoing sockets to. */
  readonly sourceAddress?: string;
  /** Connect, headers and body timeouts; the client's own deadline normally fires first. */
  readonly timeoutMs: number;
}

/**
 * The Agent options for `settings` (pure; exported for tests). `localAddress` is set on the
 * Agent, not in `connect`: undici passes the client-level value to its connector, overriding
 * anything in the connect options.
 *
 * @throws TypeError when only one of `cert` and `key` is given, or `sourceAddress` is not an IP.
 */
export function agentOptions(settings: AgentSettings): Agent.Options {
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    throw new TypeError("a client certificate needs both cert and key");
  }
  // undici would only notice on the first connection; fail at construction instead.
  if (settings.sourceAddress !== undefined && isIP(settings.sourceAddress) === 0) {
    throw new TypeError(`source address must be an IP address, got ${settings.sourceAddress}`);
  }
  return {
    connect: {
      rejectUnauthorized: settings.insecureSkipVerify !== true,
      timeout: settings.timeoutMs,
      ...(settings.ca === undefined ? {} : { ca: settings.ca }),
      ...(settings.cert === undefined ? {} : { cert: settings.cert }),
      ...(settings.key === undefined ? {} : { key: settings.key }),
      ...(settings.minVersion === undefined ? {} : { minVersion: settings.minVersion }),
    },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
    ...(settings.sourceAddress === undefined ? {} : { localAddress: settings.sourceAddress }),
  };
}

/**
 * A new undici Agent for `settings`. The caller owns it and must `close()` it.
 *
 * @throws TypeError for an incomplete certificate pair or an invalid `sourceAddress`.
 */
export function createAgent(settings: AgentSettings): Agent {
  return new AgentClass(agentOptions(settings));
}
