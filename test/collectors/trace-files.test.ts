import { describe, expect, it, vi } from "vitest";
import { TraceFiles, type TraceFileResult } from "../../src/collectors/trace-files.js";
import type { TraceSummary } from "../../src/mosapi/probe-network.js";

function trace(probe: string): TraceSummary {
  return { probe, ip: "192.0.2.53", testTime: 1, hops: 3, reached: true, lossRatio: 0 };
}

/** A download that counts its calls and answers `result`. */
function downloader(result: TraceFileResult = trace("Amsterdam")) {
  return vi.fn(() => Promise.resolve(result));
}

const held = (...entries: [string, TraceFileResult][]) => new Map(entries);

describe("TraceFiles", () => {
  it("downloads a file once for every target that asks, and keeps it while one holds it", async () => {
    const files = new TraceFiles();
    const download = downloader();
    const [a, b] = await Promise.all([files.get("x", download), files.get("x", download)]);
    expect(a).toBe(b);
    files.hold("ry/a", held(["x", a]));
    files.hold("ry/b", held(["x", b]));
    files.hold("ry/a", held());
    await files.get("x", download);
    expect(download).toHaveBeenCalledTimes(1);
    files.hold("ry/b", held());
    expect(files.size).toBe(0);
  });

  it("keeps nothing of a download that failed, and tries it again", async () => {
    const files = new TraceFiles();
    const failing = vi.fn(() => Promise.reject(new Error("timeout")));
    await expect(files.get("x", failing)).rejects.toThrow("timeout");
    expect(files.size).toBe(0);
    const download = downloader();
    await files.get("x", download);
    expect(download).toHaveBeenCalledTimes(1);
  });

  it("does not download a file again that another target let go while this round read it", async () => {
    const files = new TraceFiles();
    const first = await files.get("x", downloader());
    files.hold("ry/a", held(["x", first]));
    // b's round reads x from the cache; before b's round ends, a's next round moves on.
    const read = await files.get("x", downloader());
    files.hold("ry/a", held());
    files.hold("ry/b", held(["x", read]));
    const again = downloader();
    await expect(files.get("x", again)).resolves.toBe(first);
    expect(again).not.toHaveBeenCalled();
    expect(files.size).toBe(1);
    files.hold("ry/b", held());
    expect(files.size).toBe(0);
  });

  it("keeps an unreadable file's null, so it is not downloaded again either", async () => {
    const files = new TraceFiles();
    const result = await files.get("bad", downloader(null));
    files.hold("ry/a", held(["bad", result]));
    const again = downloader();
    await expect(files.get("bad", again)).resolves.toBeNull();
    expect(again).not.toHaveBeenCalled();
  });
});
