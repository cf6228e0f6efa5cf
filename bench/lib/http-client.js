/** A keep-alive HTTP client for scraping loopback servers, timing each full response. */
import http from "node:http";

/** One agent per scraper, like one Prometheus target connection. */
export function scraper({ gzip = false } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // What Prometheus sends; the body is counted as it arrives (wire bytes), not inflated.
  const headers = gzip ? { "accept-encoding": "gzip" } : {};
  return {
    /**
     * GETs `url`; resolves with the status, the Content-Encoding, the body length on the wire
     * and the milliseconds to the last byte.
     */
    get(url) {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const req = http.get(url, { agent, headers }, (res) => {
          let bytes = 0;
          res.on("data", (chunk) => {
            bytes += chunk.length;
          });
          res.on("end", () => {
            resolve({
              status: res.statusCode,
              encoding: res.headers["content-encoding"] ?? "identity",
              bytes,
              ms: performance.now() - started,
            });
          });
          res.on("error", reject);
        });
        req.on("error", reject);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** GETs `url` once and returns the body as text. */
export async function fetchText(url) {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}
