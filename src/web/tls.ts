/**
 * TLS for our own endpoints: reads the certificate files, turns `client_auth_type` into Node's
 * options, and enforces the two policies Node's handshake cannot express by itself
 * (RequireAnyClientCert and VerifyClientCertIfGiven) right after the handshake.
 */
import { isIP } from "node:net";
import type { SecureContextOptions, TLSSocket, TlsOptions } from "node:tls";
import { createSecureContext } from "node:tls";
import type { ClientAuthType, TlsServerSettings } from "./config.js";
import { TLS_VERSIONS } from "./schema.js";
import { fs } from "../util/builtins.js";

/** The PEM text of the certificate, key and client CA. The key is secret. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
}

/**
 * Reads the files named by `settings` (synchronously: it runs on a new connection, before the
 * handshake, and only when a file changed).
 *
 * @throws the file system error of the first file that cannot be read.
 */
export function readTlsMaterial(settings: TlsServerSettings): TlsMaterial {
  return {
    cert: fs.readFileSync(settings.certFile, "utf8"),
    key: fs.readFileSync(settings.keyFile, "utf8"),
    ...(settings.clientCaFile === undefined
      ? {}
      : { ca: fs.readFileSync(settings.clientCaFile, "utf8") }),
  };
}

/** What goes into a secure context: the material and the protocol versions. */
export function secureContextOptions(
  settings: TlsServerSettings,
  material: TlsMaterial,
): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    minVersion: TLS_VERSIONS[settings.minVersion],
    maxVersion: TLS_VERSIONS[settings.maxVersion],
  };
}

/**
 * Checks that the material makes a usable context (PEM parses, key matches certificate).
 *
 * @throws Error with OpenSSL's reason (never the PEM text) when it does not.
 */
export function checkTlsMaterial(settings: TlsServerSettings, material: TlsMaterial): void {
  createSecureContext(secureContextOptions(settings, material));
}

/** Whether the handshake asks for a client certificate and whether Node itself enforces it. */
function clientAuthOptions(
  type: ClientAuthType,
): Pick<TlsOptions, "requestCert" | "rejectUnauthorized"> {
  switch (type) {
    case "NoClientCert":
      return { requestCert: false, rejectUnauthorized: false };
    case "RequireAndVerifyClientCert":
      return { requestCert: true, rejectUnauthorized: true };
    default:
      // Asked for, then judged by `clientCertificateAllowed` once the handshake is done.
      return { requestCert: true, rejectUnauthorized: false };
  }
}

/** The options of `https.createServer` for `settings` and `material`. */
export function tlsServerOptions(settings: TlsServerSettings, material: TlsMaterial): TlsOptions {
  return {
    ...secureContextOptions(settings, material),
    ...clientAuthOptions(settings.clientAuthType),
    // A client that never finishes its handshake must not hold a socket for Node's 120 s default.
    handshakeTimeout: 10_000,
  };
}

/**
 * Whether a connection whose handshake just finished may go on under `type`: a certificate
 * is required (RequireAnyClientCert), or must verify when one was sent (VerifyClientCertIfGiven).
 * Node has already enforced RequireAndVerifyClientCert in the handshake.
 */
export function clientCertificateAllowed(type: ClientAuthType, socket: TLSSocket): boolean {
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  switch (type) {
    case "RequireAnyClientCert":
      return presented;
    case "VerifyClientCertIfGiven":
      return !presented || socket.authorized;
    default:
      return true;
  }
}

/** The SAN kinds exporter-toolkit matches: DNS names, IP addresses, e-mail addresses, URIs. */
const MATCHED_SAN_KINDS: ReadonlySet<string> = new Set(["DNS", "IP Address", "email", "URI"]);

/** An IPv6 address in its compressed lower-case form (`::1`), as Go prints it; others as given. */
function canonicalIp(value: string): string {
  return isIP(value) === 6 ? new URL(`http://[${value}]`).hostname.slice(1, -1) : value;
}

/**
 * The SANs of a certificate from Node's `subjectaltname` text (`DNS:a, IP Address:127.0.0.1,
 * email:…, URI:…`; values holding a comma or quote are JSON-quoted), the matched kinds only.
 */
export function subjectAltNames(text: string | undefined): string[] {
  const names: string[] = [];
  for (const match of (text ?? "").matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const [, kind = "", raw = ""] = match;
    if (!MATCHED_SAN_KINDS.has(kind)) continue;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    names.push(kind === "IP Address" ? canonicalIp(value) : value);
  }
  return names;
}

/**
 * `client_allowed_sans`: whether the client certificate of a finished handshake carries one of
 * `allowed` as a SAN, matched exactly (IP addresses compared in canonical form). True when
 * `allowed` is absent or empty; false when no certificate was sent.
 */
export function clientSanAllowed(
  allowed: readonly string[] | undefined,
  socket: TLSSocket,
): boolean {
  if (allowed === undefined || allowed.length === 0) return true;
  const wanted = new Set(allowed.map(canonicalIp));
  const presented = subjectAltNames(socket.getPeerX509Certificate()?.subjectAltName);
  return presented.some((name) => wanted.has(name));
}
