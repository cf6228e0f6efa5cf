/** releaseBuffer: a Buffer that owns its memory is emptied and its memory given back; others untouched. */
import { describe, expect, it } from "vitest";
import { releaseBuffer } from "../../src/metrics/release.js";

describe("releaseBuffer", () => {
  it("empties a Buffer that owns its ArrayBuffer, and every view of it", () => {
    const bytes = Buffer.allocUnsafeSlow(64 * 1024).fill(1);
    const view = bytes.subarray(100, 200);
    expect(releaseBuffer(bytes)).toBe(true);
    expect(bytes.byteLength).toBe(0);
    expect(view.byteLength).toBe(0);
    expect(bytes.buffer.byteLength).toBe(0);
    // Once is enough: a second call has nothing to give back.
    expect(releaseBuffer(bytes)).toBe(false);
  });

  it("leaves alone a view of part of a buffer and a slice of Buffer's shared pool", () => {
    const whole = Buffer.allocUnsafeSlow(1024).fill(2);
    const part = whole.subarray(0, 512);
    expect(releaseBuffer(part)).toBe(false);
    expect(part.byteLength).toBe(512);
    expect(whole.byteLength).toBe(1024);
    const pooled = Buffer.from("a small string");
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    expect(releaseBuffer(pooled)).toBe(false);
    expect(pooled.toString()).toBe("a small string");
  });

  it("gives the memory back at once where ArrayBuffer.prototype.transfer exists (Node 22+)", () => {
    const transfer = (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
    const size = 32 * 1024 * 1024;
    const bytes = Buffer.allocUnsafeSlow(size);
    const before = process.memoryUsage().arrayBuffers;
    releaseBuffer(bytes);
    const freed = before - process.memoryUsage().arrayBuffers;
    // Node 20 frees it at the next scavenge instead: only the emptying is certain there.
    if (typeof transfer === "function") expect(freed).toBeGreaterThanOrEqual(size);
    else expect(bytes.byteLength).toBe(0);
  });
});
