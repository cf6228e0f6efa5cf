/**
 * Who is calling: HTTP Basic credentials (only `/login` honours them), the `id` session cookie,
 * and a TLS client certificate verified against the simulator's client CA, identified by its
 * subject CN (docs/mosapi.md#authentication).
 */
import type { IncomingMessage } from "node:http";
import { TLSSocket } from "node:tls";
import type { Scenario } from "./scenario.js";

/** Basic credentials from an `Authorization` header, or undefined when absent or not Basic. */
export function basicCredentials(
  header: string | undefined,
): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Value of the `id` cookie, or undefined. */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "id" && value.length > 0) return value.join("=");
  }
  return undefined;
}

/**
 * Subject CN of the client certificate, when one was presented AND chains to the client CA.
 * Undefined on plain HTTP, without a certificate, or with an untrusted one (the server accepts
 * such connections so that Basic and cookies still work on them).
 */
export function verifiedClientName(req: IncomingMessage): string | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cn: unknown = socket.getPeerCertificate().subject.CN;
  if (typeof cn === "string") return cn;
  return Array.isArray(cn) && typeof cn[0] === "string" ? cn[0] : undefined;
}

/** The account matching both username and password that may access `targetKey`, if any. */
export function authorizedAccount(
  scenario: Scenario,
  credentials: { username: string; password: string } | undefined,
  targetKey: string,
): string | undefined {
  if (credentials === undefined) return undefined;
  const account = scenario.accounts.find(
    (a) => a.username === credentials.username && a.password === credentials.password,
  );
  return account?.targets.includes(targetKey) === true ? account.username : undefined;
}

/** Whether the scenario authorizes the certificate CN for `targetKey`. */
export function certificateAuthorized(
  scenario: Scenario,
  commonName: string,
  targetKey: string,
): boolean {
  return scenario.certificates.some(
    (c) => c.commonName === commonName && c.targets.includes(targetKey),
  );
}
