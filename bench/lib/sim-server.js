/**
 * Child process: the MoSAPI simulator serving N fleet TLDs on loopback, so its CPU is not the
 * exporter's. Argv: <targets>. Sends {url}; messages: {latency: ms} adds a latency fault to
 * every request, "clear" removes faults, "stats" answers with request counts per target.
 */
import { startFleetSimulator } from "./fleet.js";

const sim = await startFleetSimulator(Number(process.argv[2]));
process.on("message", (message) => {
  if (message === "clear") {
    sim.clearFaults();
    process.send({ ok: true });
  } else if (message === "stats") {
    // Not sim.stats(): it copies every distinct path counted, and this is polled every 50 ms.
    process.send({ byTarget: sim.requestsByTarget() });
  } else if (typeof message === "object" && "latency" in message) {
    sim.addFault({ kind: "latency", ms: message.latency });
    process.send({ ok: true });
  }
});
process.on("SIGTERM", () => {
  void sim.close().then(() => process.exit(0));
});
process.send({ url: sim.url });
