/**
 * The `/metrics` body gzipped without compressing it whole on every scrape. A gzip file may be
 * a series of members, each a complete gzip stream, that a reader inflates into the
 * concatenation of their contents (RFC 1952 §2.2); Go's `compress/gzip` (Prometheus) and Node's
 * zlib read such files. So each cached chunk of the body is compressed once into its own member
 * and kept for as long as the chunk object lives: after a snapshot change only the chunks that
 * changed are compressed again.
 *
 * The chunks are compressed on the event loop, not on libuv's thread pool: a chunk is a few kB
 * (median 3.8 kB at 1,000 targets), and a round trip to the pool costs far more than that
 * (measured: the 17 chunks a one-target change leaves, 247 kB, took 11 ms of CPU on the pool
 * and 1.5 ms inline). The renderer compresses each block's chunks as it builds the block,
 * ahead of the scrape when it can (render.ts).
 *
 * One member per chunk costs some ratio (each member starts without a history, and has 18 bytes
 * of header and trailer): at 1,000 targets the members add up to 1.24 times the size of the
 * body compressed whole (BENCHMARKS.md).
 */
import { gunzipSync, gzip, gzipSync } from "node:zlib";

/** zlib's default level, the one Go's `gzip.DefaultCompression` and the floor benchmark use. */
export const GZIP_LEVEL = 6;

/**
 * zlib's settings for the chunks' members: an 8 kB window (`windowBits` 13, not 15) and
 * `memLevel` 6 (not 8). Each member is a stream of its own, whose state is allocated and freed
 * with it: at the defaults, four 64 kB allocations, each above the image's glibc mmap
 * threshold (Dockerfile), so each is mapped, faulted in and unmapped again, 561 times per
 * 1,000-target body. Compressing that body cost 135 ms of CPU on Node 20 and 471 ms on
 * Node 26 at the defaults, 43 and 159 ms with these (`npm run bench -- --only=members`), for
 * 0.5 % more bytes: a chunk is 3.8 kB at the median and 97 kB at most, and a line repeats its
 * names well within 8 kB. Any gzip reader inflates such streams, with a smaller window too.
 */
const MEMBER_OPTIONS = { level: GZIP_LEVEL, windowBits: 13, memLevel: 6 } as const;

/** Compresses `chunk` into one gzip member on the thread pool (for one large body). */
export function gzipMember(chunk: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gzip(chunk, { level: GZIP_LEVEL }, (err, member) => {
      if (err === null) resolve(member);
      else reject(err);
    });
  });
}

/**
 * zlib's output buffers for a chunk of `length` bytes: a sixteenth of it, from 1 to 16 kB. The
 * exposition compresses about 20:1, so most members fit one buffer, and a small chunk does not
 * take 16 kB: on Node 26 buffers under 32 kB come from Buffer's 64 kB pool (8 kB on Node 20).
 */
function outputSize(length: number): number {
  return Math.min(16 * 1024, Math.max(1024, Math.ceil(length / 16)));
}

/**
 * Compresses `chunk` into one gzip member now, on the event loop (for small chunks). The member
 * owns its memory, exactly its size: zlib returns a view of its output buffer, which would keep
 * the whole buffer alive for as long as the member is cached (measured: 560 members of about
 * 200 bytes held 8.7 MB of Node 20's 16 kB output buffers; on Node 26, where those buffers and
 * small copies are slices of Buffer's 64 kB pool, the 561 members of a 1,000-target body held
 * 188 pool slabs, 11.8 MB, until they were joined, against 0.34 MB now; BENCHMARKS.md).
 */
export function gzipMemberSync(chunk: Uint8Array): Buffer {
  const member = gzipSync(chunk, { ...MEMBER_OPTIONS, chunkSize: outputSize(chunk.byteLength) });
  if (member.byteLength === member.buffer.byteLength) return member;
  const own = Buffer.allocUnsafeSlow(member.byteLength);
  member.copy(own);
  return own;
}

