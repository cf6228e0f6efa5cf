/**
 * Giving a Buffer's memory back at once instead of at V8's next collection that reaches it. A
 * Buffer over 32 kB is its own mapping (the image's `glibc.malloc.mmap_threshold`), counted in
 * the RSS until freed, and a Buffer's memory is freed only when V8 collects the Buffer object.
 * The renderer's blocks live from one pass to the next, long enough for V8 to move their
 * objects to the old generation, so a replaced block waited for the next full collection:
 * seconds, during which the RSS held up to two generations of the body and a pass's batches
 * (BENCHMARKS.md, section 4, "Seventh session").
 */

/**
 * Gives `bytes`' memory back now, emptying every view of it: afterwards `bytes` and its views
 * have length 0. Only for a Buffer that owns its whole ArrayBuffer (`Buffer.allocUnsafeSlow`),
 * which nothing else reads any more; returns false, and does nothing, for any other.
 *
 * `ArrayBuffer.prototype.transfer(0)` (Node 22 and later) frees the memory at once. Node 20
 * lacks it: there the memory moves to a new, unreferenced ArrayBuffer, freed at V8's next
 * scavenge (young-generation collection), which comes after a few MB of allocation rather
 * than after a full collection (on Node 20, 18–25 MB of ArrayBuffers became 8–17 MB after five
 * full changes of 1,000 targets; BENCHMARKS.md).
 */
export function releaseBuffer(bytes: Buffer): boolean {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer)) return false;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength || buffer.byteLength === 0) {
    return false;
  }
  const transferable = buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (typeof transferable.transfer === "function") transferable.transfer(0);
  else structuredClone(buffer, { transfer: [buffer] });
  return true;
}
