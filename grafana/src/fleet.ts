/**
 * Fleet overview (uid `mosapi-fleet`): every TLD and registrar × service at a glance, worst
 * first, name servers losing probes before SLAM opens an incident, active incidents, and whether
 * the exporter and ICANN's data are fresh.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import {
  type DashboardModel,
  MERGE,
  UID,
  barGaugePanel,
  baseDashboard,
  codeMappings,
  colorByThresholds,
  detailLink,
  earlyWarningShareOverrides,
  instantQuery,
  ladderThresholds,
  organize,
  rangeQuery,
  stateTimelinePanel,
  statPanel,
  tablePanel,
  tableQuery,
  thresholds,
  timeseriesPanel,
  timeseriesWithLines,
} from "./common.js";
import { SERVICE_STATES, byTarget, nameServerDownShare, serviceStateCodes } from "./promql.js";
import { Unit } from "./units.js";

type Panel = cog.Builder<dashboard.Panel>;

const SERVICE_MAPPINGS = codeMappings(
  SERVICE_STATES.map((s) => ({ code: s.code, text: s.status, color: s.color })),
);
const ALARMED_MAPPINGS = codeMappings([
  { code: 1, text: "Yes", color: "red" },
  { code: 0, text: "No", color: "green" },
]);
/** Data link on series carrying the `kind` and `target` labels of `byTarget`. */
const SERIES_LINK = detailLink("${__field.labels.kind}", "${__field.labels.target}");
/** Data link on a table's Target column, the row's `kind` column naming the label. */
const ROW_LINK = detailLink("${__data.fields.kind}", "${__value.raw}");

const PER_SERVICE = "max by (tld, registrar_id, service_type)";

/** Stat panels: how many services are in trouble right now. */
function glancePanels(): Panel[] {
  const count = (title: string, description: string, expr: string, color: string) =>
    statPanel({
      title,
      description,
      unit: Unit.count,
      span: 4,
      height: 4,
      queries: [instantQuery(`${expr} or vector(0)`, title)],
    })
      .thresholds(thresholds("green", [[1, color]]))
      .colorScheme(colorByThresholds());
  return [
    count(
      "Services down",
      "Target × service pairs whose MoSAPI state is Down (mosapi_service_status).",
      `count(${PER_SERVICE} (mosapi_service_status{status="down"}) == 1)`,
      "red",
    ),
    count(
      "Services not up",
      "Target × service pairs that are Down, Unknown or Up-inconclusive (no data, no probes, " +
        "reconfiguration): SLAM cannot confirm they work.",
      `count(${PER_SERVICE} (mosapi_service_status{status!~"up|disabled"}) == 1)`,
      "orange",
    ),
    count(
      "Services alarmed",
      "Services whose MoSAPI alarmed endpoint says Yes: the latest incident is active and not " +
        "a false positive (mosapi_service_alarmed).",
      `count(${PER_SERVICE} (mosapi_service_alarmed) == 1)`,
      "red",
    ),
    count(
      "Active incidents",
      "Active incidents that are not false positives, over all targets and services " +
        '(mosapi_service_incidents{state="active"}).',
      `sum(${PER_SERVICE} (mosapi_service_incidents{state="active", false_positive="false"}))`,
      "orange",
    ),
    statPanel({
      title: "Highest threshold used",
      description:
        "The largest share of a rolling-week emergency threshold used by any target and " +
        "service. ICANN escalates at 10 %; at 100 % it may move the TLD to an emergency operator.",
      unit: Unit.ratio,
      span: 4,
      height: 4,
      queries: [
        instantQuery("max(mosapi_service_emergency_threshold_ratio)", "Highest threshold used"),
      ],
    })
      .thresholds(ladderThresholds())
      .colorScheme(colorByThresholds())
      .decimals(1),
    count(
      "Targets failing to refresh",
      "Targets whose last MoSAPI state refresh failed (mosapi_up 0): their values are the last " +
        "good ones. See the exporter health dashboard for the reason.",
      "count(max by (tld, registrar_id) (mosapi_up) == 0)",
      "red",
    ),
  ];
}

