/**
 * The mosapi dashboards as data: build them, serialise them the way they are committed, and list
 * their queries (an end-to-end test runs every one against a real Prometheus).
 */
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { abuseDashboard } from "./abuse.js";
import { exporterDashboard } from "./exporter.js";
import type { DashboardModel } from "./common.js";
import { fleetDashboard } from "./fleet.js";
import { tldDashboard } from "./tld.js";

function isRow(panel: dashboard.Panel | dashboard.RowPanel): panel is dashboard.RowPanel {
  return panel.type === "row";
}

/** One dashboard and the file it is committed as, under `grafana/dashboards/`. */
export interface DashboardFile {
  readonly file: string;
  readonly dashboard: DashboardModel;
}

/**
 * Builds every dashboard, with panel ids numbered 1, 2, 3… in layout order (Grafana needs unique
 * ids for links to a panel; the SDK leaves them unset).
 *
 * @returns the dashboards in a fixed order, each with its file name (`<uid>.json`).
 */
export function buildDashboards(): DashboardFile[] {
  return [fleetDashboard(), tldDashboard(), abuseDashboard(), exporterDashboard()].map((model) => {
    let id = 0;
    for (const panel of model.panels ?? []) {
      panel.id = ++id;
      if (isRow(panel)) {
        for (const inner of panel.panels) inner.id = ++id;
      }
    }
    return { file: `${model.uid ?? model.title}.json`, dashboard: model };
  });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

/**
 * Serialises a dashboard as committed: keys sorted at every level (so diffs stay small when the
 * SDK changes its internal order), 2-space indent, trailing newline.
 *
 * @returns the JSON text.
 */
export function renderDashboard(model: DashboardModel): string {
  return `${JSON.stringify(sortKeys(model), null, 2)}\n`;
}

/** One PromQL query of a dashboard panel. */
export interface DashboardQuery {
  /** The dashboard's uid. */
  readonly dashboard: string;
  /** The panel's title. */
  readonly panel: string;
  /**
   * The expression as Grafana sends it before interpolation: it may contain `$__rate_interval`
   * and the variables `$kind`, `$target` (TLD detail, abuse), `$job` and `$instance` (exporter
   * health).
   */
  readonly expr: string;
}

/**
 * Every PromQL expression of every panel of every dashboard.
 *
 * @returns the queries in dashboard and panel order.
 */
export function dashboardQueries(): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const { dashboard: model } of buildDashboards()) {
    const panels = (model.panels ?? []).flatMap((p) => (isRow(p) ? p.panels : [p]));
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const expr: unknown = (target as { expr?: unknown }).expr;
        if (typeof expr === "string") {
          queries.push({
            dashboard: model.uid ?? model.title ?? "",
            panel: panel.title ?? "",
            expr,
          });
        }
      }
    }
  }
  return queries;
}
