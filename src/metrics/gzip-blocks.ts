/**
 * The `/metrics` body gzipped without compressing it whole on every scrape. A gzip file may be
 * a series of members, each a complete gzip stream, that a reader inflates into the
 * concatenation of their contents (RFC 1952 §2.2); Go's `compress/gzip` (Prometheus) and Node's
 * zlib read such files. So each cached chunk of the body is compressed once into its own member
 * and kept for as long as the chunk object lives: after a snapshot change only the chunks that
 * changed are compressed again. Compression runs on libuv's thread pool, off the event loop.
 *
 * One member per chunk costs some ratio (each member starts without a history, and has 18 bytes
 * of header and trailer): at 1,000 targets the members add up to 1.24 times the size of the
 * body compressed whole (BENCHMARKS.md).
 */
import { gzip } from "node:zlib";

/** zlib's default level, the one Go's `gzip.DefaultCompression` and the floor benchmark use. */
export const GZIP_LEVEL = 6;

/** Compresses `chunk` into one gzip member on the thread pool. */
export function gzipMember(chunk: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzip(chunk, { level: GZIP_LEVEL }, (err, member) => {
      if (err === null) resolve(member);
      else reject(err);
    });
  });
}

/**
 * Gzip members of immutable chunks, each compressed once per chunk object (callers must never
 * modify a chunk after handing it in, which the renderer's cached chunks guarantee), and the
 * joined body of the last list of chunks.
 */
export class GzipBlocks {
  /** Keyed weakly: a chunk dropped by the renderer takes its member with it. */
  readonly #members = new WeakMap<Uint8Array, Promise<Buffer>>();
  readonly #onCompressed: (chunk: Uint8Array) => void;
  #joined: { readonly chunks: readonly Uint8Array[]; readonly body: Promise<Buffer> } | undefined;

  /** @param onCompressed called with every chunk actually compressed (not found in the cache) */
  constructor(onCompressed: (chunk: Uint8Array) => void = () => {}) {
    this.#onCompressed = onCompressed;
  }

  /**
   * The gzip member of `chunk`. Concurrent calls for one chunk share one compression; a failed
   * compression is forgotten, so a later call tries again.
   */
  member(chunk: Uint8Array): Promise<Buffer> {
    let member = this.#members.get(chunk);
    if (member === undefined) {
      this.#onCompressed(chunk);
      member = gzipMember(chunk);
      this.#members.set(chunk, member);
      member.catch(() => this.#members.delete(chunk));
    }
    return member;
  }

  /**
   * `chunks` as one gzip file: their members concatenated into one Buffer (one write to the
   * socket instead of hundreds). The same array as the last call returns the same Buffer, so
   * scrapes between two snapshot versions cost a lookup; never modify the result.
   */
  join(chunks: readonly Uint8Array[]): Promise<Buffer> {
    if (this.#joined?.chunks !== chunks) {
      const body = Promise.all(chunks.map((chunk) => this.member(chunk))).then((members) =>
        Buffer.concat(members),
      );
      this.#joined = { chunks, body };
      body.catch(() => {
        if (this.#joined?.body === body) this.#joined = undefined;
      });
    }
    return this.#joined.body;
  }
}
