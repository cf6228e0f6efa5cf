/**
 * Everything that talks to MoSAPI for one loaded config: the MoSAPI client (its Agents,
 * limiters and sessions) and one refresh job per target and collector, scheduled by one
 * Scheduler (waiting jobs are records under one timer: scheduler.ts). A reload builds a new
 * pipeline and retires the old one, handing the client over when its settings are unchanged
 * (see reload.ts); the snapshot store and the exporter's metrics outlive both.
 */
import type { Dispatcher } from "undici";
import { alarmedJob } from "../collectors/alarmed.js";
import { downtimeJob } from "../collectors/downtime.js";
import { incidentsJob } from "../collectors/incidents.js";
import { measurementsJob } from "../collectors/measurements.js";
import { metricaJob } from "../collectors/metrica.js";
import type { RefreshDependencies } from "../collectors/refresh.js";
import { Scheduler } from "../collectors/scheduler.js";
import { stateJob } from "../collectors/state.js";
import { TraceFiles } from "../collectors/trace-files.js";
import { troubleshootingJob } from "../collectors/troubleshooting.js";
import type { SnapshotStore } from "../snapshot/store.js";
import type { Config } from "../config/load.js";
import type { Logger } from "../log/logger.js";
import type { SelfMetrics } from "../metrics/self-metrics.js";
import { MosapiClient } from "../mosapi/client.js";
import { OddityBook } from "../collectors/oddities.js";
import { packageVersion } from "../version.js";
import type { Clock } from "../util/clock.js";

/**
 * Refreshes other than `state` admitted per request slot of a credential: two keep every slot
 * busy while one refresh parses or sends its next request; the rest wait in the scheduler.
 */
const ADMISSION_PER_SLOT = 2;

/** `mosapi-exporter/<version>`, the User-Agent of every MoSAPI request. */
export function userAgent(): string {
  return `mosapi-exporter/${packageVersion()}`;
}

/** What every pipeline shares with the rest of the exporter. */
export interface PipelineDependencies {
  readonly store: SnapshotStore;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Tests only: one dispatcher for every MoSAPI request (e.g. an undici MockAgent). */
  readonly dispatcher?: Dispatcher | undefined;
  readonly random?: (() => number) | undefined;
}

/**
 * The MoSAPI client for `config` (Agents with its TLS material), without sending anything.
 *
 * @throws whatever MosapiClient's constructor or undici's Agent throws for unusable settings
 *   (normally already rejected by the config loader).
 */
export function createClient(config: Config, deps: PipelineDependencies): MosapiClient {
  const { mosapi } = config;
  // Counts, logs once and keeps in the snapshot every odd part of an answer the client parsed.
  const oddities = new OddityBook({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger.child({ component: "refresh" }),
    count: (target, oddity) => {
      deps.metrics.onOddity(target, oddity);
    },
  });
  return new MosapiClient({
    url: mosapi.url,
    version: mosapi.version,
    timeoutMs: mosapi.timeoutMs,
    maxConcurrency: mosapi.maxConcurrency,
    credentials: config.credentials,
    tls: {
      minVersion: mosapi.tls.minVersion,
      ...(mosapi.tls.ca ? { ca: mosapi.tls.ca } : {}),
      ...(mosapi.tls.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
    },
    ...(mosapi.sourceAddress ? { sourceAddress: mosapi.sourceAddress } : {}),
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    ...(deps.random ? { random: deps.random } : {}),
    logger: deps.logger.child({ component: "mosapi" }),
    clock: deps.clock,
    // Every request says who we are (docs/mosapi.md#hosts-and-paths).
    userAgent: userAgent(),
    observer: {
      onRequest: (event) => {
        deps.metrics.onRequest(event);
      },
      onLogin: (event) => {
        deps.metrics.onLogin(event);
      },
      onOddities: (event) => {
        oddities.record(event);
      },
    },
  });
}

/** The MoSAPI client and refresh jobs of one config. */
export class Pipeline {
  /** The config this pipeline runs. */
  readonly config: Config;
  /** The MoSAPI client it refreshes through (kept across reloads that keep its settings). */
  readonly client: MosapiClient;
  readonly #deps: PipelineDependencies;
  readonly #scheduler: Scheduler;
  #closing: Promise<void> | undefined;

  /**
   * Wires `client` (built by {@link createClient}, or handed over by the previous pipeline) to
   * the refresh jobs of `config`, which start with {@link Pipeline.start}.
   */
  constructor(config: Config, deps: PipelineDependencies, client: MosapiClient) {
    this.config = config;
    this.#deps = deps;
    this.client = client;
    this.#scheduler = new Scheduler({
      clock: deps.clock,
      logger: deps.logger,
      random: deps.random,
      maxRunningPerCredential: ADMISSION_PER_SLOT * config.mosapi.maxConcurrency,
    });
  }

  /** Schedules one job per target and enabled collector. Call once. */
  start(): void {
    const { store, clock, logger, metrics } = this.#deps;
    const refresh: RefreshDependencies = {
      store,
      clock,
      logger: logger.child({ component: "refresh" }),
      onFailure: (target, collector, reason) => {
        metrics.onRefreshFailure(target, collector, reason);
      },
    };
    // One trace-file cache for all targets: a file shared by several TLDs is downloaded once.
    const jobDeps = { ...refresh, client: this.client, traceFiles: new TraceFiles() };
    const intervals = this.config.collectors;
    // One job per target and collector: a slow or failing collector never holds up another.
    this.#scheduler.start(
      this.config.targets.flatMap((target) => [
        stateJob(jobDeps, target, intervals.state),
        alarmedJob(jobDeps, target, intervals.alarmed),
        downtimeJob(jobDeps, target, intervals.downtime),
        incidentsJob(jobDeps, target, intervals.incidents),
        metricaJob(jobDeps, target, intervals.metrica),
        measurementsJob(jobDeps, target, intervals.measurements),
        troubleshootingJob(jobDeps, target, intervals.troubleshooting),
      ]),
    );
  }

  /**
   * Stops the jobs (aborting in-flight refreshes: they write nothing more to the store), then
   * logs out of every MoSAPI session and closes the client's Agents, within the config's
   * timeout. Idempotent; never rejects for a failed logout.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#scheduler.stop();
      await this.client.close();
    })();
    return this.#closing;
  }

  /** Stops the jobs only; the client keeps its sessions ({@link Pipeline.close} logs out). */
  stopRefreshing(): Promise<void> {
    return this.#scheduler.stop();
  }
}
