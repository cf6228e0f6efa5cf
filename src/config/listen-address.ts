import { isIP } from "node:net";
import { FlagError } from "./errors.js";
import { quote } from "./quote.js";

/** A parsed `--web.listen-address`: `host` undefined means all interfaces. */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Parses a listen address in the Go form Prometheus users know: `:9745` (all interfaces),
 * `127.0.0.1:9745`, `[::1]:9745`, `localhost:9745`. Port 0 asks for an ephemeral port.
 *
 * @returns the host (brackets removed from IPv6) and port.
 * @throws FlagError when the address is not `[host]:port` with a port from 0 to 65535, or an
 *   IPv6 host lacks brackets.
 */
export function parseListenAddress(addr: string): ListenAddress {
  const invalid = (why: string): FlagError =>
    new FlagError(
      `invalid listen address ${quote(addr)}: ${why}; expected [host]:port, e.g. :9745, 127.0.0.1:9745 or [::1]:9745`,
    );
  const colon = addr.lastIndexOf(":");
  if (colon < 0) throw invalid("no port");
  const hostPart = addr.slice(0, colon);
  const portPart = addr.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portPart) || Number(portPart) > 65535) {
    throw invalid("the port must be a number from 0 to 65535");
  }
  const port = Number(portPart);
  if (hostPart === "") return { host: undefined, port };
  if (hostPart.startsWith("[") && hostPart.endsWith("]")) {
    const host = hostPart.slice(1, -1);
    if (isIP(host) !== 6) throw invalid("brackets must hold an IPv6 address");
    return { host, port };
  }
  if (hostPart.includes(":")) throw invalid("an IPv6 address needs brackets");
  if (isIP(hostPart) !== 4 && !HOSTNAME.test(hostPart)) throw invalid("the host is not valid");
  return { host: hostPart, port };
}
