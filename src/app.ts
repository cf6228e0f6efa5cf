/**
 * Composition root: wires config → MoSAPI client → refresh jobs → snapshot → HTTP. Owns the
 * start and the orderly stop (stop refreshing, log out, close the server).
 */
import type { Dispatcher } from "undici";
import { alarmedJob } from "./collectors/alarmed.js";
import { downtimeJob } from "./collectors/downtime.js";
import { incidentsJob } from "./collectors/incidents.js";
import { metricaJob } from "./collectors/metrica.js";
import { COLLECTOR_NAMES } from "./collectors/names.js";
import type { RefreshDependencies } from "./collectors/refresh.js";
import { Scheduler } from "./collectors/scheduler.js";
import { stateJob } from "./collectors/state.js";
import { SnapshotStore } from "./collectors/store.js";
import type { Config } from "./config/load.js";
import { createHttpApp, startHttpServer } from "./http/server.js";
import type { Logger } from "./log/logger.js";
import { MetricsRenderer } from "./metrics/render.js";
import { METRICS_CONTENT_TYPE } from "./metrics/prom.js";
import { SelfMetrics, type BuildInfo } from "./metrics/self-metrics.js";
import { MosapiClient } from "./mosapi/client.js";
import { systemClock, type Clock } from "./util/clock.js";

/** Everything the exporter needs from the outside world. */
export interface AppOptions {
  readonly config: Config;
  readonly listen: { readonly host?: string | undefined; readonly port: number };
  readonly logger: Logger;
  readonly build: BuildInfo;
  /** Include prom-client's process_* / nodejs_* metrics. */
  readonly defaultMetrics: boolean;
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
  /** Stops refreshing, logs out of MoSAPI, closes the server. Idempotent. */
  close(): Promise<void>;
}

/** Starts the exporter; resolves once the HTTP server listens (refreshes run in the background). */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new SelfMetrics(options.build, { defaultMetrics: options.defaultMetrics });
  metrics.onConfigLoad(true, clock.now());
  metrics.declareCredentials(
    [...config.credentials].filter(([, c]) => c.kind === "basic").map(([name]) => name),
  );

  const client = new MosapiClient({
    url: config.mosapi.url,
    version: config.mosapi.version,
    timeoutMs: config.mosapi.timeoutMs,
    maxConcurrency: config.mosapi.maxConcurrency,
    credentials: config.credentials,
    tls: {
      minVersion: config.mosapi.tls.minVersion,
      ...(config.mosapi.tls.ca ? { ca: config.mosapi.tls.ca } : {}),
    },
    ...(config.mosapi.sourceAddress ? { sourceAddress: config.mosapi.sourceAddress } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.random ? { random: options.random } : {}),
    logger: logger.child({ component: "mosapi" }),
    clock,
    observer: metrics,
  });

  const store = new SnapshotStore(config.targets);
  const deps: RefreshDependencies = {
    store,
    clock,
    logger: logger.child({ component: "refresh" }),
    onFailure: (target, collector, reason) => {
      metrics.onRefreshFailure(target, collector, reason);
    },
  };
  const scheduler = new Scheduler({
    clock,
    logger,
    ...(options.random ? { random: options.random } : {}),
  });
  const jobDeps = { ...deps, client };
  const intervals = config.collectors;
  // One loop per target and collector: a slow or failing collector never holds up another.
  scheduler.start(
    config.targets.flatMap((target) => [
      stateJob(jobDeps, target, intervals.state),
      alarmedJob(jobDeps, target, intervals.alarmed),
      downtimeJob(jobDeps, target, intervals.downtime),
      incidentsJob(jobDeps, target, intervals.incidents),
      metricaJob(jobDeps, target, intervals.metrica),
    ]),
  );
  const disabled = COLLECTOR_NAMES.filter((name) => config.collectors[name] === 0);
  logger.info(
    { targets: config.targets.length, url: config.mosapi.url, disabled_collectors: disabled },
    "refreshing MoSAPI in the background",
  );

  const renderer = new MetricsRenderer(() => store.current(), metrics);
  const http = await startHttpServer(
    createHttpApp({
      renderMetrics: () => renderer.render(),
      metricsContentType: METRICS_CONTENT_TYPE,
      isReady: () => store.isReady(),
      snapshot: () => store.current(),
      info: {
        version: options.build.version,
        revision: options.build.revision,
        nodeVersion: options.build.nodeVersion,
        startedAt: clock.now(),
      },
      clock,
      logger,
    }),
    options.listen,
    logger.child({ component: "http" }),
  );
  logger.info({ url: http.url }, "listening");

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    store,
    metrics,
    close() {
      closing ??= (async () => {
        await scheduler.stop();
        await client.close();
        await http.close();
        logger.info("stopped");
      })();
      return closing;
    },
  };
}
