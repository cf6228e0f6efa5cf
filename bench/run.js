/**
 * `npm run bench`: every benchmark of issue 7 over loopback, each printing its figures and its
 * ratio to a baseline measured in the same run. Bounded (a few minutes) and self-stopping.
 *
 *   node bench/run.js                 full run (1,000 targets; cost table at 10/100/1,000/5,000)
 *   node bench/run.js --quick         smoke run on a tiny fleet (seconds; used by test/bench)
 *   node bench/run.js --only=scrape   one of scrape, memory, refresh, startup, scale, board, members
 */
import { availableParallelism, cpus } from "node:os";
import { templateEntries } from "./lib/fleet.js";
import { benchBoard } from "./board.js";
import { benchMembers } from "./members.js";
import { benchMemory } from "./memory.js";
import { benchRefresh } from "./refresh.js";
import { benchScrape, renderTimings } from "./scrape.js";
import { mb, ms, table } from "./lib/stats.js";
import { benchStartup, imageRuntime } from "./startup.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const wanted = (name) => only === undefined || only.includes(name);

const FULL = {
  targets: 1000,
  scrape: {
    warmup: 3,
    sequential: 60,
    concurrent: 6,
    budgetMs: 8000,
    renderRepeats: 5,
    idleMs: 2000,
  },
  refresh: [100, 1000],
  startup: [100, 1000],
  scale: [10, 100, 1000, 5000],
};
const QUICK = {
  targets: 10,
  scrape: {
    warmup: 1,
    sequential: 3,
    concurrent: 1,
    budgetMs: 500,
    renderRepeats: 2,
    idleMs: 100,
  },
  refresh: [10],
  startup: [5],
  scale: [10, 20],
};
const plan = quick ? QUICK : FULL;

console.log(
  `# mosapi-exporter benchmarks${quick ? " (quick smoke run: figures meaningless)" : ""}\n` +
    `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown"}), ${new Date().toISOString()}`,
);
const started = performance.now();
const templates = await templateEntries();

if (wanted("scrape")) await benchScrape(templates, plan.targets, plan.scrape);
if (wanted("memory")) await benchMemory(templates, plan.targets);
if (wanted("refresh")) for (const n of plan.refresh) await benchRefresh(templates, n);
if (wanted("startup")) {
  // Issue 16, in one run: the largest fleet as the image runs it (its NODE_OPTIONS and
  // GLIBC_TUNABLES), 10 ms per request so full data can be compared with its floor, then
  // followed for 5.5 minutes: the settled memory and the upstream requests per target-hour,
  // the 5-minute collectors' second round included. Then once more with Node's and glibc's
  // defaults, to show what those settings buy.
  const image = await imageRuntime();
  const largest = plan.startup.at(-1);
  for (const n of plan.startup.slice(0, -1)) await benchStartup(n);
  const measured = {
    latencyMs: 10,
    timeoutMs: quick ? 60_000 : 240_000,
    // The quick run lasts seconds: scrape often enough that it scrapes at all.
    ...(quick ? { scrapeEveryMs: 500 } : {}),
  };
  await benchStartup(largest, { ...measured, settleMs: quick ? 2_000 : 330_000, ...image });
  if (!quick) await benchStartup(largest, { ...measured, settleMs: 60_000 });
}
if (wanted("scale")) {
  console.log("\n## Cost by fleet size (in-process MetricsRenderer; medians)");
  const rows = [];
  for (const n of plan.scale) {
    const r = await renderTimings(templates, n, quick ? 1 : 3);
    rows.push([
      n,
      r.series,
      mb(r.bytes),
      ms(r.first),
      ms(r.miss),
      ms(r.cached),
      `${((r.first * 1000) / r.series).toFixed(2)} µs`,
    ]);
  }
  table(
    [
      "targets",
      "series",
      "body",
      "first render",
      "render after a change",
      "cached",
      "per series (first)",
    ],
    rows,
  );
}
if (wanted("board")) await benchBoard(templates, plan.targets, quick ? 2 : 5);
if (wanted("members")) await benchMembers(plan.targets, (await imageRuntime()).env, quick ? 1 : 7);
console.log(`\ndone in ${ms(performance.now() - started)}`);
