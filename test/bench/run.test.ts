/**
 * Smoke test of `npm run bench`: the benchmark scripts run end to end on a tiny fleet and print
 * every section. Never asserts speed (BENCHMARKS.md: performance is measured, not tested).
 * The scripts import from dist/, so this test needs a build (npm test builds first).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function runBench(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bench/run.js", ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!existsSync(new URL("../../dist/main.js", import.meta.url)))(
  "npm run bench",
  () => {
    it("runs every benchmark on a tiny fleet and prints each section with its baseline", async () => {
      const { code, stdout, stderr } = await runBench(["--quick"]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      for (const heading of [
        "## Scrape: 10 targets",
        "## Memory: 10 targets",
        "## Refresh: 10 targets",
        "## Startup: 5 targets",
        "## Cost by fleet size",
        "## Board: 10 targets",
        "## Gzip members: 10 targets",
      ]) {
        expect(stdout).toContain(heading);
      }
      for (const server of [
        "floor",
        "prom-client",
        "exporter",
        "exporter-changing",
        "exporter-change-per-scrape",
        "floor-gzip",
        "exporter-gzip",
        "exporter-changing-gzip",
        "exporter-change-per-scrape-gzip",
      ]) {
        expect(stdout).toMatch(new RegExp(`^${server} .*×`, "m"));
      }
      expect(stdout).toContain("vs floor");
      // The measured startup scrapes /metrics with gzip, as Prometheus would, at least once.
      expect(stdout).toMatch(
        /^gzip scrapes every 500 ms from \/-\/ready to the end: [1-9]\d*, median/m,
      );
      expect(stdout).toMatch(/^board, all targets .* kB/m);
      expect(stdout).not.toContain("NOT REACHED");
      expect(stdout).not.toContain("FAILED");
    }, 120_000);
  },
);
