/**
 * Re-reads our TLS certificate, key and client CA when they change, without a restart. On each
 * new connection, before its handshake starts, the files are stat()ed; when any of them changed
 * (inode, size, mtime or ctime: a Kubernetes secret update swaps a symlink, `cp` rewrites in
 * place), they are read and the server's context replaced. A broken new set (half written,
 * key not matching) keeps the old context and logs one error per change.
 */
import type { Server as TlsServer } from "node:tls";
import type { Logger } from "../log/logger.js";
import type { TlsServerSettings } from "./config.js";
import { checkTlsMaterial, readTlsMaterial, secureContextOptions } from "./tls.js";
import { fs } from "../util/builtins.js";

/** What identifies one version of the files; changes with any rewrite or replacement. */
function fileStamp(settings: TlsServerSettings): string {
  const files = [settings.certFile, settings.keyFile, settings.clientCaFile];
  return files
    .map((file) => {
      if (file === undefined) return "";
      try {
        const s = fs.statSync(file, { bigint: true });
        return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
      } catch {
        // A file missing for a moment (mid-rotation) is a change; reading it then fails loudly.
        return "missing";
      }
    })
    .join("|");
}

/**
 * Keeps `server`'s certificates current. Call once, right after creating the server; the
 * listener is prepended so it runs before the server wraps the new socket in TLS.
 */
export function watchCertificates(
  server: TlsServer,
  settings: TlsServerSettings,
  logger: Logger | undefined,
): void {
  let current = fileStamp(settings);
  server.prependListener("connection", () => {
    const stamp = fileStamp(settings);
    if (stamp === current) return;
    // Remember the stamp even on failure: one error per change, not one per connection.
    current = stamp;
    try {
      const material = readTlsMaterial(settings);
      checkTlsMaterial(settings, material);
      server.setSecureContext(secureContextOptions(settings, material));
      logger?.info({ cert_file: settings.certFile }, "TLS certificate reloaded");
    } catch (err) {
      logger?.error(
        { err, cert_file: settings.certFile, key_file: settings.keyFile },
        "TLS certificate changed but cannot be used; still serving the previous one",
      );
    }
  });
}
