/**
 * The exporter's HTTP app on a free loopback port, with quiet defaults for every dependency a
 * test does not care about; the caller closes it.
 */
import type { HttpDependencies } from "../../src/http/routes.js";
import { createHttpApp, startHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log/logger.js";
import type { WebConfig } from "../../src/web/config.js";
import { createLogSink } from "./log-sink.js";

/** Where and how {@link startTestHttpServer} serves. */
export interface TestHttpServerOptions {
  /** The web config (TLS, Basic auth, headers, rate limit), given to the app and the server. */
  readonly web?: WebConfig;
  /** Default 0: a free port. */
  readonly port?: number;
}

/**
 * Starts `createHttpApp` with `deps` over the defaults (`up 1` as the metrics in the 0.0.4
 * content type, no targets, ready, clock at 0, logs discarded) on 127.0.0.1.
 * @throws ListenError as `startHttpServer` does (e.g. the port is taken)
 */
export function startTestHttpServer(
  deps: Partial<HttpDependencies> = {},
  options: TestHttpServerOptions = {},
) {
  const full: HttpDependencies = {
    renderMetrics: () => Promise.resolve("up 1\n"),
    metricsContentType: "text/plain; version=0.0.4; charset=utf-8",
    snapshot: () => ({ version: 0, targets: [] }),
    isReady: () => true,
    info: { version: "1", revision: "r", nodeVersion: "v20", startedAt: 0 },
    clock: { now: () => 0 },
    logger: createLogger({
      level: "info",
      format: "json",
      destination: createLogSink().destination,
    }),
    ...deps,
  };
  return startHttpServer(
    createHttpApp(full, options.web),
    { host: "127.0.0.1", port: options.port ?? 0 },
    full.logger,
    options.web,
  );
}
