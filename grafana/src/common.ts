/**
 * Building blocks shared by the mosapi dashboards: the `$datasource` variable, the target
 * variables, queries bound to `$datasource`, panels that always carry a title, a description, a
 * unit and a size, thresholds, value mappings and links.
 */
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as statetimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { Unit } from "./units.js";

/** Tag carried by every mosapi dashboard; the dashboard links list dashboards by it. */
export const TAG = "mosapi";

/** Fixed dashboard uids (at most 40 characters: Grafana's limit). */
export const UID = {
  fleet: "mosapi-fleet",
  tld: "mosapi-tld",
  abuse: "mosapi-abuse",
  exporter: "mosapi-exporter",
} as const;

/**
 * The data source of every panel and query: the `$datasource` variable, never a `${DS_…}`
 * import placeholder, so the JSON works both through provisioning and through UI import.
 */
export const DATASOURCE: common.DataSourceRef = { type: "prometheus", uid: "${datasource}" };

/** The `$datasource` variable: any Prometheus data source of the Grafana instance. */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder("datasource")
    .label("Data source")
    .description("Prometheus that scrapes mosapi-exporter")
    .type("prometheus");
}

/**
 * The `kind` and `target` variables. `kind` names the label that identifies a target (`tld` for
 * registries, `registrar_id` for registrars), `target` lists its values, and queries match
 * `$kind=~"$target"`. With `multi`, several targets (or All) can be chosen.
 */
export function targetVariables(multi: boolean): cog.Builder<dashboard.VariableModel>[] {
  const kind = new dashboard.CustomVariableBuilder("kind")
    .label("Target kind")
    .description("Registry targets have a tld label, registrar targets a registrar_id label")
    .values("TLD : tld, Registrar : registrar_id")
    .current({ text: "TLD", value: "tld", selected: true });
  const query = "label_values(mosapi_up, $kind)";
  const target = new dashboard.QueryVariableBuilder("target")
    .label("Target")
    .description("TLD (A-label) or IANA registrar ID")
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
  if (multi) target.allValue(".+");
  return [kind, target];
}

/** Links to every mosapi dashboard (by tag), keeping the time range and the variables. */
export function dashboardLinks(): cog.Builder<dashboard.DashboardLink> {
  // Built by hand: the SDK's builder always sets `placement: "inControlsMenu"`, which hides the
  // links in a menu on recent Grafana versions.
  const link: dashboard.DashboardLink = {
    title: "MoSAPI dashboards",
    type: dashboard.DashboardLinkType.Dashboards,
    icon: "external link",
    tooltip: "",
    tags: [TAG],
    asDropdown: true,
    targetBlank: false,
    includeVars: true,
    keepTime: true,
  };
  return { build: () => link };
}

/*
 * The SDK marks the classic dashboard model deprecated in favour of schema v2, which only
 * Grafana 12 with a feature flag reads. The classic JSON model imports and provisions on every
 * Grafana version operators run, so the dashboards use it, and only this file names it.
 */
/* eslint-disable @typescript-eslint/no-deprecated */

/** The classic Grafana dashboard JSON model. */
export type DashboardModel = dashboard.Dashboard;

/** A dashboard with the settings all mosapi dashboards share and the `$datasource` variable. */
export function baseDashboard(
  uid: string,
  title: string,
  description: string,
): dashboard.DashboardBuilder {
  return (
    new dashboard.DashboardBuilder(title)
      .uid(uid)
      .description(description)
      .tags([TAG])
      // MoSAPI times (SLA weeks, incidents, METRICA report days) are UTC.
      .timezone("utc")
      .time({ from: "now-24h", to: "now" })
      .refresh("1m")
      .tooltip(dashboard.DashboardCursorSync.Crosshair)
      // Grafana expects a list here, even an empty one.
      .annotations([])
      .link(dashboardLinks())
      .withVariable(datasourceVariable())
  );
}
/* eslint-enable @typescript-eslint/no-deprecated */

/**
 * A data link to the TLD detail dashboard for one target, keeping data source and time range.
 * `kind` and `target` are data-link expressions, such as `${__field.labels.kind}`.
 *
 * @returns a `links` field property for an override.
 */
export function detailLink(kind: string, target: string): dashboard.DynamicConfigValue {
  const url =
    `/d/${UID.tld}/mosapi-tld-detail?\${datasource:queryparam}` +
    `&var-kind=${kind}&var-target=${target}&\${__url_time_range}`;
  return { id: "links", value: [{ title: `TLD / registrar detail for ${target}`, url }] };
}

const REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function query(expr: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .editorMode(prometheus.QueryEditorMode.Code)
    .expr(expr);
}

/** A range query drawn as series named by `legend` (Grafana `{{label}}` syntax). */
export function rangeQuery(expr: string, legend: string): prometheus.DataqueryBuilder {
  return query(expr).range().legendFormat(legend);
}

/** An instant query (the latest value) as series named by `legend`. */
export function instantQuery(expr: string, legend: string): prometheus.DataqueryBuilder {
  return query(expr).instant().legendFormat(legend);
}

/** An instant query returned as a table: one row per series, one column per label. */
export function tableQuery(expr: string): prometheus.DataqueryBuilder {
  return query(expr).instant().format(prometheus.PromQueryFormat.Table);
}

/** What every panel must say. */
export interface PanelSpec {
  readonly title: string;
  /** What the panel answers and where its data comes from (shown as the panel's ⓘ). */
  readonly description: string;
  /** A Grafana unit id, see `Unit`. */
  readonly unit: string;
  /** Width in grid columns (24 = full width). */
  readonly span: number;
  readonly height: number;
  /** Queries, given refIds A, B, C… in this order. */
  readonly queries: readonly prometheus.DataqueryBuilder[];
}