/** The whole fleet in one table, worst state first. */
function serviceTable(): Panel {
  const per = (expr: string) => tableQuery(byTarget(expr, "service_type"));
  return tablePanel({
    title: "Every target and service, worst first",
    description:
      "One row per TLD or registrar and service: current MoSAPI state, share of the emergency " +
      "threshold used, rolling-week downtime, alarmed flag and active incidents (not false " +
      "positives). Sorted by state, worst first; click a target for its detail dashboard.",
    unit: Unit.count,
    span: 24,
    height: 12,
    queries: [
      per(serviceStateCodes()),
      per("mosapi_service_emergency_threshold_ratio"),
      per("mosapi_service_downtime_seconds"),
      per("mosapi_service_alarmed"),
      per('mosapi_service_incidents{state="active", false_positive="false"}'),
    ],
  })
    .withTransformation(MERGE)
    .withTransformation(
      organize(
        ["Time"],
        {
          target: "Target",
          service_type: "Service",
          "Value #A": "State",
          "Value #B": "Threshold used",
          "Value #C": "Downtime (rolling week)",
          "Value #D": "Alarmed",
          "Value #E": "Active incidents",
        },
        [
          "target",
          "kind",
          "service_type",
          "Value #A",
          "Value #B",
          "Value #C",
          "Value #D",
          "Value #E",
        ],
      ),
    )
    .sortBy([new common.TableSortByFieldStateBuilder().displayName("State").desc(true)])
    .overrideByName("Target", [ROW_LINK])
    .overrideByName("State", [
      { id: "mappings", value: [SERVICE_MAPPINGS] },
      { id: "custom.cellOptions", value: { type: common.TableCellDisplayMode.ColorBackground } },
    ])
    .overrideByName("Threshold used", [
      { id: "unit", value: Unit.ratio },
      { id: "min", value: 0 },
      { id: "max", value: 1 },
      { id: "thresholds", value: ladderThresholds().build() },
      { id: "color", value: { mode: dashboard.FieldColorModeId.Thresholds } },
      {
        id: "custom.cellOptions",
        value: { type: common.TableCellDisplayMode.Gauge, mode: common.BarGaugeDisplayMode.Basic },
      },
    ])
    .overrideByName("Downtime (rolling week)", [{ id: "unit", value: Unit.seconds }])
    .overrideByName("Alarmed", [
      { id: "mappings", value: [ALARMED_MAPPINGS] },
      { id: "custom.cellOptions", value: { type: common.TableCellDisplayMode.ColorText } },
    ]);
}

function thresholdBars(): Panel {
  return barGaugePanel({
    title: "Emergency threshold used, worst 20",
    description:
      "Share of the rolling-week emergency threshold used (DNS/DNSSEC 240 min, RDDS/RDAP/EPP " +
      "1440 min of downtime), highest first, coloured by ICANN's ladder: 10 %, 25 %, 50 %, " +
      "75 %, 100 %. Click a bar for the target's detail dashboard.",
    unit: Unit.ratio,
    span: 12,
    height: 10,
    queries: [
      instantQuery(
        `sort_desc(topk(20, ${byTarget("mosapi_service_emergency_threshold_ratio", "service_type")}))`,
        "{{target}} {{service_type}}",
      ),
    ],
  })
    .min(0)
    .max(1)
    .decimals(1)
    .thresholds(ladderThresholds())
    .colorScheme(colorByThresholds())
    .overrideByQuery("A", [SERIES_LINK]);
}

function notUpTimeline(): Panel {
  return stateTimelinePanel({
    title: "Services not up over time",
    description:
      "When each target × service was Down, Unknown or Up-inconclusive; services that stayed " +
      "Up (or Disabled) have no row. Click a row for the target's detail dashboard.",
    unit: Unit.count,
    span: 12,
    height: 10,
    queries: [
      rangeQuery(
        `${byTarget(serviceStateCodes(), "service_type")} >= 2`,
        "{{target}} {{service_type}}",
      ),
    ],
  })
    .mappings([SERVICE_MAPPINGS])
    .colorScheme(colorByThresholds())
    .thresholds(thresholds("green"))
    .overrideByQuery("A", [SERIES_LINK]);
}

/**
 * Name servers that at least 2 probes lose while the service is still Up: what SLAM sees before
 * it opens an incident. At least 2, as in the alert, so one probe's own trouble (which makes it
 * lose every name server of every TLD) does not list the whole fleet.
 */
function earlyWarningTable(): Panel {
  const probes = "mosapi_measurement_nameserver_probes";
  const losing = (expr: string) =>
    tableQuery(
      byTarget(expr, "service_type", "nameserver") +
        ` and on (kind, target, service_type, nameserver) ` +
        `(${byTarget(`${probes}{status="down"}`, "service_type", "nameserver")} >= 2)` +
        ` and on (kind, target, service_type) ` +
        `(${byTarget('mosapi_service_status{status="up"}', "service_type")} == 1)`,
    );
  return tablePanel({
    title: "Name servers losing probes while the service is Up",
    description:
      "From each service's latest recent measurement (mosapi_measurement_nameserver_probes): " +
      "name servers that at least 2 probes saw down while MoSAPI still reports the service Up. " +
      "This is what SLAM sees before it opens an incident: a name server is down for a cycle " +
      "when 51 % of the probes lose it, and after 3 failed DNS cycles an incident opens. " +
      "Orange from 25 % of the probes (alert MosapiNameServerLosingProbes, after 10 minutes), " +
      "red from 51 %. Click a target for its detail dashboard.",
    unit: Unit.count,
    span: 24,
    height: 7,
    queries: [
      losing(nameServerDownShare()),
      losing(`${probes}{status="down"}`),
      losing(`sum without (status) (${probes})`),
    ],
  })
    .withTransformation(MERGE)
    .withTransformation(
      organize(
        ["Time"],
        {
          target: "Target",
          service_type: "Service",
          nameserver: "Name server",
          "Value #A": "Probes losing it",
          "Value #B": "Probes down",
          "Value #C": "Probes",
        },
        ["target", "kind", "service_type", "nameserver", "Value #A", "Value #B", "Value #C"],
      ),
    )
    .sortBy([new common.TableSortByFieldStateBuilder().displayName("Probes losing it").desc(true)])
    .overrideByName("Target", [ROW_LINK])
    .overrideByName("Probes losing it", earlyWarningShareOverrides());
}

