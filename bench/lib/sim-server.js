/**
 * Child process: the MoSAPI simulator serving N fleet TLDs on loopback, so its CPU is not the
 * exporter's. Argv: <targets> [--log]. Sends {url}; messages: {latency: ms} adds a latency
 * fault to every request, "clear" removes faults, "stats" answers with request counts per
 * target, "log" (with --log) with the requests answered since the last "log" (`{path, status,
 * ms}` in the order they were answered; see replay.js), "usage" with the process's CPU time.
 */
import { startFleetSimulator } from "./fleet.js";
import { parseLogLine } from "./replay.js";

let log = [];
const logger = (line) => {
  const entry = parseLogLine(line);
  if (entry !== undefined) log.push(entry);
};
const sim = await startFleetSimulator(
  Number(process.argv[2]),
  process.argv.includes("--log") ? { logger } : {},
);
process.on("message", (message) => {
  if (message === "clear") {
    sim.clearFaults();
    process.send({ ok: true });
  } else if (message === "stats") {
    // Not sim.stats(): it copies every distinct path counted, and this is polled every 50 ms.
    process.send({ byTarget: sim.requestsByTarget() });
  } else if (message === "log") {
    process.send({ log });
    log = [];
  } else if (message === "usage") {
    process.send({ cpu: process.cpuUsage() });
  } else if (typeof message === "object" && "latency" in message) {
    sim.addFault({ kind: "latency", ms: message.latency });
    process.send({ ok: true });
  }
});
process.on("SIGTERM", () => {
  void sim.close().then(() => process.exit(0));
});
process.send({ url: sim.url });