/** The builder methods every panel type has (structurally; the SDK has no common base). */
interface PanelBasics {
  title(title: string): this;
  description(description: string): this;
  unit(unit: string): this;
  datasource(datasource: common.DataSourceRef): this;
  span(w: number): this;
  height(h: number): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
}

function withSpec<P extends PanelBasics>(builder: P, spec: PanelSpec): P {
  builder
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .span(spec.span)
    .height(spec.height);
  spec.queries.forEach((target, index) => {
    builder.withTarget(target.refId(REF_IDS.charAt(index)));
  });
  return builder;
}

/** A time series panel with a legend (list, bottom) and a shared, sorted tooltip. */
export function timeseriesPanel(spec: PanelSpec): timeseries.PanelBuilder {
  return withSpec(new timeseries.PanelBuilder(), spec)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never);
}

/**
 * A {@link timeseriesPanel} that draws the threshold steps as dashed lines: the levels a reader
 * compares the series with (escalation ladder, alert thresholds).
 */
export function timeseriesWithLines(
  spec: PanelSpec,
  steps: dashboard.ThresholdsConfigBuilder,
): timeseries.PanelBuilder {
  return timeseriesPanel(spec)
    .thresholds(steps)
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
    );
}

/** A stat panel showing the last value of each series. */
export function statPanel(spec: PanelSpec): stat.PanelBuilder {
  return withSpec(new stat.PanelBuilder(), spec)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .textMode(common.BigValueTextMode.Auto);
}

/** A table panel with compact rows and column filters. */
export function tablePanel(spec: PanelSpec): table.PanelBuilder {
  return withSpec(new table.PanelBuilder(), spec)
    .cellHeight(common.TableCellHeight.Sm)
    .filterable(true);
}

/** A state timeline: one row per series, coloured by value mappings, values merged. */
export function stateTimelinePanel(spec: PanelSpec): statetimeline.PanelBuilder {
  return withSpec(new statetimeline.PanelBuilder(), spec)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true)
    .rowHeight(0.8)
    .fillOpacity(80)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    );
}

/** A horizontal bar gauge of the last value of each series. */
export function barGaugePanel(spec: PanelSpec): bargauge.PanelBuilder {
  return withSpec(new bargauge.PanelBuilder(), spec)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .valueMode(common.BarGaugeValueMode.Color)
    .showUnfilled(true);
}

/**
 * Absolute thresholds: `base` below the first step, then each `[value, color]`.
 *
 * @returns a thresholds builder for `.thresholds(…)`.
 */
export function thresholds(
  base: string,
  steps: readonly (readonly [number, string])[] = [],
): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/**
 * ICANN's escalation ladder on the share of the emergency threshold used: 10 %, 25 %, 50 %,
 * 75 %, 100 % (the same tiers as the alert rules).
 */
export function ladderThresholds(): dashboard.ThresholdsConfigBuilder {
  return thresholds("green", [
    [0.1, "yellow"],
    [0.25, "orange"],
    [0.5, "red"],
    [0.75, "dark-red"],
    [1, "purple"],
  ]);
}

/**
 * The early warning on the share of probes losing a name server: orange from 25 %, where the
 * alert MosapiNameServerLosingProbes fires (with at least 2 probes, for 10 minutes, while the
 * service is Up), red from 51 %, where SLAM counts the name server down for the cycle.
 */
export function earlyWarningThresholds(): dashboard.ThresholdsConfigBuilder {
  return thresholds("green", [
    [0.25, "orange"],
    [0.51, "red"],
  ]);
}

/**
 * The field overrides of a "share of probes losing a name server" table column: a ratio drawn as
 * a gauge coloured by {@link earlyWarningThresholds}. The TLD detail and the fleet overview use
 * it for the same column.
 *
 * @returns the overrides for `.overrideByName(column, …)`.
 */
export function earlyWarningShareOverrides(): dashboard.DynamicConfigValue[] {
  return [
    { id: "unit", value: Unit.ratio },
    { id: "min", value: 0 },
    { id: "max", value: 1 },
    { id: "thresholds", value: earlyWarningThresholds().build() },
    { id: "color", value: { mode: dashboard.FieldColorModeId.Thresholds } },
    {
      id: "custom.cellOptions",
      value: { type: common.TableCellDisplayMode.Gauge, mode: common.BarGaugeDisplayMode.Basic },
    },
  ];
}

/**
 * Value mappings from numeric codes to text and colour (state codes, 0/1 flags).
 *
 * @returns one value mapping for `.mappings([…])`.
 */
export function codeMappings(
  entries: readonly { readonly code: number; readonly text: string; readonly color: string }[],
): dashboard.ValueMapping {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  entries.forEach((entry, index) => {
    options[String(entry.code)] = { text: entry.text, color: entry.color, index };
  });
  return { type: dashboard.MappingType.ValueToText, options };
}

/** Colours by value mappings and thresholds rather than by series. */
export function colorByThresholds(): dashboard.FieldColorBuilder {
  return new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds);
}

/** A `merge` transformation (joins instant table queries on their common labels). */
export const MERGE: dashboard.DataTransformerConfig = { id: "merge", options: {} };

/**
 * An `organize` transformation: hide `excluded` columns, rename by `renamed`, order as listed.
 *
 * @returns the transformation config.
 */
export function organize(
  excluded: readonly string[],
  renamed: Readonly<Record<string, string>>,
  order: readonly string[],
): dashboard.DataTransformerConfig {
  const excludeByName: Record<string, boolean> = {};
  for (const name of excluded) excludeByName[name] = true;
  const indexByName: Record<string, number> = {};
  order.forEach((name, index) => {
    indexByName[name] = index;
  });
  return {
    id: "organize",
    options: { excludeByName, renameByName: { ...renamed }, indexByName },
  };
}
