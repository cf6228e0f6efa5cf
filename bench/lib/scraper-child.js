/**
 * Child process: scrapes a URL once a second over keep-alive, as Prometheus would from its own
 * process, so receiving 7.7 MB bodies costs the exporter's thread nothing. Argv: <url>.
 * Sends {ready} at once; on "stop" answers with each scrape's {at, ms}, `at` counted from the
 * moment the child was started.
 */
import { scraper } from "./http-client.js";

const [url] = process.argv.slice(2);
const client = scraper();
const scrapes = [];
const started = performance.now();
let running = true;

process.on("message", (message) => {
  if (message === "stop") running = false;
});
process.send({ ready: true });
while (running) {
  const at = performance.now();
  const { ms } = await client.get(url);
  scrapes.push({ at: at - started, ms });
  const wait = 1000 - (performance.now() - at);
  if (running && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
client.close();
process.send({ scrapes });
process.disconnect();
