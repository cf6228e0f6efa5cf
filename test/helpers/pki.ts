/**
 * A throwaway PKI for TLS tests, made with the `openssl` CLI (run without a shell) in a temp
 * directory: a CA, a server certificate for 127.0.0.1 / localhost, and client certificates with
 * a chosen subject CN. Keys are P-256 so generation takes milliseconds.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { findTool } from "./tools.js";

const run = promisify(execFile);

/** A certificate and its private key, as PEM strings and as files. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** The CA and what it issued. */
export interface TestPki {
  readonly dir: string;
  readonly ca: PemPair;
  /** Server certificate: SAN IP:127.0.0.1 and DNS:localhost, serverAuth. */
  readonly server: PemPair;
  /** Issues a clientAuth certificate with subject CN `commonName`. */
  client(commonName: string): Promise<PemPair>;
  /** Deletes the directory. */
  cleanup(): Promise<void>;
}

const KEY_ARGS = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A minimal openssl config, so the host's openssl.cnf adds no extensions of its own. */
const REQ_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

async function openssl(dir: string, args: readonly string[]): Promise<void> {
  await run(findTool("openssl", "openssl"), args, { cwd: dir });
}

async function pair(dir: string, name: string): Promise<PemPair> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const [cert, key] = await Promise.all([readFile(certFile, "utf8"), readFile(keyFile, "utf8")]);
  return { cert, key, certFile, keyFile };
}

/** Files names are derived from a counter, never from the CN, so any CN is safe. */
async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  serial: number,
): Promise<PemPair> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    "req",
    "-new",
    ...KEY_ARGS,
    "-config",
    "openssl.cnf",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    subject,
  ]);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-set_serial",
    String(serial),
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.crt`,
  ]);
  return pair(dir, name);
}

/** Escapes a value for openssl's `-subj /CN=…` syntax. */
function subjectCn(commonName: string): string {
  return `/CN=${commonName.replace(/[\\/]/g, "\\$&")}`;
}

/**
 * Creates a CA and a server certificate in a fresh directory under the OS temp dir.
 * @throws when `openssl` is missing or fails
 */
export async function createTestPki(caName = "mosapi-exporter test CA"): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), "mosapi-pki-"));
  await writeFile(join(dir, "openssl.cnf"), REQ_CONFIG);
  await openssl(dir, [
    "req",
    "-x509",
    ...KEY_ARGS,
    "-config",
    "openssl.cnf",
    "-extensions",
    "ca_ext",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-subj",
    subjectCn(caName),
    "-days",
    "2",
  ]);
  const ca = await pair(dir, "ca");
  const server = await issue(
    dir,
    "server",
    "/CN=127.0.0.1",
    "basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n" +
      "subjectAltName = IP:127.0.0.1, DNS:localhost\n",
    1,
  );
  let serial = 1;
  return {
    dir,
    ca,
    server,
    client: (commonName) => {
      serial += 1;
      return issue(
        dir,
        `client-${serial}`,
        subjectCn(commonName),
        "basicConstraints = CA:FALSE\nextendedKeyUsage = clientAuth\n",
        serial,
      );
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