function incidentTable(): Panel {
  const start = byTarget("mosapi_service_active_incident_start_timestamp_seconds", "service_type");
  const active = (falsePositive: string) =>
    tableQuery(
      `${byTarget(
        `mosapi_service_incidents{state="active", false_positive="${falsePositive}"}`,
        "service_type",
      )} > 0`,
    );
  return tablePanel({
    title: "Active incidents",
    description:
      "Services with an active incident in MoSAPI's state: how many (true incidents and false " +
      "positives), when the oldest started and for how long it has been open.",
    unit: Unit.count,
    span: 24,
    height: 8,
    queries: [
      active("false"),
      active("true"),
      tableQuery(`${start} * 1000`),
      tableQuery(`time() - ${start}`),
    ],
  })
    .withTransformation(MERGE)
    .withTransformation(
      organize(
        ["Time"],
        {
          target: "Target",
          service_type: "Service",
          "Value #A": "Active incidents",
          "Value #B": "Active false positives",
          "Value #C": "Oldest started",
          "Value #D": "Open for",
        },
        ["target", "kind", "service_type", "Value #A", "Value #B", "Value #C", "Value #D"],
      ),
    )
    .sortBy([new common.TableSortByFieldStateBuilder().displayName("Open for").desc(true)])
    .overrideByName("Target", [ROW_LINK])
    .overrideByName("Oldest started", [{ id: "unit", value: Unit.dateTime }])
    .overrideByName("Open for", [{ id: "unit", value: Unit.seconds }]);
}

function freshnessPanels(): Panel[] {
  return [
    statPanel({
      title: "Targets refreshing",
      description:
        "Share of targets whose last MoSAPI state refresh succeeded (mosapi_up). Below 100 %, " +
        "some targets show their last good values.",
      unit: Unit.ratio,
      span: 6,
      height: 7,
      queries: [instantQuery("avg(max by (tld, registrar_id) (mosapi_up))", "Targets refreshing")],
    })
      .thresholds(thresholds("red", [[1, "green"]]))
      .colorScheme(colorByThresholds()),
    timeseriesPanel({
      title: "Refresh failures",
      description:
        "Failed refreshes of MoSAPI data per second, by collector and reason " +
        "(mosapi_refresh_failures_total), over all targets.",
      unit: Unit.perSecond,
      span: 9,
      height: 7,
      queries: [
        rangeQuery(
          "sum by (collector, reason) (rate(mosapi_refresh_failures_total[$__rate_interval]))",
          "{{collector}}: {{reason}}",
        ),
      ],
    }),
    timeseriesWithLines(
      {
        title: "Data age, worst target",
        description:
          "Age of ICANN's data (now − lastUpdateApiDatabase, normally under a few minutes) and " +
          "time since our last successful state refresh, for the worst target. The dashed line " +
          "is 15 minutes, where the stale-data alert fires.",
        unit: Unit.seconds,
        span: 9,
        height: 7,
        queries: [
          rangeQuery("max(time() - mosapi_data_timestamp_seconds)", "ICANN data age"),
          rangeQuery(
            'max(time() - mosapi_last_refresh_success_timestamp_seconds{collector="state"})',
            "since last state refresh",
          ),
        ],
      },
      thresholds("green", [[900, "red"]]),
    ),
  ];
}

/**
 * Builds the fleet overview dashboard.
 *
 * @returns the dashboard model, ready to serialise.
 */
export function fleetDashboard(): DashboardModel {
  const builder = baseDashboard(
    UID.fleet,
    "MoSAPI / Fleet overview",
    "Every TLD and registrar monitored by ICANN's SLA Monitoring, as mosapi-exporter sees it.",
  );
  builder.withRow(new dashboard.RowBuilder("At a glance"));
  for (const panel of glancePanels()) builder.withPanel(panel);
  builder.withRow(new dashboard.RowBuilder("Services, worst first"));
  builder.withPanel(serviceTable()).withPanel(thresholdBars()).withPanel(notUpTimeline());
  builder.withRow(new dashboard.RowBuilder("Early warning"));
  builder.withPanel(earlyWarningTable());
  builder.withRow(new dashboard.RowBuilder("Incidents"));
  builder.withPanel(incidentTable());
  builder.withRow(new dashboard.RowBuilder("Exporter and data freshness"));
  for (const panel of freshnessPanels()) builder.withPanel(panel);
  return builder.build();
}
