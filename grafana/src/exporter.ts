/**
 * Exporter health (uid `mosapi-exporter`): is mosapi-exporter itself working? Refresh failures,
 * freshness, MoSAPI request rate, errors and latency, logins, build and process metrics.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import {
  type DashboardModel,
  DATASOURCE,
  UID,
  baseDashboard,
  codeMappings,
  colorByThresholds,
  instantQuery,
  organize,
  rangeQuery,
  statPanel,
  tablePanel,
  tableQuery,
  thresholds,
  timeseriesPanel,
} from "./common.js";
import { selector } from "./promql.js";
import { Unit } from "./units.js";

type Panel = cog.Builder<dashboard.Panel>;

const MATCHERS = ['job=~"$job"', 'instance=~"$instance"'] as const;
const SEL = selector(...MATCHERS);

/** `job` and `instance` of the exporters, from their build info. */
function scrapeVariables(): dashboard.QueryVariableBuilder[] {
  const variable = (name: string, label: string, query: string) =>
    new dashboard.QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(query)
      .definition(query)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue(".+");
  return [
    variable("job", "Job", "label_values(mosapi_exporter_build_info, job)"),
    variable(
      "instance",
      "Instance",
      'label_values(mosapi_exporter_build_info{job=~"$job"}, instance)',
    ),
  ];
}

function overviewPanels(): Panel[] {
  return [
    tablePanel({
      title: "Build",
      description: "Version, git revision and Node.js version of each exporter instance.",
      unit: Unit.text,
      span: 10,
      height: 5,
      queries: [
        tableQuery(
          `max by (instance, version, revision, nodejs_version) (mosapi_exporter_build_info${SEL})`,
        ),
      ],
    }).withTransformation(
      organize(
        ["Time", "Value"],
        {
          instance: "Instance",
          version: "Version",
          revision: "Revision",
          nodejs_version: "Node.js",
        },
        ["instance", "version", "revision", "nodejs_version"],
      ),
    ),
    statPanel({
      title: "Config reload",
      description:
        "Whether the last configuration load (start, SIGHUP or POST /-/reload) succeeded. On " +
        "failure the exporter keeps running with the last good configuration.",
      unit: Unit.count,
      span: 4,
      height: 5,
      queries: [instantQuery(`min(mosapi_exporter_config_last_reload_successful${SEL})`, "Reload")],
    })
      .mappings([
        codeMappings([
          { code: 1, text: "OK", color: "green" },
          { code: 0, text: "failed", color: "red" },
        ]),
      ])
      .thresholds(thresholds("text"))
      .colorScheme(colorByThresholds()),
    statPanel({
      title: "Config loaded",
      description: "When the configuration was last loaded successfully.",
      unit: Unit.fromNow,
      span: 5,
      height: 5,
      queries: [
        instantQuery(
          `max(mosapi_exporter_config_last_reload_success_timestamp_seconds${SEL}) * 1000`,
          "Config loaded",
        ),
      ],
    })
      .colorMode(common.BigValueColorMode.None)
      .thresholds(thresholds("text")),
    statPanel({
      title: "Targets failing",
      description:
        "Targets whose last state refresh failed (mosapi_up 0). Their metrics keep the last " +
        "good values; the reason is in the refresh failures below.",
      unit: Unit.count,
      span: 5,
      height: 5,
      queries: [instantQuery(`count(mosapi_up${SEL} == 0) or vector(0)`, "Targets failing")],
    })
      .thresholds(thresholds("green", [[1, "red"]]))
      .colorScheme(colorByThresholds()),
  ];
}

function refreshPanels(): Panel[] {
  return [
    timeseriesPanel({
      title: "Refresh failures by collector and reason",
      description:
        "Failed refreshes per second (mosapi_refresh_failures_total). auth: login refused; " +
        "forbidden: the credential lacks the role (e.g. METRICA); rate_limited: HTTP 429; " +
        "timeout, network, http_error, not_found, invalid_response.",
      unit: Unit.perSecond,
      span: 12,
      height: 8,
      queries: [
        rangeQuery(
          `sum by (collector, reason) (rate(mosapi_refresh_failures_total${SEL}[$__rate_interval]))`,
          "{{collector}}: {{reason}}",
        ),
      ],
    }),
    timeseriesPanel({
      title: "Odd parts of MoSAPI answers by endpoint and reason",
      description:
        "Odd parts per second (mosapi_upstream_oddities_total): parts of answers that were " +
        "dropped or defaulted while the rest was used (null_value, array_for_map, " +
        "missing_field, wrong_type, unknown_value). The target page names the path.",
      unit: Unit.perSecond,
      span: 12,
      height: 8,
      queries: [
        rangeQuery(
          `sum by (endpoint, reason) (rate(mosapi_upstream_oddities_total${SEL}[$__rate_interval]))`,
          "{{endpoint}}: {{reason}}",
        ),
      ],
    }),
    timeseriesPanel({
      title: "Time since last successful refresh, worst target",
      description:
        "Per collector, the longest time any target has gone without a successful refresh " +
        "(now − mosapi_last_refresh_success_timestamp_seconds). Compare with the collector " +
        "intervals of the configuration.",
      unit: Unit.seconds,
      span: 12,
      height: 8,
      queries: [
        rangeQuery(
          `max by (collector) (time() - mosapi_last_refresh_success_timestamp_seconds${SEL})`,
          "{{collector}}",
        ),
      ],
    }),
  ];
}

