/**
 * One HTTP exchange with MoSAPI: take a per-credential slot, send a GET, read the body with a
 * size cap, decompress it, report the request to the observer, and translate transport
 * failures into `TimeoutError` (or its `SlotTimeoutError`) / `NetworkError`. Status codes are
 * interpreted by the caller.
 */
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import type { Dispatcher } from "undici";
import { util } from "../util/builtins.js";
import type { Deadline } from "./deadline.js";
import { SlotWaitExceeded, raceAbort } from "./deadline.js";
import type { ErrorContext } from "./errors.js";
import { InvalidResponseError, NetworkError, SlotTimeoutError, TimeoutError } from "./errors.js";
import type { Semaphore } from "./limiter.js";
import type { ClientObserver } from "./observer.js";
import { scrubError } from "./secrets.js";
import { request } from "./undici.js";

/** Default cap on a response body, compressed and decompressed: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** A complete answer: status, headers and the decoded body. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** One GET to send. */
export interface ExchangeRequest {
  readonly context: ErrorContext;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher;
  /**
   * Slots to hold for the request, taken in this order and released together: the target's
   * (one request at a time per target, so a slow target never holds more than one of its
   * credential's slots) and then the credential's (ICANN's per-account limit).
   */
  readonly limiters: readonly Semaphore[];
  /** Place in the limiters' queues: lower first (see limiter.ts); default last. */
  readonly priority?: number | undefined;
  /** Values masked in any error cause that leaves (password, Authorization value, cookie). */
  readonly secrets: readonly string[];
  /**
   * Asked once the slots are held, just before sending: false releases them and throws
   * {@link NotSentError}, nothing sent (a session cookie that came due for renewal while the
   * request waited for its slots).
   */
  readonly sendable?: (() => boolean) | undefined;
}

/**
 * Thrown by {@link exchange} when `sendable` said no: the request was not sent and may be
 * prepared anew. The client's own signal; it never leaves the client.
 */
export class NotSentError extends Error {
  constructor() {
    super("request not sent: its session cookie is due for renewal");
    this.name = "NotSentError";
  }
}

/** Shared collaborators of every exchange. */
export interface ExchangeDeps {
  readonly observer: ClientObserver;
  readonly maxResponseBytes: number;
}

/** undici's own timeouts; normally our deadline fires first, but they mean the same thing. */
const UNDICI_TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/**
 * What to throw for `error`, caught while working under `deadline`: a `SlotTimeoutError` when
 * the queue bound passed, a `TimeoutError` when the upstream deadline passed, the caller's own abort reason when the caller cancelled, `error` itself when
 * it is already one of ours, otherwise a `TimeoutError` or `NetworkError` with a scrubbed cause.
 */
export function transportFailure(
  error: unknown,
  context: ErrorContext,
  deadline: Deadline,
  secrets: readonly string[],
): unknown {
  if (deadline.signal.aborted) {
    const reason: unknown = deadline.signal.reason;
    if (reason instanceof SlotWaitExceeded) return new SlotTimeoutError(context, reason.timeoutMs);
    return deadline.exceeded()
      ? new TimeoutError(context, deadline.timeoutMs, scrubError(error, secrets))
      : deadline.signal.reason;
  }
  if (error instanceof InvalidResponseError || error instanceof TimeoutError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNDICI_TIMEOUT_CODES.has(code)) {
    return new TimeoutError(context, deadline.timeoutMs, scrubError(error, secrets));
  }
  return new NetworkError(context, scrubError(error, secrets));
}

/**
 * Sends `req` and returns the complete answer, whatever its status.
 *
 * The wait for the slots runs in `deadline.queued`: under an operation deadline it counts
 * against the queue bound, not the upstream timeout.
 *
 * @throws SlotTimeoutError (no slot within the queue bound), TimeoutError (deadline passed),
 *   NetworkError,
 *   InvalidResponseError (body too large, truncated, or undecodable), or the caller's abort reason.
 */
