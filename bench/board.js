/**
 * Status board benchmark (issue 14): how long the real `renderLandingPage` takes for an
 * N-target fleet and how big the page is, plain and gzipped, in full and filtered to the
 * targets with a problem; one target's page beside it. Baseline, measured in the same run: the
 * same snapshot as `/api/v1/status` (`statusJson` + `JSON.stringify`), the machine-readable view
 * of the same data. In-process, on cloned real collector output (bench/lib/fleet.js).
 */
import { gzipSync } from "node:zlib";
import { renderLandingPage } from "../dist/http/landing.js";
import { statusJson } from "../dist/http/status-json.js";
import { renderTargetPage } from "../dist/http/target-page.js";
import { clonedSnapshot } from "./lib/fleet.js";
import { median, ms, ratio, table } from "./lib/stats.js";

const kb = (bytes) => `${(bytes / 1e3).toFixed(1)} kB`;

/** Median time of `repeats` calls of `render`, and the size of what it returned. */
function measure(render, repeats) {
  const times = [];
  let text = "";
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    text = render();
    times.push(performance.now() - started);
  }
  return { ms: median(times), bytes: Buffer.byteLength(text), gzip: gzipSync(text).length };
}

/** Prints the board's render time and page size for `n` targets. */
export async function benchBoard(templates, n, repeats) {
  const snapshot = clonedSnapshot(templates, n, 1);
  const now = Date.now();
  const frame = {
    info: { version: "bench", revision: "bench", nodeVersion: process.version, startedAt: now },
    now,
    ready: true,
  };
  const rows = [
    ["status JSON (baseline)", measure(() => JSON.stringify(statusJson(snapshot, frame)), repeats)],
    ["board, all targets", measure(() => renderLandingPage({ ...frame, snapshot }), repeats)],
    [
      "board, ?show=problems",
      measure(() => renderLandingPage({ ...frame, snapshot, filter: "problems" }), repeats),
    ],
    [
      "board, ?q=<one target>",
      measure(
        () => renderLandingPage({ ...frame, snapshot, query: snapshot.targets[0].target.id }),
        repeats,
      ),
    ],
    [
      "one target's page",
      measure(() => renderTargetPage({ ...frame, target: snapshot.targets[1] }), repeats),
    ],
  ];
  const [, baseline] = rows[0];
  console.log(`\n## Board: ${n} targets (median of ${repeats} renders)`);
  table(
    ["view", "render", "× JSON", "page", "gzipped", "× JSON (size)"],
    rows.map(([view, r]) => [
      view,
      ms(r.ms),
      ratio(r.ms, baseline.ms),
      kb(r.bytes),
      kb(r.gzip),
      ratio(r.bytes, baseline.bytes),
    ]),
  );
}