/** Whether `chunk`'s memory was given back (release.ts): its ArrayBuffer is detached. */
function givenBack(chunk: Uint8Array): boolean {
  if (chunk.byteLength > 0) return false;
  // `detached` from Node 22; on Node 20 only the throw of `slice` tells.
  const buffer = chunk.buffer as ArrayBufferLike & { readonly detached?: boolean };
  if (buffer.detached !== undefined) return buffer.detached;
  try {
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * `file`, the gzip `members` back to back, inflated into one buffer: each member's trailer
 * says its length (ISIZE, RFC 1952 §2.3.1), so zlib writes them all into one buffer.
 */
function inflated(file: Buffer, members: readonly Buffer[]): Buffer {
  if (members.length === 0) return Buffer.alloc(0);
  const length = members.reduce(
    (sum, member) => sum + member.readUInt32LE(member.byteLength - 4),
    0,
  );
  return gunzipSync(file, { chunkSize: Math.max(64, length) });
}

/**
 * Gzip members of immutable chunks, each compressed once per chunk object (callers must never
 * modify a chunk after handing it in, which the renderer's cached chunks guarantee): one
 * compressed copy per chunk, dropped with it.
 */
export class GzipBlocks {
  /** Keyed weakly: a chunk dropped by the renderer takes its member with it. */
  readonly #members = new WeakMap<Uint8Array, Buffer>();
  readonly #onCompressed: (chunk: Uint8Array) => void;
  #last: { readonly chunks: readonly Uint8Array[]; readonly body: Buffer } | undefined;

  /** @param onCompressed called with every chunk actually compressed (not found in the cache) */
  constructor(onCompressed: (chunk: Uint8Array) => void = () => {}) {
    this.#onCompressed = onCompressed;
  }

  /**
   * The gzip member of `chunk`, compressed now unless it was before.
   *
   * @throws Error for an empty chunk without a member: its memory was given back (the
   *   renderer's `pack`), and compressing it would send nothing in its place
   */
  member(chunk: Uint8Array): Buffer {
    let member = this.#members.get(chunk);
    if (member === undefined) {
      if (givenBack(chunk)) throw new Error("a chunk given back has no gzip member");
      this.#onCompressed(chunk);
      member = gzipMemberSync(chunk);
      this.#members.set(chunk, member);
    }
    return member;
  }

  /** Compresses `chunk` into its member now, unless it was before ({@link member}). */
  keep(chunk: Uint8Array): void {
    this.member(chunk);
  }

  /** Whether `chunk` has its member (and so can be restored once its memory is given back). */
  has(chunk: Uint8Array): boolean {
    return this.#members.has(chunk);
  }

  /**
   * The bytes of `chunks` back to back, inflated from their members (for chunks whose memory
   * was given back) in one call: a Buffer of its own memory when over Buffer's pool size.
   * One call, not one per chunk (measured: 17 calls per block of the bench fleet cost 5 ms,
   * a zlib object each).
   */
  restore(chunks: readonly Uint8Array[]): Buffer {
    const members = chunks.map((chunk) => this.member(chunk));
    return inflated(Buffer.concat(members), members);
  }

  /**
   * `chunks` as one gzip file: their members joined into one Buffer, so a scrape writes one
   * Buffer rather than hundreds (measured: writing the 560 members of 1,000 targets one by one
   * cost 0.5–1.0 ms more CPU per scrape than joining them once per snapshot version). The
   * members then become views of the joined body, which keeps one compressed copy of each
   * chunk: the previous body lives on only as long as chunks that are gone. The same array
   * as the last call returns the same Buffer, so later scrapes of one snapshot version cost a
   * lookup; never modify the result.
   */
  join(chunks: readonly Uint8Array[]): Buffer {
    if (this.#last?.chunks !== chunks) {
      const members = chunks.map((chunk) => this.member(chunk));
      const body = Buffer.concat(members);
      let offset = 0;
      chunks.forEach((chunk, index) => {
        const length = members[index]?.byteLength ?? 0;
        this.#members.set(chunk, body.subarray(offset, offset + length));
        offset += length;
      });
      this.#last = { chunks, body };
    }
    return this.#last.body;
  }

  /**
   * `chunks` joined, then inflated back into one Buffer as {@link restore} does, from the
   * joined body itself (already their members back to back).
   */
  inflate(chunks: readonly Uint8Array[]): Buffer {
    const body = this.join(chunks);
    return inflated(
      body,
      chunks.map((chunk) => this.member(chunk)),
    );
  }
}
