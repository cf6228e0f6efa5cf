/**
 * Standalone MoSAPI simulator: `node dist/simulator/main.js [--port 9746] [--scenario demo] …`
 * (see `cli.ts`). Stops on SIGINT or SIGTERM.
 */
import { once } from "node:events";
import { run } from "./cli.js";

const stop = Promise.race([once(process, "SIGINT"), once(process, "SIGTERM")]).then(
  ([signal]: unknown[]) => String(signal),
);
process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stop,
});
