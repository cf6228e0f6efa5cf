/**
 * Credentials as the MoSAPI client needs them, secrets already resolved from files or the
 * environment by the config loader. Never log or print these objects: `password`, `key` and
 * `cert` material are secrets (the certificate is not secret, but dumps show files, not PEM).
 */
export type Credential =
  | {
      readonly kind: "basic";
      readonly username: string;
      /** The resolved password (trailing newline of a password file removed). */
      readonly password: string;
    }
  | {
      readonly kind: "tls_client";
      readonly certFile: string;
      readonly keyFile: string;
      /** PEM contents of `certFile`. */
      readonly cert: string;
      /** PEM contents of `keyFile`. */
      readonly key: string;
    };

/** True when both credentials would authenticate identically (secrets compared, not shown). */
export function sameCredential(a: Credential | undefined, b: Credential | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a.kind === "basic" && b.kind === "basic") {
    return a.username === b.username && a.password === b.password;
  }
  if (a.kind === "tls_client" && b.kind === "tls_client") {
    return a.cert === b.cert && a.key === b.key;
  }
  return false;
}
