/**
 * Writes grafana/dashboards/<uid>.json from the TypeScript sources. Run from the repository root:
 * `node --import ./grafana/tools/ts-loader.js grafana/src/generate.ts` (`npm run dashboards`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildDashboards, renderDashboard } from "./index.js";

const directory = join("grafana", "dashboards");
mkdirSync(directory, { recursive: true });
for (const { file, dashboard } of buildDashboards()) {
  writeFileSync(join(directory, file), renderDashboard(dashboard));
  process.stdout.write(`wrote ${join(directory, file)}\n`);
}
