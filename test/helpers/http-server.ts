/**
 * The exporter's HTTP app on a free loopback port, with quiet defaults for every dependency a
 * test does not care about; the caller closes it.
 */
import type { HttpDependencies } from "../../src/http/routes.js";
import { createHttpApp, startHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log/logger.js";
import { createLogSink } from "./log-sink.js";

/** Starts `createHttpApp` with `deps` over the defaults (ready, clock at 0, logs discarded). */
export function startTestHttpServer(
  deps: Pick<HttpDependencies, "renderMetrics" | "metricsContentType" | "snapshot"> &
    Partial<HttpDependencies>,
) {
  return startHttpServer(
    createHttpApp({
      isReady: () => true,
      info: { version: "1", revision: "r", nodeVersion: "v20", startedAt: 0 },
      clock: { now: () => 0 },
      logger: createLogger({
        level: "info",
        format: "json",
        destination: createLogSink().destination,
      }),
      ...deps,
    }),
    { host: "127.0.0.1", port: 0 },
  );
}
