/**
 * The short form of `npm run soak` (scripts/soak.js) for CI: about 12 s, the exporter and the
 * simulator in this process (from src, so no build is needed), faults every 1.5 s while
 * /metrics is scraped continuously. Asserted: every fault recovered (`mosapi_up` 1 on every
 * target again), no scrape failed, no growth of open file descriptors, a clean stop. Not
 * asserted: speed or memory (too short to judge; the full soak's figures are in
 * docs/reliability.md).
 */
import { expect, it } from "vitest";
import { startApp } from "../../src/app/start.js";
import { loadConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log/logger.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator } from "../../src/simulator/server.js";

/** What the test uses of scripts/soak.js (plain JS, so typed here). */
interface SoakModule {
  inProcessExporter(modules: {
    startApp: typeof startApp;
    loadConfig: typeof loadConfig;
    createLogger: typeof createLogger;
  }): unknown;
  runSoak(options: Record<string, unknown>): Promise<{
    phases: { fault: string; failuresDuring?: number; recoveredS?: number }[];
    scrapes: { ok: number; failed: number; errors: string[] };
    samples: { fds: number; requests: number }[];
    verdict: { figures: { fds: { first: number; last: number } } };
    exit: { code: number | null };
  }>;
  formatReport(result: unknown, options: { durationMs: number }): string;
}

it(
  "recovers from every fault, keeps scraping, and leaks no descriptors",
  { timeout: 60_000 },
  async () => {
    // A variable specifier: TypeScript does not look for declarations of the plain-JS script.
    const specifier = new URL("../../scripts/soak.js", import.meta.url).href;
    const soak = (await import(specifier)) as SoakModule;
    const options = { durationMs: 12_000, faultEveryMs: 1500, sampleEveryMs: 500 };
    const result = await soak.runSoak({
      ...options,
      simulator: { startSimulator, getScenario },
      exporter: soak.inProcessExporter({ startApp, loadConfig, createLogger }),
    });
    const report = soak.formatReport(result, options);

    expect(result.phases.length, report).toBeGreaterThanOrEqual(2);
    for (const phase of result.phases) {
      expect(phase.recoveredS, `${phase.fault} not recovered\n${report}`).toBeDefined();
      expect(
        phase.failuresDuring,
        `${phase.fault} caused no counted failure\n${report}`,
      ).toBeGreaterThan(0);
    }
    expect(result.scrapes.failed, report).toBe(0);
    expect(result.scrapes.ok).toBeGreaterThan(20);
    const { first, last } = result.verdict.figures.fds;
    expect(last - first, report).toBeLessThanOrEqual(8);
    expect(result.samples.at(-1)!.requests).toBeGreaterThan(100);
    expect(result.exit.code).toBe(0);
  },
);
