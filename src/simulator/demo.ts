/**
 * `npm run demo`: the MoSAPI simulator with the `demo` scenario and the exporter on top of it,
 * in one process, configured by examples/demo.yml. `--simulator.port=PORT` moves the simulator
 * (default 9746; 0 picks a free port); every other argument goes to the exporter, e.g.
 * `npm run demo -- --web.listen-address=:9800 --simulator.port=9801 --log.format=logfmt`.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../main.js";
import { DEFAULT_SIMULATOR_PORT, demoArguments } from "./demo-args.js";
import { getScenario } from "./scenarios/index.js";
import { startSimulator } from "./server.js";

const parsed = demoArguments(process.argv.slice(2));
if ("error" in parsed) {
  process.stderr.write(`demo: ${parsed.error}\n`);
  process.exit(1);
}
const simulator = await startSimulator({ scenario: getScenario("demo"), port: parsed.port }).catch(
  (error: unknown) => {
    const busy = (error as { code?: unknown }).code === "EADDRINUSE";
    process.stderr.write(
      busy
        ? `demo: --simulator.port=${parsed.port}: the port is in use (another demo or simulator running?); choose another, e.g. npm run demo -- --simulator.port=0\n`
        : `demo: cannot start the simulator: ${String(error)}\n`,
    );
    process.exit(1);
  },
);
const example = fileURLToPath(new URL("../../examples/demo.yml", import.meta.url));
// On another port the exporter reads a copy of examples/demo.yml that points there.
const moved =
  simulator.port === DEFAULT_SIMULATOR_PORT
    ? undefined
    : await mkdtemp(path.join(tmpdir(), "mosapi-demo-"));
let config = example;
if (moved !== undefined) {
  config = path.join(moved, "demo.yml");
  const text = await readFile(example, "utf8");
  await writeFile(
    config,
    text.replace(`127.0.0.1:${DEFAULT_SIMULATOR_PORT}`, `127.0.0.1:${simulator.port}`),
  );
}
try {
  process.exitCode = await run(["--config.file", config, ...parsed.exporter], process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
    onListening: (url) => {
      process.stdout.write(
        [
          "",
          `  MoSAPI simulator  ${simulator.url}  (scenario "demo", stats at ${simulator.url}/_sim/stats)`,
          `  exporter          ${url}/           landing page`,
          `                    ${url}/metrics    try: curl -s ${url}/metrics | grep '^mosapi_'`,
          "",
          "",
        ].join("\n"),
      );
    },
  });
} finally {
  await simulator.close();
  if (moved !== undefined) await rm(moved, { recursive: true, force: true });
}
