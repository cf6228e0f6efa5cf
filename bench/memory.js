/**
 * Memory benchmark (issue 7): RSS and heap of a fresh process holding N targets, after loading
 * and after 100 refresh rounds (see lib/memory-child.js).
 */
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { forkChild, stopChild } from "./lib/child.js";
import { mb, median, ms } from "./lib/stats.js";

const CHILD = fileURLToPath(new URL("./lib/memory-child.js", import.meta.url));

/** Runs the memory benchmark for `n` targets in a fresh process; prints and returns figures. */
export async function benchMemory(templates, n) {
  const path = join(tmpdir(), `mosapi-bench-templates-${process.pid}-mem.json`);
  await writeFile(path, JSON.stringify(templates));
  const { child, first } = await forkChild(CHILD, [String(n), path]);
  await stopChild(child);
  await rm(path, { force: true });
  const { loaded, after } = first;
  console.log(
    `\n## Memory: ${n} targets (fresh process, after a full GC)\n` +
      `after loading (5 collectors each, one /metrics render): RSS ${mb(loaded.rss)}, heap used ${mb(loaded.heapUsed)}, peak RSS ${mb(loaded.peakRss)}\n` +
      `after 100 refresh rounds (${first.version} snapshot versions, a render every 10th round): ` +
      `RSS ${mb(after.rss)}, heap used ${mb(after.heapUsed)}, peak RSS ${mb(after.peakRss)}\n` +
      `store.update cost: a state round over ${n} targets takes ${ms(median(first.roundMs))} of CPU (median)`,
  );
  return { n, ...first };
}
