/**
 * Remembers where each Basic password came from, so `--config.check` can show
 * `password_file: /etc/mosapi/example.password` instead of the password. `Credential` (a shared
 * contract) carries only the resolved secret; this side table keeps the origin next to it
 * without widening that type. Entries die with their credential objects.
 */
import type { Credential } from "../mosapi/credentials.js";

/** The origin of a Basic password, without the password. */
export type PasswordSource =
  | { readonly key: "password" }
  | { readonly key: "password_file"; readonly file: string }
  | { readonly key: "password_env"; readonly variable: string };

const sources = new WeakMap<Credential, PasswordSource>();

/** Records the origin of a Basic credential's password (called by the loader). */
export function rememberPasswordSource(credential: Credential, source: PasswordSource): void {
  sources.set(credential, source);
}

/**
 * @returns where the credential's password came from, or `{ key: "password" }` (shown as an
 *   inline secret) for a credential the loader did not create.
 */
export function passwordSourceOf(credential: Credential): PasswordSource {
  return sources.get(credential) ?? { key: "password" };
}
