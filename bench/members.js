/**
 * The chunks' gzip members (issue 16, tenth session): the CPU of compressing a body's chunks
 * one member each, with zlib's default settings (the baseline) and with the exporter's smaller
 * window and memLevel (gzip-blocks.ts), under the image's glibc settings and under glibc's
 * defaults, in child processes of this run; and what each costs in bytes against the body
 * compressed whole.
 */
import { fileURLToPath } from "node:url";
import { forkChild, stopChild } from "./lib/child.js";
import { median, ratio, table } from "./lib/stats.js";

const CHILD = fileURLToPath(new URL("./lib/members-child.js", import.meta.url));

async function measure(n, repeats, env) {
  const { child, first } = await forkChild(CHILD, [String(n), String(repeats)], {
    env: { ...process.env, GLIBC_TUNABLES: env.GLIBC_TUNABLES ?? "" },
  });
  // It exits once it has answered; stopping it only waits for that.
  await stopChild(child);
  return first;
}

/**
 * Prints and returns, for each glibc setting (`image`: the image's `env`, see
 * startup.js's imageRuntime; and glibc's defaults), the median CPU per body of each way.
 */
export async function benchMembers(n, image, repeats = 7) {
  const settings = [
    ["image", image],
    ["glibc defaults", {}],
  ];
  const rows = [];
  let sizes;
  for (const [name, env] of settings) {
    const r = await measure(n, repeats, env);
    sizes = r;
    rows.push([
      name,
      `${median(r.defaults).toFixed(1)} ms`,
      `${median(r.exporter).toFixed(1)} ms`,
      ratio(median(r.exporter), median(r.defaults)),
    ]);
  }
  console.log(
    `\n## Gzip members: ${n} targets, ${sizes.chunks} chunks, ${(sizes.text / 1e6).toFixed(2)} MB of text (CPU per body, median of ${repeats})\n`,
  );
  table(["glibc", "zlib defaults (baseline)", "exporter's settings", "exporter ÷ baseline"], rows);
  console.log(
    `\nbytes: zlib defaults ${(sizes.bytes.defaults / sizes.whole).toFixed(3)}×, exporter's ${(sizes.bytes.exporter / sizes.whole).toFixed(3)}× the body compressed whole (${sizes.whole} bytes)`,
  );
  return { rows, sizes };
}
