/**
 * Resolves what the config file only points to: password files, password environment
 * variables, client certificates and keys, the CA bundle. Relative paths are joined to the
 * config file's directory. Problems name the file or variable, never its contents.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Credential } from "../mosapi/credentials.js";
import type { LocatedProblem } from "./issues.js";
import type { PasswordSource } from "./password-source.js";
import { rememberPasswordSource } from "./password-source.js";
import type { ParsedConfig, ParsedCredential, PasswordSpec } from "./schema.js";
import { util } from "../util/builtins.js";

/** Where relative paths start and where `password_env` variables are looked up. */
export interface SecretContext {
  readonly dir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What `resolveSecrets` found: everything resolved, or every problem. */
export interface ResolvedSecrets {
  readonly credentials: ReadonlyMap<string, Credential>;
  readonly ca: string | undefined;
  readonly caFile: string | undefined;
  readonly problems: readonly LocatedProblem[];
  /** The underlying errors (file system errors), for `cause`. */
  readonly causes: readonly unknown[];
}

class SecretError extends Error {}

/** `ENOENT (no such file or directory)` for a Node system error, else its message. */
export function describeFsError(error: unknown): string {
  const { code, errno, message } = error as NodeJS.ErrnoException;
  const description = errno === undefined ? undefined : util.getSystemErrorMap().get(errno)?.[1];
  return code !== undefined && description !== undefined ? `${code} (${description})` : message;
}

const PEM_BLOCKS = {
  certificate: { pattern: /-----BEGIN CERTIFICATE-----/, example: "-----BEGIN CERTIFICATE-----" },
  "private key": {
    pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
    example: "-----BEGIN PRIVATE KEY-----",
  },
} as const;

/** One resolution run: reads files, collects problems and their underlying errors. */
class Resolver {
  readonly problems: LocatedProblem[] = [];
  readonly causes: unknown[] = [];

  readonly #context: SecretContext;

  constructor(context: SecretContext) {
    this.#context = context;
  }

  path(file: string): string {
    return path.isAbsolute(file) ? file : path.join(this.#context.dir, file);
  }

  /** Runs `work`; a SecretError becomes a problem at `segments` and the result undefined. */
  async attempt<T>(segments: readonly PropertyKey[], work: Promise<T>): Promise<T | undefined> {
    try {
      return await work;
    } catch (error) {
      if (!(error instanceof SecretError)) throw error;
      this.problems.push({ segments, message: error.message });
      return undefined;
    }
  }

  async readText(file: string): Promise<string> {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      this.causes.push(error);
      throw new SecretError(`cannot read ${JSON.stringify(file)}: ${describeFsError(error)}`);
    }
  }

  async readPem(file: string, kind: keyof typeof PEM_BLOCKS): Promise<string> {
    const pem = await this.readText(file);
    const quoted = JSON.stringify(file);
    if (!pem.includes("-----BEGIN")) {
      throw new SecretError(`${quoted} does not look like PEM: no "-----BEGIN" line`);
    }
    const { pattern, example } = PEM_BLOCKS[kind];
    if (!pattern.test(pem)) {
      throw new SecretError(`${quoted} holds no PEM ${kind}: expected a "${example}" block`);
    }
    return pem;
  }

  async readPassword(spec: PasswordSpec): Promise<{ password: string; source: PasswordSource }> {
    switch (spec.key) {
      case "password":
        return { password: spec.value, source: { key: spec.key } };
      case "password_file": {
        const file = this.path(spec.file);
        // A file written by `echo` or an editor ends in a newline that is not part of the secret.
        const password = (await this.readText(file)).replace(/\r?\n$/, "");
        const quoted = JSON.stringify(file);
        if (password === "") throw new SecretError(`${quoted} is empty`);
        if (/[\r\n]/.test(password)) {
          throw new SecretError(
            `${quoted} holds more than one line; expected the password and at most one trailing newline`,
          );
        }
        return { password, source: { key: spec.key, file } };
      }
      case "password_env": {
        const password = this.#context.env[spec.variable];
        const quoted = JSON.stringify(spec.variable);
        if (password === undefined) {
          throw new SecretError(`environment variable ${quoted} is not set`);
        }
        if (password === "") throw new SecretError(`environment variable ${quoted} is empty`);
        if (/[\r\n]/.test(password)) {
          throw new SecretError(`environment variable ${quoted} contains a line break`);
        }
        return { password, source: { key: spec.key, variable: spec.variable } };
      }
    }
  }

  async credential(name: string, spec: ParsedCredential): Promise<Credential | undefined> {
    if (spec.kind === "basic") {
      const segments = ["credentials", name, "basic", spec.source.key];
      const read = await this.attempt(segments, this.readPassword(spec.source));
      if (read === undefined) return undefined;
      const credential: Credential = Object.freeze({
        kind: "basic",
        username: spec.username,
        password: read.password,
      });
      rememberPasswordSource(credential, Object.freeze(read.source));
      return credential;
    }
    const certFile = this.path(spec.certFile);
    const keyFile = this.path(spec.keyFile);
    const [cert, key] = await Promise.all([
      this.attempt(
        ["credentials", name, "tls_client", "cert_file"],
        this.readPem(certFile, "certificate"),
      ),
      this.attempt(
        ["credentials", name, "tls_client", "key_file"],
        this.readPem(keyFile, "private key"),
      ),
    ]);
    if (cert === undefined || key === undefined) return undefined;
    return Object.freeze({ kind: "tls_client", certFile, keyFile, cert, key });
  }
}

/**
 * Resolves every secret of a validated config, collecting all problems.
 *
 * @returns resolved credentials (file order) and CA, or the problems (with their key paths,
 *   e.g. `credentials.rsp-cert.tls_client.key_file`). Never throws for a bad file.
 */
export async function resolveSecrets(
  config: ParsedConfig,
  context: SecretContext,
): Promise<ResolvedSecrets> {
  const resolver = new Resolver(context);
  const { caFile } = config.mosapi.tls;
  const caPath = caFile === undefined ? undefined : resolver.path(caFile);
  const [ca, ...resolved] = await Promise.all([
    caPath === undefined
      ? undefined
      : resolver.attempt(["mosapi", "tls", "ca_file"], resolver.readPem(caPath, "certificate")),
    ...Object.entries(config.credentials).map(
      async ([name, spec]) => [name, await resolver.credential(name, spec)] as const,
    ),
  ]);
  const credentials = new Map<string, Credential>();
  for (const [name, credential] of resolved) {
    if (credential !== undefined) credentials.set(name, credential);
  }
  return {
    credentials,
    ca,
    caFile: caPath,
    problems: resolver.problems,
    causes: resolver.causes,
  };
}
