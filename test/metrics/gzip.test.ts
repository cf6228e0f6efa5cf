/**
 * /metrics gzipped from cached members: the body inflates (as a multi-member gzip file) to the
 * identity body byte for byte, the identity answer is unchanged, and a scrape after a snapshot
 * change compresses only the chunks that changed.
 */
import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync, inflateRawSync } from "node:zlib";
import { request } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import type { Snapshot, TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { GzipBlocks, gzipMemberSync } from "../../src/metrics/gzip-blocks.js";
import { METRICS_CONTENT_TYPE } from "../../src/metrics/prom.js";
import { MetricsRenderer } from "../../src/metrics/render.js";
import { releaseBuffer } from "../../src/metrics/release.js";
import { SelfMetrics } from "../../src/metrics/self-metrics.js";
import { renderSnapshot, SnapshotRenderer } from "../../src/metrics/snapshot-renderer.js";
import { SnapshotStore } from "../../src/snapshot/store.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { startTestHttpServer } from "../helpers/http-server.js";
import { healthyEntry, stateFixture, tld } from "../helpers/fixtures.js";

/** 16 targets: blocks of 4, so one changed target leaves three quarters of the chunks as they were. */
function fleet(version: number): Snapshot {
  const state = stateFixture("state-healthy");
  return {
    version,
    targets: Array.from({ length: 16 }, (_, i) => healthyEntry(tld(`tld${i}`), state, 1)),
  };
}

let snapshot = fleet(1);
const self = new SelfMetrics(
  { version: "1", revision: "r", nodeVersion: "vé" },
  { defaultMetrics: false },
);
const compressed: Uint8Array[] = [];
// As MetricsRenderer makes its own: replaced blocks are given back at once.
const snapshots = new SnapshotRenderer(undefined, { releaseReplaced: true });
const renderer = new MetricsRenderer(
  () => snapshot,
  self,
  snapshots,
  new GzipBlocks((chunk) => compressed.push(chunk)),
);
/** The snapshot families' chunks now (after a gzip scrape, their memory may be given back). */
const chunksNow = () => snapshots.renderChunks(snapshot);
const server = await startTestHttpServer({
  renderMetrics: () => renderer.render(),
  renderMetricsGzip: () => renderer.renderGzip(),
  metricsContentType: METRICS_CONTENT_TYPE,
  snapshot: () => snapshot,
});
afterAll(() => server.close());

async function scrape(acceptEncoding?: string, method: "GET" | "HEAD" = "GET") {
  const res = await request(`${server.url}/metrics`, {
    method,
    headers: acceptEncoding === undefined ? {} : { "accept-encoding": acceptEncoding },
  });
  return {
    status: res.statusCode,
    headers: res.headers,
    body: Buffer.from(await res.body.arrayBuffer()),
  };
}

describe("/metrics with Accept-Encoding: gzip", () => {
  it("sends a multi-member gzip file that inflates to the identity body", async () => {
    const expected = await renderer.renderText();
    const res = await scrape("gzip");
    expect(res.status).toBe(200);
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers["vary"]).toBe("Accept-Encoding");
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(res.headers["content-length"]).toBe(String(res.body.length));
    // More than one member: the families' members and the own metrics' member.
    expect(countMembers(res.body)).toBeGreaterThan(1);
    expect(gunzipSync(res.body).toString("utf8")).toBe(expected);
  });

  it("leaves the identity answer byte for byte as it was, with Vary", async () => {
    for (const accept of [undefined, "identity", "gzip;q=0", "br", "*;q=0"]) {
      const expected = await renderer.renderText();
      const res = await scrape(accept);
      expect(res.headers["content-encoding"], String(accept)).toBeUndefined();
      expect(res.headers["vary"]).toBe("Accept-Encoding");
      expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(expected)));
      expect(res.body.toString("utf8")).toBe(expected);
    }
  });

  it("HEAD sends the gzip headers and no body", async () => {
    const get = await scrape("gzip");
    const head = await scrape("gzip", "HEAD");
    expect(head.headers["content-encoding"]).toBe("gzip");
    expect(head.headers["content-length"]).toBe(get.headers["content-length"]);
    expect(head.body.length).toBe(0);
  });

  it("compresses only the chunks that changed after a snapshot change", async () => {
    await scrape("gzip");
    const before = chunksNow();
    compressed.length = 0;
    await scrape("gzip");
    // Same snapshot version: only the own metrics (not through GzipBlocks) were compressed.
    expect(compressed).toEqual([]);

    const targets: TargetSnapshot[] = [...snapshot.targets];
    const changed = targets[5];
    if (changed === undefined) throw new Error("fleet too small");
    targets[5] = { ...changed, up: false };
    snapshot = { version: snapshot.version + 1, targets };
    const res = await scrape("gzip");
    const fresh = chunksNow().filter((chunk) => !before.includes(chunk));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.length).toBeLessThan(before.length / 2);
    expect(new Set(compressed)).toEqual(new Set(fresh));
    expect(gunzipSync(res.body).toString("utf8")).toBe(await renderer.renderText());
  });

  it("concurrent scrapes after a change compress each changed chunk once", async () => {
    const before = chunksNow();
    const targets: TargetSnapshot[] = [...snapshot.targets];
    targets[9] = { ...targets[9]!, up: false };
    snapshot = { version: snapshot.version + 1, targets };
    compressed.length = 0;
    const bodies = await Promise.all(Array.from({ length: 5 }, () => scrape("gzip")));
    const fresh = chunksNow().filter((c) => !before.includes(c));
    expect(fresh.length).toBeGreaterThan(0);
    expect(compressed).toHaveLength(fresh.length);
    expect(new Set(compressed)).toEqual(new Set(fresh));
    const text = await renderer.renderText();
    for (const res of bodies) expect(gunzipSync(res.body).toString("utf8")).toBe(text);
  });
});

