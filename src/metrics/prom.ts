/**
 * The only module that imports prom-client. Everything else builds metrics through these
 * re-exports, so moving to `@prometheus-io/client` (or a hand-written writer) touches one file.
 */
import client from "prom-client";

export const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = client;
export type {
  Counter as CounterMetric,
  Gauge as GaugeMetric,
  Histogram as HistogramMetric,
} from "prom-client";
export type PromRegistry = InstanceType<typeof client.Registry>;

/** Exposition format 0.0.4, the exact header Prometheus expects of `/metrics`. */
export const METRICS_CONTENT_TYPE: string = client.Registry.PROMETHEUS_CONTENT_TYPE;
