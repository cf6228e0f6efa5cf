/**
 * Rebuilds a bare prom-client registry from exposition text: the "same series" baseline of the
 * scrape benchmark. Gauges and counters only (what the exporter's body holds in the benchmark).
 */
import client from "prom-client";

const SERIES = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;

function parseLabels(text) {
  const labels = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    const name = text.slice(i, eq);
    let value = "";
    let j = eq + 2; // past `="`
    while (text[j] !== '"') {
      if (text[j] === "\\") {
        const next = text[j + 1];
        value += next === "n" ? "\n" : next;
        j += 2;
      } else {
        value += text[j];
        j += 1;
      }
    }
    labels[name] = value;
    i = j + 2; // past `",`
  }
  return labels;
}

/** Families of an exposition body: name, help, type and series (labels, value). */
export function parseExposition(text) {
  const families = new Map();
  const family = (name) => {
    let entry = families.get(name);
    if (entry === undefined) {
      entry = { name, help: "", type: "untyped", series: [] };
      families.set(name, entry);
    }
    return entry;
  };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# HELP ")) {
      const rest = line.slice(7);
      const space = rest.indexOf(" ");
      family(rest.slice(0, space)).help = rest
        .slice(space + 1)
        .replace(/\\n/g, "\n")
        .replace(/\\\\/g, "\\");
    } else if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      family(name).type = type;
    } else {
      const match = SERIES.exec(line);
      if (match === null) throw new Error(`cannot parse ${JSON.stringify(line)}`);
      family(match[1]).series.push({
        labels: parseLabels(match[2] ?? ""),
        value: Number(match[3]),
      });
    }
  }
  return [...families.values()];
}

/** A prom-client registry holding exactly the series of `text`. */
export function registryFrom(text) {
  const registry = new client.Registry();
  for (const f of parseExposition(text)) {
    if (f.series.length === 0) continue;
    if (f.type !== "gauge" && f.type !== "counter") {
      throw new Error(`baseline: unsupported type ${f.type} of ${f.name}`);
    }
    const labelNames = [...new Set(f.series.flatMap((s) => Object.keys(s.labels)))];
    const Metric = f.type === "gauge" ? client.Gauge : client.Counter;
    const metric = new Metric({ name: f.name, help: f.help, labelNames, registers: [registry] });
    for (const s of f.series) {
      if (f.type === "gauge") metric.set(s.labels, s.value);
      else metric.inc(s.labels, s.value);
    }
  }
  return registry;
}