describe("MetricsRenderer compressing ahead of gzip scrapes", () => {
  const targets = Array.from({ length: 16 }, (_, i) => tld(`tld${i}`));
  const state = stateFixture("state-healthy");
  const turns = async (count: number) => {
    for (let i = 0; i < count; i++) await new Promise(setImmediate);
  };

  function wired() {
    const store = new SnapshotStore(targets);
    for (const target of targets) store.update(target, () => healthyEntry(target, state, 1));
    const seen: Uint8Array[] = [];
    /** Each chunk compressed and each Buffer given back, in order, by its memory. */
    const memory: { kind: "compress" | "release"; buffer: ArrayBufferLike }[] = [];
    /** Every body joined, with the chunks it was joined from, in order (repeats included). */
    const joined: { chunks: readonly Uint8Array[]; body: Buffer }[] = [];
    const gzip = new (class extends GzipBlocks {
      override join(list: readonly Uint8Array[]): Buffer {
        const body = super.join(list);
        const last = joined.at(-1);
        if (last?.chunks !== list) joined.push({ chunks: list, body });
        return body;
      }
    })((chunk) => {
      seen.push(chunk);
      memory.push({ kind: "compress", buffer: chunk.buffer });
    });
    const clock = new FakeClock();
    // As MetricsRenderer makes its own: replaced blocks are given back at once.
    /** The size of every batch prepared ahead. */
    const prepared: number[] = [];
    const snapshots = new (class extends SnapshotRenderer {
      override prepare(entries: readonly TargetSnapshot[]): void {
        prepared.push(entries.length);
        super.prepare(entries);
      }
    })(undefined, {
      releaseReplaced: true,
      release: (bytes) => {
        memory.push({ kind: "release", buffer: bytes.buffer });
        releaseBuffer(bytes);
      },
    });
    const metrics = new MetricsRenderer(() => store.current(), self, snapshots, gzip, clock);
    store.onChange((entries) => {
      metrics.prepare(entries);
    });
    const change = (index: number) => {
      const target = targets[index]!;
      store.update(target, (entry) => ({ ...entry, up: false }));
    };
    /** The snapshot families' chunks now, looked at without scraping. */
    const chunks = () => snapshots.renderChunks(store.current());
    /** The chunks that were not there `before`. */
    const freshSince = (before: readonly Buffer[]) =>
      chunks().filter((chunk) => !before.includes(chunk));
    /** Two gzip scrapes 15 s apart: from then on a pass runs 13.5 s after each scrape. */
    const rhythm = async () => {
      await metrics.renderGzip();
      clock.advance(15_000);
      await metrics.renderGzip();
    };
    /** The snapshot families' text, from a renderer of its own. */
    const text = () => renderSnapshot(store.current());
    return {
      metrics,
      seen,
      memory,
      joined,
      prepared,
      change,
      clock,
      chunks,
      freshSince,
      rhythm,
      text,
    };
  }

  it("compresses nothing ahead for identity-only scrapers", async () => {
    const { metrics, seen, change, clock } = wired();
    await metrics.render();
    clock.advance(15_000);
    await metrics.render();
    change(3);
    await clock.advanceAsync(15_000);
    await turns(3);
    expect(seen).toEqual([]);
  });

  it("compresses nothing ahead before the second gzip scrape shows the rhythm", async () => {
    const { metrics, seen, change, clock } = wired();
    await metrics.renderGzip();
    seen.length = 0;
    change(3);
    await clock.advanceAsync(60_000);
    expect(seen).toEqual([]);
  });

  it("compresses the changes once, at nine tenths of the scrape interval, so the scrape compresses none", async () => {
    const { metrics, rhythm, seen, change, clock, chunks, freshSince } = wired();
    await rhythm();
    const before = chunks();
    seen.length = 0;

    change(3);
    change(4);
    await clock.advanceAsync(13_400);
    expect(seen).toEqual([]);
    await clock.advanceAsync(100);
    await turns(3);
    const fresh = freshSince(before);
    expect(fresh.length).toBeGreaterThan(0);
    expect(seen).toHaveLength(fresh.length);
    expect(new Set(seen)).toEqual(new Set(fresh));

    // One pass per scrape: a later change waits for the scrape.
    seen.length = 0;
    change(9);
    await clock.advanceAsync(1_000);
    await turns(3);
    expect(seen).toEqual([]);

    const files = await Promise.all([metrics.renderGzip(), metrics.renderGzip()]);
    const text = await metrics.renderText();
    for (const file of files) expect(gunzipSync(Buffer.concat(file)).toString("utf8")).toBe(text);
    expect(seen.length).toBeGreaterThan(0);
  });

  it("builds the chunks in the pass from the entries, without batches beside the blocks", async () => {
    const { metrics, rhythm, prepared, memory, change, clock, chunks, freshSince, text } = wired();
    await rhythm();
    const before = chunks();
    memory.length = 0;
    for (let index = 0; index < targets.length; index++) change(index);
    await clock.advanceAsync(13_500);
    await turns(3);
    // The pass built the blocks again (all but the families' headers are new), from no batch.
    const built = freshSince(before);
    expect(built.length).toBeGreaterThan(before.length / 2);
    expect(prepared).toEqual([]);
    // Each block compressed and given back before the next is built: never more than one new
    // block's raw text alive (the old blocks' releases, in between, left out).
    const compressed = new Set(memory.filter((e) => e.kind === "compress").map((e) => e.buffer));
    const order = memory.filter((e) => compressed.has(e.buffer));
    const blocks = new Set(built.map((chunk) => chunk.buffer));
    expect(compressed).toEqual(blocks);
    order.forEach((event, index) => {
      const next = order[index + 1];
      if (event.kind === "compress" && next?.buffer !== event.buffer) {
        expect(next).toEqual({ kind: "release", buffer: event.buffer });
      }
    });
    expect(built.every((chunk) => chunk.byteLength === 0)).toBe(true);
    const [families] = await metrics.renderGzip();
    expect(gunzipSync(families!).toString()).toBe(await text());
  });

  it("joins the body in the pass, letting go of the last scrape's chunks before the next scrape", async () => {
    const { metrics, rhythm, change, clock, chunks, joined } = wired();
    await rhythm();
    const scraped = joined.at(-1)!;

    change(3);
    await clock.advanceAsync(13_500);
    await turns(3);
    // The pass joined the current chunks: the cache no longer holds the scraped ones.
    const ahead = joined.at(-1)!;
    // (Compared as identities: some of the scraped chunks are views of blocks given back.)
    expect(ahead.chunks === scraped.chunks).toBe(false);
    const now = chunks();
    expect(ahead.chunks.length).toBe(now.length);
    expect(ahead.chunks.every((chunk, index) => chunk === now[index])).toBe(true);
    const [families] = await metrics.renderGzip();
    expect(families).toBe(ahead.body);
    expect(joined.at(-1)).toBe(ahead);
  });

  it("keeps an identity scrape's chunks whole through later renders until sent, then gives back those replaced", async () => {
    const { metrics, change } = wired();
    const chunks = await metrics.render();
    const sent = Buffer.concat(chunks).toString();
    change(3);
    await metrics.renderGzip();
    change(7);
    await metrics.render();
    expect(Buffer.concat(chunks).toString()).toBe(sent);
    metrics.sent(chunks);
    // The blocks of targets 0–3 and 4–7 were replaced: their chunks are empty now, the others
    // whole (still current, and held by the second scrape).
    const emptied = chunks.filter((chunk) => chunk.byteLength === 0);
    expect(emptied.length).toBeGreaterThan(0);
    expect(emptied.length).toBeLessThan(chunks.length / 2);
    expect(await metrics.renderText()).toContain('mosapi_up{tld="tld7"} 0');
  });

  it("keeps the blocks only compressed once joined: identity scrapes inflate them, renders restore what they copy", async () => {
    const { metrics, rhythm, change, clock, chunks, text } = wired();
    await rhythm();
    // The scrapes joined the chunks and packed the blocks: their chunks are empty now.
    const packed = chunks();
    expect(packed.filter((chunk) => chunk.byteLength === 0).length).toBeGreaterThan(
      packed.length / 2,
    );
    const identity = await metrics.render();
    expect(identity).toHaveLength(2);
    const [families] = identity;
    expect(families!.toString()).toBe(await text());
    metrics.sent(identity);
    expect(families!.byteLength).toBe(0);

    change(5);
    await clock.advanceAsync(13_500);
    await turns(3);
    const [gzipped] = await metrics.renderGzip();
    expect(gunzipSync(gzipped!).toString()).toBe(await text());
    expect(await metrics.renderText()).toContain('mosapi_up{tld="tld5"} 0');
    expect((await metrics.renderText()).startsWith(await text())).toBe(true);
  });

  it("times the next pass from each scrape, and compresses again after the next one", async () => {
    const { metrics, seen, change, clock } = wired();
    await metrics.renderGzip();
    clock.advance(10_000);
    await metrics.renderGzip();
    change(1);
    // A scrape before the pass is due (a second Prometheus, say) times it again: 0.9 × 4 s on,
    // sooner than the 9 s the first rhythm asked for.
    clock.advance(4_000);
    await metrics.renderGzip();
    seen.length = 0;
    change(2);
    await clock.advanceAsync(3_500);
    await turns(3);
    expect(seen).toEqual([]);
    await clock.advanceAsync(100);
    await turns(3);
    expect(seen.length).toBeGreaterThan(0);

    seen.length = 0;
    clock.advance(400);
    await metrics.renderGzip();
    expect(seen).toEqual([]);
    change(5);
    await clock.advanceAsync(3_600);
    await turns(3);
    expect(seen.length).toBeGreaterThan(0);
  });
});