function upstreamPanels(): Panel[] {
  const rate = (metric: string, ...matchers: string[]) =>
    `rate(${metric}${selector(...MATCHERS, ...matchers)}[$__rate_interval])`;
  const quantile = (q: number) =>
    rangeQuery(
      `histogram_quantile(${q}, sum by (le, endpoint) (${rate("mosapi_request_duration_seconds_bucket")}))`,
      `p${Math.round(q * 100)} {{endpoint}}`,
    );
  return [
    timeseriesPanel({
      title: "MoSAPI requests by endpoint and status",
      description:
        "Requests sent to MoSAPI per second, by endpoint template and HTTP status (error: no " +
        "response, e.g. timeout). ICANN rate-limits sessions and requests.",
      unit: Unit.requestsPerSecond,
      span: 12,
      height: 8,
      queries: [
        rangeQuery(
          `sum by (endpoint, code) (${rate("mosapi_requests_total")})`,
          "{{endpoint}} {{code}}",
        ),
      ],
    }),
    timeseriesPanel({
      title: "MoSAPI error ratio by endpoint",
      description:
        "Share of requests per endpoint that did not get a 2xx answer (4xx, 5xx, or no " +
        "response at all).",
      unit: Unit.ratio,
      span: 12,
      height: 8,
      queries: [
        rangeQuery(
          `sum by (endpoint) (${rate("mosapi_requests_total", 'code!~"2.."')}) / sum by (endpoint) (${rate("mosapi_requests_total")})`,
          "{{endpoint}}",
        ),
      ],
    }).axisSoftMin(0),
    timeseriesPanel({
      title: "MoSAPI latency by endpoint",
      description:
        "Median, 95th and 99th percentile of MoSAPI request latency per endpoint " +
        "(mosapi_request_duration_seconds, login included in the login endpoint).",
      unit: Unit.seconds,
      span: 12,
      height: 8,
      queries: [quantile(0.5), quantile(0.95), quantile(0.99)],
    }),
    timeseriesPanel({
      title: "Logins and login failures",
      description:
        "Basic-auth session logins per second by credentials name, and those refused or " +
        "failed. After a failure the exporter backs off (1 min doubling to 15 min).",
      unit: Unit.perSecond,
      span: 12,
      height: 8,
      queries: [
        rangeQuery(
          `sum by (credentials) (${rate("mosapi_logins_total")})`,
          "logins {{credentials}}",
        ),
        rangeQuery(
          `sum by (credentials) (${rate("mosapi_login_failures_total")})`,
          "failures {{credentials}}",
        ),
      ],
    }).overrideByQuery("B", [
      { id: "color", value: { mode: dashboard.FieldColorModeId.Fixed, fixedColor: "red" } },
    ]),
  ];
}

function processPanels(): Panel[] {
  const note = " From prom-client's default metrics (off with --web.disable-exporter-metrics).";
  return [
    timeseriesPanel({
      title: "CPU",
      description: `CPU time used per second (1 = one core).${note}`,
      unit: Unit.ratio,
      span: 6,
      height: 7,
      queries: [
        rangeQuery(`rate(process_cpu_seconds_total${SEL}[$__rate_interval])`, "{{instance}}"),
      ],
    }),
    timeseriesPanel({
      title: "Memory",
      description: `Resident memory and V8 heap in use.${note}`,
      unit: Unit.bytes,
      span: 6,
      height: 7,
      queries: [
        rangeQuery(`process_resident_memory_bytes${SEL}`, "resident {{instance}}"),
        rangeQuery(`nodejs_heap_size_used_bytes${SEL}`, "heap used {{instance}}"),
      ],
    }),
    timeseriesPanel({
      title: "Event loop lag",
      description: `99th percentile of event-loop lag: high values delay scrapes and refreshes.${note}`,
      unit: Unit.seconds,
      span: 6,
      height: 7,
      queries: [rangeQuery(`nodejs_eventloop_lag_p99_seconds${SEL}`, "p99 {{instance}}")],
    }),
    timeseriesPanel({
      title: "Open file descriptors",
      description: `Open file descriptors (sockets to MoSAPI and scrapers included).${note}`,
      unit: Unit.count,
      span: 6,
      height: 7,
      queries: [rangeQuery(`process_open_fds${SEL}`, "{{instance}}")],
    }).decimals(0),
  ];
}

/**
 * Builds the exporter health dashboard.
 *
 * @returns the dashboard model, ready to serialise.
 */
export function exporterDashboard(): DashboardModel {
  const builder = baseDashboard(
    UID.exporter,
    "MoSAPI / Exporter health",
    "Is mosapi-exporter itself working: refreshes, MoSAPI requests, logins, build, process.",
  ).time({ from: "now-6h", to: "now" });
  for (const variable of scrapeVariables()) builder.withVariable(variable);
  const sections: [string, Panel[]][] = [
    ["Overview", overviewPanels()],
    ["Refresh", refreshPanels()],
    ["MoSAPI requests", upstreamPanels()],
    ["Process", processPanels()],
  ];
  for (const [title, panels] of sections) {
    builder.withRow(new dashboard.RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  return builder.build();
}
