import { describe, expect, it } from "vitest";
import { renderSnapshot } from "../../src/metrics/snapshot-renderer.js";
import { fixtureText } from "../helpers/fixtures.js";
import { scenarioSnapshot } from "../helpers/scenario-snapshot.js";

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