describe("GzipBlocks", () => {
  it("joins the members in order, the same Buffer for the same chunks, one copy of each", () => {
    const blocks = new GzipBlocks();
    const chunks = ["a 1\n", "b 2\n", "", "c 3\n"].map((text) => Buffer.from(text));
    const body = blocks.join(chunks);
    expect(gunzipSync(body).toString()).toBe("a 1\nb 2\nc 3\n");
    expect(countMembers(body)).toBe(4);
    expect(blocks.join(chunks)).toBe(body);
    // Each member is now a view of the joined body, not a second copy.
    for (const chunk of chunks) expect(blocks.member(chunk).buffer).toBe(body.buffer);
    const next = blocks.join([...chunks.slice(1), Buffer.from("d 4\n")]);
    expect(gunzipSync(next).toString()).toBe("b 2\nc 3\nd 4\n");
    expect(blocks.member(chunks[1]!).buffer).toBe(next.buffer);
  });

  it("inflates chunks given back from their members, into one Buffer of its own", () => {
    const blocks = new GzipBlocks();
    // 48 kB in all: the body is a Buffer of its own (smaller ones come from Buffer's pool).
    const texts = ["a 1\n", "b 2\n", "c 3\n"].map((line) => line.repeat(4000));
    const chunks = texts.map((text) => {
      const own = Buffer.allocUnsafeSlow(text.length);
      own.write(text);
      return own;
    });
    blocks.join(chunks);
    releaseBuffer(chunks[1]!);
    expect(chunks[1]!.byteLength).toBe(0);
    expect(blocks.has(chunks[1]!)).toBe(true);
    expect(blocks.restore([chunks[1]!]).toString()).toBe(texts[1]);
    expect(blocks.restore([chunks[2]!, chunks[1]!]).toString()).toBe(texts[2]! + texts[1]!);
    const body = blocks.inflate(chunks);
    expect(body.toString()).toBe(texts.join(""));
    expect(body.byteLength).toBe(body.buffer.byteLength);
    // Given back without a member, a chunk cannot be compressed: it would send nothing.
    const orphan = Buffer.allocUnsafeSlow(4);
    orphan.write("d 4\n");
    expect(releaseBuffer(orphan)).toBe(true);
    expect(blocks.has(orphan)).toBe(false);
    expect(() => blocks.join([orphan])).toThrow(/given back/);
    expect(blocks.join([Buffer.from("")]).byteLength).toBeGreaterThan(0);
  });

  it("compresses each chunk once, however many lists it is in", () => {
    const seen: Uint8Array[] = [];
    const blocks = new GzipBlocks((chunk) => seen.push(chunk));
    const [a, b, c] = ["a 1\n", "b 2\n", "c 3\n"].map((text) => Buffer.from(text));
    blocks.join([a!, b!]);
    blocks.join([a!, b!, c!]);
    blocks.join([c!, a!]);
    expect(gunzipSync(blocks.member(a!)).equals(a!)).toBe(true);
    expect(seen).toEqual([a, b, c]);
  });

  it("compresses with an 8 kB window: a repeat from further back is not found", () => {
    const blocks = new GzipBlocks();
    const part = (length: number) => randomBytes(length);
    // Random bytes do not compress; a repeat does, if it is within the window.
    const near = part(4 * 1024);
    const far = part(12 * 1024);
    const member = (chunk: Buffer) => blocks.member(chunk).byteLength;
    expect(member(Buffer.concat([near, near]))).toBeLessThan(near.byteLength * 1.1);
    expect(member(Buffer.concat([far, far]))).toBeGreaterThan(far.byteLength * 1.9);
    // zlib's default window (32 kB) finds it.
    expect(gzipSync(Buffer.concat([far, far])).byteLength).toBeLessThan(far.byteLength * 1.1);
    const chunk = Buffer.concat([far, near, far]);
    expect(gunzipSync(blocks.member(chunk)).equals(chunk)).toBe(true);
  });

  it("keeps each member in memory of its own, exactly its size", () => {
    const blocks = new GzipBlocks();
    // A small chunk (one output buffer) and a large one of random bytes (several), as zlib
    // returns views of larger buffers (and, on Node 26, of Buffer's shared pool) for both.
    const small = Buffer.from("a 1\n");
    const large = randomBytes(64 * 1024);
    for (const chunk of [small, large]) {
      const member = blocks.member(chunk);
      expect(member.byteOffset).toBe(0);
      expect(member.buffer.byteLength).toBe(member.byteLength);
      expect(gunzipSync(member).equals(chunk)).toBe(true);
    }
    expect(blocks.member(large).byteLength).toBeGreaterThan(16 * 1024);
    const own = gzipMemberSync(small);
    expect(own.buffer.byteLength).toBe(own.byteLength);
  });
});

/**
 * Members of a gzip file as Node's zlib writes them (a 10-byte header without optional fields,
 * the deflate stream, an 8-byte trailer): raw inflate stops at the end of each deflate stream.
 */
function countMembers(file: Buffer): number {
  let members = 0;
  let offset = 0;
  while (offset < file.length) {
    expect([file[offset], file[offset + 1], file[offset + 3]]).toEqual([0x1f, 0x8b, 0]);
    const { engine } = inflateRawSync(file.subarray(offset + 10), { info: true }) as unknown as {
      engine: { bytesWritten: number };
    };
    offset += 10 + engine.bytesWritten + 8;
    members += 1;
  }
  return members;
}
