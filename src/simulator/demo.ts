/**
 * `npm run demo`: the MoSAPI simulator with the `demo` scenario and the exporter on top of it,
 * in one process, configured by examples/demo.yml. Extra arguments go to the exporter
 * (e.g. `npm run demo -- --log.format=logfmt`).
 */
import { fileURLToPath } from "node:url";
import { run } from "../main.js";
import { getScenario } from "./scenarios/index.js";
import { startSimulator } from "./server.js";

/** Port the demo config points at. */
const SIMULATOR_PORT = 9746;

const simulator = await startSimulator({
  scenario: getScenario("demo"),
  port: SIMULATOR_PORT,
}).catch((error: unknown) => {
  const busy = (error as { code?: unknown }).code === "EADDRINUSE";
  process.stderr.write(
    busy
      ? `demo: port ${SIMULATOR_PORT} is in use (another demo or simulator running?)\n`
      : `demo: cannot start the simulator: ${String(error)}\n`,
  );
  process.exit(1);
});
const config = fileURLToPath(new URL("../../examples/demo.yml", import.meta.url));
process.exitCode = await run(["--config.file", config, ...process.argv.slice(2)], process.env, {
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
await simulator.close();
