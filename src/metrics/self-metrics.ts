/**
 * The exporter's own long-lived metrics: upstream requests and logins (fed by the MoSAPI client
 * through {@link ClientObserver}), refresh failures, build info, config reloads, and optionally
 * prom-client's default process/Node.js metrics.
 */
import { COLLECTOR_NAMES, type CollectorName } from "../snapshot/names.js";
import { FAILURE_REASONS, type FailureReason } from "../mosapi/failure.js";
import type { ClientObserver } from "../mosapi/observer.js";
import type { Oddity } from "../mosapi/oddities.js";
import { targetLabels, type Target } from "../mosapi/target.js";
import type { BuildInfo } from "../version.js";
import { EXPORTER_METRICS, labelNames, type MetricDefinition } from "./names.js";
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type PromRegistry,
} from "./prom.js";

/** Upstream latency buckets: MoSAPI answers in tens of milliseconds to seconds; timeout is 15 s. */
const DURATION_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

function common(definition: MetricDefinition, registry: PromRegistry) {
  return {
    name: definition.name,
    help: definition.help,
    labelNames: labelNames(definition),
    registers: [registry],
  };
}

/** Long-lived exporter metrics in their own registry. */
export class SelfMetrics implements ClientObserver {
  readonly registry: PromRegistry = new Registry();
  readonly #refreshFailures = new Counter(common(EXPORTER_METRICS.refreshFailures, this.registry));
  readonly #requests = new Counter(common(EXPORTER_METRICS.requests, this.registry));
  readonly #oddities = new Counter(common(EXPORTER_METRICS.upstreamOddities, this.registry));
  readonly #requestDuration = new Histogram({
    ...common(EXPORTER_METRICS.requestDuration, this.registry),
    buckets: DURATION_BUCKETS,
  });
  readonly #logins = new Counter(common(EXPORTER_METRICS.logins, this.registry));
  readonly #loginFailures = new Counter(common(EXPORTER_METRICS.loginFailures, this.registry));
  readonly #reloadOk = new Gauge(common(EXPORTER_METRICS.configReloadSuccessful, this.registry));
  readonly #reloadTime = new Gauge(
    common(EXPORTER_METRICS.configReloadSuccessTimestamp, this.registry),
  );

  /**
   * @param build labels of `mosapi_exporter_build_info`
   * @param options.defaultMetrics include prom-client's `process_*` / `nodejs_*` families
   */
  constructor(build: BuildInfo, options: { defaultMetrics: boolean }) {
    const info = new Gauge(common(EXPORTER_METRICS.buildInfo, this.registry));
    info.set(
      { version: build.version, revision: build.revision, nodejs_version: build.nodeVersion },
      1,
    );
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** {@inheritDoc ClientObserver.onRequest} */
  onRequest(event: { endpoint: string; code: string; seconds: number }): void {
    this.#requests.inc({ endpoint: event.endpoint, code: event.code });
    this.#requestDuration.observe({ endpoint: event.endpoint }, event.seconds);
  }

  /** {@inheritDoc ClientObserver.onLogin} */
  onLogin(event: { credentials: string; ok: boolean }): void {
    this.#logins.inc({ credentials: event.credentials });
    if (!event.ok) this.#loginFailures.inc({ credentials: event.credentials });
  }

  /**
   * Starts the login counters of Basic-auth credentials at 0, so `increase()` also sees the
   * first failure (a series born at 1 has no earlier sample to increase from).
   */
  declareCredentials(names: readonly string[]): void {
    for (const credentials of names) {
      this.#logins.inc({ credentials }, 0);
      this.#loginFailures.inc({ credentials }, 0);
    }
  }

  /** Counts one failed refresh of `collector` for `target`. */
  onRefreshFailure(target: Target, collector: CollectorName, reason: FailureReason): void {
    this.#refreshFailures.inc({ ...targetLabels(target), collector, reason });
  }

  /**
   * Drops every series of `target` (its `mosapi_refresh_failures_total` counters), for a target
   * no longer configured: its series must not linger until the process restarts.
   */
  forgetTarget(target: Target): void {
    for (const collector of COLLECTOR_NAMES) {
      for (const reason of FAILURE_REASONS) {
        this.#refreshFailures.remove({ ...targetLabels(target), collector, reason });
      }
    }
  }

  /** Counts one odd part of an answer for `target`. */
  onOddity(target: Target, oddity: Pick<Oddity, "endpoint" | "reason">): void {
    this.#oddities.inc({
      ...targetLabels(target),
      endpoint: oddity.endpoint,
      reason: oddity.reason,
    });
  }

  /** Records the outcome of a configuration load or reload at `nowMs`. */
  onConfigLoad(ok: boolean, nowMs: number): void {
    this.#reloadOk.set(ok ? 1 : 0);
    if (ok) this.#reloadTime.set(nowMs / 1000);
  }

  /** The families in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
