/**
 * Composition root: wires config → MoSAPI client → refresh jobs → snapshot → HTTP. Owns the
 * start, the reload (see app/reload.ts) and the orderly stop (stop refreshing, log out, close
 * the server).
 */
import type { Dispatcher } from "undici";
import { Runtime } from "./reload.js";
import { SnapshotStore } from "../snapshot/store.js";
import { loadConfig, type Config } from "../config/load.js";
import { createHttpApp, startHttpServer } from "../http/server.js";
import type { WebConfig } from "../web/config.js";
import type { Logger } from "../log/logger.js";
import { storeRenderer } from "../metrics/render.js";
import { METRICS_CONTENT_TYPE } from "../metrics/prom.js";
import { SelfMetrics } from "../metrics/self-metrics.js";
import type { BuildInfo } from "../version.js";
import { systemClock, type Clock } from "../util/clock.js";

/** Everything the exporter needs from the outside world. */
export interface AppOptions {
  readonly config: Config;
  readonly listen: { readonly host?: string | undefined; readonly port: number };
  /** `--web.config.file`: TLS, Basic auth and extra headers for our endpoints; absent: plain HTTP. */
  readonly web?: WebConfig | undefined;
  readonly logger: Logger;
  readonly build: BuildInfo;
  /** Include prom-client's process_* / nodejs_* metrics. */
  readonly defaultMetrics: boolean;
  /** Where a reload looks up `password_env` variables; default none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * How a reload obtains the new config; default `loadConfig(config.file, { env })`, which
   * re-reads the file and every secret file.
   */
  readonly reloadConfig?: () => Promise<Config>;
  readonly clock?: Clock;
  /** Tests only: one dispatcher for every MoSAPI request (e.g. an undici MockAgent). */
  readonly dispatcher?: Dispatcher;
  readonly random?: () => number;
}

/** A running exporter. */
export interface RunningApp {
  /** Base URL of our HTTP server, e.g. `http://127.0.0.1:9745`. */
  readonly url: string;
  readonly port: number;
  readonly store: SnapshotStore;
  readonly metrics: SelfMetrics;
  /** The config in force (changes on a successful reload). */
  config(): Config;
  /**
   * Reloads the config file, exactly as `POST /-/reload` does; serialised with other reloads.
   * @throws ConfigError when the new config is invalid (the old one stays in force); Error
   *   when the exporter is shutting down.
   */
  reload(): Promise<void>;
  /** Stops refreshing, logs out of MoSAPI, closes the server. Idempotent. */
  close(): Promise<void>;
}

/** Starts the exporter; resolves once the HTTP server listens (refreshes run in the background). */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new SelfMetrics(options.build, { defaultMetrics: options.defaultMetrics });
  const store = new SnapshotStore(config.targets);
  const env = options.env ?? {};
  const runtime = new Runtime(config, {
    store,
    metrics,
    logger,
    clock,
    dispatcher: options.dispatcher,
    random: options.random,
    loadConfig: options.reloadConfig ?? (() => loadConfig(config.file, { env })),
  });

  const renderer = storeRenderer(store, metrics, clock);
  let http;
  try {
    http = await startHttpServer(
      createHttpApp(
        {
          renderMetrics: () => renderer.render(),
          metricsSent: (chunks) => {
            renderer.sent(chunks);
          },
          renderMetricsGzip: () => renderer.renderGzip(),
          metricsContentType: METRICS_CONTENT_TYPE,
          isReady: () => store.isReady(),
          snapshot: () => store.current(),
          reload: () => runtime.reload(),
          info: { ...options.build, startedAt: clock.now() },
          clock,
          logger,
        },
        options.web,
      ),
      options.listen,
      logger.child({ component: "http" }),
      options.web,
    );
  } catch (error) {
    // Nothing may keep refreshing (and holding sessions) behind a server that never started.
    await runtime.close();
    throw error;
  }
  logger.info({ url: http.url }, "listening");

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    store,
    metrics,
    config: () => runtime.config,
    reload: () => runtime.reload(),
    close() {
      closing ??= (async () => {
        await runtime.close();
        await http.close();
        logger.info("stopped");
      })();
      return closing;
    },
  };
}