export async function exchange(
  req: ExchangeRequest,
  deps: ExchangeDeps,
  deadline: Deadline,
): Promise<RawResponse> {
  const { context, secrets } = req;
  const held: (() => void)[] = [];
  const release = (): void => {
    for (const releaseSlot of held.reverse()) releaseSlot();
  };
  try {
    await deadline.queued(async (signal) => {
      for (const limiter of req.limiters) held.push(await limiter.acquire(signal, req.priority));
    });
  } catch (error) {
    release();
    throw transportFailure(error, context, deadline, secrets);
  }
  if (req.sendable?.() === false) {
    release();
    throw new NotSentError();
  }
  const startedAt = performance.now();
  let code = "error";
  try {
    const response = await raceAbort(
      request(req.url, {
        method: "GET",
        headers: req.headers,
        dispatcher: req.dispatcher,
        signal: deadline.signal,
      }),
      deadline.signal,
      (late) => {
        late.body.destroy();
      },
    );
    code = String(response.statusCode);
    const raw = await readBody(response, deps.maxResponseBytes, context);
    const body = await decode(
      raw,
      response.headers["content-encoding"],
      deps.maxResponseBytes,
      context,
    );
    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    throw transportFailure(error, context, deadline, secrets);
  } finally {
    release();
    deps.observer.onRequest({
      endpoint: context.endpoint,
      code,
      seconds: (performance.now() - startedAt) / 1000,
    });
  }
}

function tooLarge(
  context: ErrorContext,
  max: number,
  what = "response body",
): InvalidResponseError {
  return new InvalidResponseError(context, `${what} larger than ${max} bytes`);
}

async function readBody(
  response: Dispatcher.ResponseData,
  max: number,
  context: ErrorContext,
): Promise<Buffer> {
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) {
    response.body.destroy();
    throw tooLarge(context, max);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Leaving the loop destroys the stream, so the rest is never buffered.
      if (size > max) throw tooLarge(context, max);
      chunks.push(chunk);
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === "UND_ERR_RES_CONTENT_LENGTH_MISMATCH") {
      throw new InvalidResponseError(context, "response body truncated", { cause: error });
    }
    throw error;
  }
  return Buffer.concat(chunks, size);
}

const gunzip = util.promisify(zlib.gunzip);
const inflate = util.promisify(zlib.inflate);
const inflateRaw = util.promisify(zlib.inflateRaw);
const brotli = util.promisify(zlib.brotliDecompress);

/** gzip's magic bytes: a body that starts with them is a gzip file, not JSON. */
function isGzipFile(body: Buffer): boolean {
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
}

/**
 * Decodes `content-encoding` (gzip, deflate, br, identity); MoSAPI may compress unasked. A body
 * that is still a gzip file afterwards is unpacked once more: SLAM stores its trace files as
 * `.json.gz` (docs/mosapi.md#probe-network-trees), and whether MoSAPI serves them as such or with
 * `Content-Encoding: gzip` is unknown, so both must read the same. No JSON starts with 0x1f.
 */
async function decode(
  body: Buffer,
  header: string | string[] | undefined,
  max: number,
  context: ErrorContext,
): Promise<Buffer> {
  const decoded = await decodeContent(body, header, max, context);
  if (!isGzipFile(decoded)) return decoded;
  return decodeContent(decoded, "gzip", max, context);
}

async function decodeContent(
  body: Buffer,
  header: string | string[] | undefined,
  max: number,
  context: ErrorContext,
): Promise<Buffer> {
  const encoding = (Array.isArray(header) ? header.join(",") : (header ?? "")).trim().toLowerCase();
  const options = { maxOutputLength: max };
  try {
    switch (encoding) {
      case "":
      case "identity":
        return body;
      case "gzip":
      case "x-gzip":
        return await gunzip(body, options);
      case "deflate":
        // RFC 9110 deflate is zlib-wrapped, but some servers send raw deflate.
        return await inflate(body, options).catch((error: unknown) => {
          if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw error;
          return inflateRaw(body, options);
        });
      case "br":
        return await brotli(body, options);
      default:
        throw new InvalidResponseError(
          context,
          `unsupported content-encoding ${JSON.stringify(encoding.slice(0, 40))}`,
        );
    }
  } catch (error) {
    if (error instanceof InvalidResponseError) throw error;
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw tooLarge(context, max, "decompressed response body");
    }
    throw new InvalidResponseError(context, `${encoding} response body could not be decoded`, {
      cause: error,
    });
  }
}
