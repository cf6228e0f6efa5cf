/**
 * Keeps secrets out of errors that leave the client. Our own messages never quote secrets, but
 * errors from below may: undici's mock and some socket errors quote request headers, and
 * `JSON.parse` quotes the start of the body. Such causes are replaced by a copy with every known
 * secret masked, because pino's error serializer prints the whole cause chain.
 */

const MASK = "<secret>";

/** `text` with every occurrence of every (non-empty) secret replaced by `<secret>`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== "") result = result.split(secret).join(MASK);
  }
  return result;
}

/**
 * `error` itself when neither its message, stack nor causes (up to a few levels) quote a secret;
 * otherwise a plain `Error` copy with the same name and `code`, secrets masked, and a scrubbed
 * cause chain.
 */
export function scrubError(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!(error instanceof Error) || depth > 4) return error;
  const cause = "cause" in error ? scrubError(error.cause, secrets, depth + 1) : undefined;
  const message = scrubText(error.message, secrets);
  const stack = error.stack === undefined ? undefined : scrubText(error.stack, secrets);
  if (message === error.message && stack === error.stack && cause === error.cause) return error;
  const copy = new Error(message, cause === undefined ? undefined : { cause });
  copy.name = error.name;
  if (stack !== undefined) copy.stack = stack;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) Object.defineProperty(copy, "code", { value: code, enumerable: true });
  return copy;
}
