/**
 * The reference the hand-written exposition writer must equal byte for byte: the very same
 * series (src's `addTarget`, the mapping the golden files pin) fed into prom-client Gauges of a
 * fresh registry, rendered by prom-client. Only tests use it.
 */
import type { Snapshot } from "../../src/snapshot/snapshot.js";
import { labelNames, SNAPSHOT_METRICS } from "../../src/metrics/names.js";
import { Gauge, Registry } from "../../src/metrics/prom.js";
import { addTarget, addTraces, type SeriesSinks } from "../../src/metrics/snapshot-series.js";

/** Renders the MoSAPI-derived families of `snapshot` with prom-client. */
export async function renderWithPromClient(snapshot: Snapshot): Promise<string> {
  const registry = new Registry();
  const gauges = Object.fromEntries(
    Object.entries(SNAPSHOT_METRICS).map(([key, definition]) => [
      key,
      new Gauge({
        name: definition.name,
        help: definition.help,
        labelNames: labelNames(definition),
        registers: [registry],
      }),
    ]),
  ) as Record<keyof SeriesSinks, InstanceType<typeof Gauge>>;
  for (const entry of snapshot.targets) addTarget(gauges, entry);
  addTraces(gauges, snapshot.targets);
  // A family with no series says nothing; prom-client would print HELP/TYPE alone.
  for (const gauge of Object.values(gauges)) {
    const { name, values } = await gauge.get();
    if (values.length === 0) registry.removeSingleMetric(name);
  }
  return registry.metrics();
}
