import { describe, expect, it } from "vitest";
import { renderSnapshot, SnapshotRenderer } from "../../src/metrics/snapshot-renderer.js";
import type { Snapshot, TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { fixtureText } from "../helpers/fixtures.js";
import { scenarioSnapshot } from "../helpers/scenario-snapshot.js";
import { renderWithPromClient } from "./prom-client-reference.js";

describe("/metrics of simulator scenarios, through the real client and collectors", () => {
  it.each(["demo", "rdap-incident", "registrar", "maintenance", "early-warning", "trace-incident"])(
    "%s",
    async (name) => {
      const run = await scenarioSnapshot(name);
      const { snapshot } = run;
      try {
        for (const entry of snapshot.targets) {
          // Every collector succeeded: a failure here would make the golden file meaningless.
          for (const [collector, status] of Object.entries(entry.collectors)) {
            expect(status.lastError, `${entry.target.id} ${collector}`).toBeUndefined();
          }
        }
        expect(await renderSnapshot(snapshot)).toBe(fixtureText(`metrics/scenario-${name}.prom`));
      } finally {
        await run.close();
      }
    },
  );
});

/** `value` with every array, at any depth, holding its items twice ([a, b] → [a, b, a, b]). */
function doubled(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(doubled);
    return [...items, ...items];
  }
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, doubled(item)]));
}

describe("series repeated by MoSAPI's lists", () => {
  // The per-target writers look for repeats only in REPEATABLE_PER_TARGET's families: with
  // every list of every entry listing each item twice (test errors, name servers, threats,
  // probes, traces…), a family missing from it prints a line twice where prom-client prints one.
  it.each(["demo", "rdap-incident", "trace-incident"])(
    "%s, every list doubled, renders as prom-client does",
    async (name) => {
      const run = await scenarioSnapshot(name);
      try {
        const snapshot: Snapshot = {
          version: 1,
          targets: run.snapshot.targets.map((entry) => ({
            ...(doubled(entry) as TargetSnapshot),
            target: entry.target,
          })),
        };
        const expected = await renderWithPromClient(snapshot);
        expect(new SnapshotRenderer().render(snapshot)).toBe(expected);
      } finally {
        await run.close();
      }
    },
  );
});
