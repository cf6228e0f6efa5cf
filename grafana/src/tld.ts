/**
 * TLD detail (uid `mosapi-tld`): one registry or registrar, chosen with the `kind` and `target`
 * variables: status over time, downtime and threshold used against ICANN's ladder, alarms,
 * incidents, and the latest measurement of the active incident.
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
  instantQuery,
  ladderThresholds,
  organize,
  rangeQuery,
  stateTimelinePanel,
  statPanel,
  tablePanel,
  tableQuery,
  targetVariables,
  thresholds,
  timeseriesPanel,
} from "./common.js";
import {
  SERVICE_STATES,
  TARGET_MATCHER,
  TARGET_STATES,
  selector,
  serviceStateCodes,
  targetStateCodes,
} from "./promql.js";
import { Unit } from "./units.js";

type Panel = cog.Builder<dashboard.Panel>;

const SEL = selector(TARGET_MATCHER);
const SERVICE_MAPPINGS = codeMappings(
  SERVICE_STATES.map((s) => ({ code: s.code, text: s.status, color: s.color })),
);

function fixedColor(color: string): dashboard.DynamicConfigValue {
  return { id: "color", value: { mode: dashboard.FieldColorModeId.Fixed, fixedColor: color } };
}

function statusPanels(): Panel[] {
  return [
    statPanel({
      title: "Overall status",
      description: "The target's overall MoSAPI state (monitoring/state → status).",
      unit: Unit.count,
      span: 4,
      height: 5,
      queries: [instantQuery(`max(${targetStateCodes(TARGET_MATCHER)})`, "Overall")],
    })
      .mappings([
        codeMappings(TARGET_STATES.map((s) => ({ code: s.code, text: s.status, color: s.color }))),
      ])
      .colorScheme(colorByThresholds())
      .thresholds(thresholds("text")),
    statPanel({
      title: "Service status",
      description:
        "Current MoSAPI state of each tested service (testedServices.<SERVICE>.status). " +
        "Up-inconclusive means SLAM could not decide (no data, too few probes, reconfiguration).",
      unit: Unit.count,
      span: 12,
      height: 5,
      queries: [
        instantQuery(
          `max by (service_type) (${serviceStateCodes(TARGET_MATCHER)})`,
          "{{service_type}}",
        ),
      ],
    })
      .mappings([SERVICE_MAPPINGS])
      .colorScheme(colorByThresholds())
      .thresholds(thresholds("text"))
      .textMode(common.BigValueTextMode.ValueAndName),
    statPanel({
      title: "Exporter refresh",
      description:
        "Whether the exporter's last refresh of this target's state succeeded (mosapi_up). " +
        "When failing, every panel shows the last good values.",
      unit: Unit.count,
      span: 4,
      height: 5,
      queries: [instantQuery(`max(mosapi_up${SEL})`, "Refresh")],
    })
      .mappings([
        codeMappings([
          { code: 1, text: "OK", color: "green" },
          { code: 0, text: "failing", color: "red" },
        ]),
      ])
      .colorScheme(colorByThresholds())
      .thresholds(thresholds("text")),
    statPanel({
      title: "ICANN data age",
      description:
        "Time since ICANN last regenerated this target's data (now − lastUpdateApiDatabase). " +
        "It is normally regenerated every minute; red after 15 minutes.",
      unit: Unit.seconds,
      span: 4,
      height: 5,
      queries: [instantQuery(`time() - max(mosapi_data_timestamp_seconds${SEL})`, "Data age")],
    })
      .thresholds(thresholds("green", [[900, "red"]]))
      .colorScheme(colorByThresholds()),
    stateTimelinePanel({
      title: "Service status over time",
      description:
        "MoSAPI state of each service over time (mosapi_service_status), coloured worst red.",
      unit: Unit.count,
      span: 24,
      height: 7,
      queries: [
        rangeQuery(
          `max by (service_type) (${serviceStateCodes(TARGET_MATCHER)})`,
          "{{service_type}}",
        ),
      ],
    })
      .mappings([SERVICE_MAPPINGS])
      .colorScheme(colorByThresholds())
      .thresholds(thresholds("text")),
  ];
}

function downtimePanels(): Panel[] {
  const ratio = `max by (service_type) (mosapi_service_emergency_threshold_ratio${SEL})`;
  return [
    timeseriesPanel({
      title: "Emergency threshold used",
      description:
        "Share of each service's rolling-week emergency threshold used (emergencyThreshold ÷ " +
        "100). The dashed lines are ICANN's escalation ladder: 10 %, 25 %, 50 %, 75 %, 100 % " +
        "(threshold reached: the TLD may go to an emergency back-end operator).",
      unit: Unit.ratio,
      span: 12,
      height: 9,
      queries: [rangeQuery(ratio, "{{service_type}}")],
    })
      .thresholds(ladderThresholds())
      .thresholdsStyle(
        new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
      )
      .axisSoftMin(0)
      .axisSoftMax(1),
    timeseriesPanel({
      title: "Rolling-week downtime",
      description:
        "Downtime SLAM counted in the rolling week, per service (downtime endpoint, minutes × " +
        "60). The DNS SLR allows none; the emergency thresholds are 4 h for DNS and DNSSEC and " +
        "24 h for RDDS, RDAP and EPP.",
      unit: Unit.seconds,
      span: 8,
      height: 9,
      queries: [
        rangeQuery(
          `max by (service_type) (mosapi_service_downtime_seconds${SEL})`,
          "{{service_type}}",
        ),
      ],
    }).axisSoftMin(0),
    barGaugePanel({
      title: "Threshold used now",
      description:
        "Current share of each service's emergency threshold used, coloured by ICANN's " +
        "escalation ladder (10 %, 25 %, 50 %, 75 %, 100 %).",
      unit: Unit.ratio,
      span: 4,
      height: 9,
      queries: [instantQuery(ratio, "{{service_type}}")],
    })
      .min(0)
      .max(1)
      .decimals(1)
      .thresholds(ladderThresholds())
      .colorScheme(colorByThresholds()),
  ];
}

function incidentPanels(): Panel[] {
  const start = `max by (service_type) (mosapi_service_active_incident_start_timestamp_seconds${SEL})`;
  return [
    stateTimelinePanel({
      title: "Alarmed",
      description:
        "MoSAPI's alarmed flag per service: Yes while the latest incident is active and not a " +
        "false positive. Absent for disabled services.",
      unit: Unit.count,
      span: 12,
      height: 6,
      queries: [
        rangeQuery(`max by (service_type) (mosapi_service_alarmed${SEL})`, "{{service_type}}"),
      ],
    })
      .mappings([
        codeMappings([
          { code: 1, text: "Yes", color: "red" },
          { code: 0, text: "No", color: "green" },
        ]),
      ])
      .colorScheme(colorByThresholds())
      .thresholds(thresholds("text")),
    timeseriesPanel({
      title: "Incidents listed by MoSAPI",
      description:
        "Incidents in the state endpoint per service, by state (active, resolved) and false " +
        "positive flag. MoSAPI also lists recently resolved incidents: a count is not an outage.",
      unit: Unit.count,
      span: 12,
      height: 6,
      queries: [
        rangeQuery(
          `max by (service_type, state, false_positive) (mosapi_service_incidents${SEL}) > 0`,
          "{{service_type}} {{state}} (false positive: {{false_positive}})",
        ),
      ],
    }).decimals(0),
    tablePanel({
      title: "Active incidents",
      description:
        "Per service with an active incident: when the oldest active incident started " +
        "(incidents[].startTime) and how long it has been open.",
      unit: Unit.count,
      span: 24,
      height: 5,
      queries: [tableQuery(`${start} * 1000`), tableQuery(`time() - ${start}`)],
    })
      .withTransformation(MERGE)
      .withTransformation(
        organize(
          ["Time"],
          { service_type: "Service", "Value #A": "Started", "Value #B": "Open for" },
          ["service_type", "Value #A", "Value #B"],
        ),
      )
      .overrideByName("Started", [{ id: "unit", value: Unit.dateTime }])
      .overrideByName("Open for", [{ id: "unit", value: Unit.seconds }]),
  ];
}

function measurementPanels(): Panel[] {
  return [
    barGaugePanel({
      title: "Probes by result",
      description:
        "Probes of the latest measurement of the active incident, by result: up, down, offline " +
        "(probe down) and no_result (no data from an online probe). Empty when no incident is " +
        "active.",
      unit: Unit.count,
      span: 8,
      height: 8,
      queries: [
        instantQuery(
          `max by (service_type, status) (mosapi_incident_probes${SEL})`,
          "{{service_type}} {{status}}",
        ),
      ],
    })
      .decimals(0)
      .min(0)
      .colorScheme(
        new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor("blue"),
      )
      .overrideByRegexp(".* up", [fixedColor("green")])
      .overrideByRegexp(".* down", [fixedColor("red")])
      .overrideByRegexp(".* offline", [fixedColor("gray")])
      .overrideByRegexp(".* no_result", [fixedColor("orange")]),
    tablePanel({
      title: "Test errors by code",
      description:
        "Failing test results of the latest measurement by interface and error code (each " +
        "name-server IP and probe counts once), with the catalogue's description of the code.",
      unit: Unit.count,
      span: 16,
      height: 8,
      queries: [
        tableQuery(
          `max by (service_type, interface, code, description) (mosapi_incident_test_errors${SEL})`,
        ),
      ],
    })
      .withTransformation(
        organize(
          ["Time"],
          {
            service_type: "Service",
            interface: "Interface",
            code: "Code",
            description: "Description",
            Value: "Results",
          },
          ["service_type", "interface", "code", "description", "Value"],
        ),
      )
      .sortBy([new common.TableSortByFieldStateBuilder().displayName("Results").desc(true)]),
    stateTimelinePanel({
      title: "Name servers",
      description:
        "Availability of each name server in the latest measurement of the active DNS or " +
        "DNSSEC incident (nameServerAvailability).",
      unit: Unit.count,
      span: 16,
      height: 8,
      queries: [
        rangeQuery(
          `max by (service_type, nameserver) (mosapi_incident_nameserver_up${SEL})`,
          "{{service_type}} {{nameserver}}",
        ),
      ],
    })
      .mappings([
        codeMappings([
          { code: 1, text: "Up", color: "green" },
          { code: 0, text: "Down", color: "red" },
        ]),
      ])
      .colorScheme(colorByThresholds())
      .thresholds(thresholds("text")),
    statPanel({
      title: "Measured cycle",
      description:
        "When the cycle of the latest measurement shown here was measured " +
        "(cycleCalculationDateTime), per service with an active incident.",
      unit: Unit.dateTime,
      span: 8,
      height: 8,
      queries: [
        instantQuery(
          `max by (service_type) (mosapi_incident_measurement_timestamp_seconds${SEL}) * 1000`,
          "{{service_type}}",
        ),
      ],
    })
      .colorMode(common.BigValueColorMode.None)
      .textMode(common.BigValueTextMode.ValueAndName),
  ];
}

function exporterPanels(): Panel[] {
  return [
    timeseriesPanel({
      title: "Refresh failures",
      description:
        "Failed refreshes of this target per second, by collector and reason " +
        "(mosapi_refresh_failures_total).",
      unit: Unit.perSecond,
      span: 12,
      height: 7,
      queries: [
        rangeQuery(
          `sum by (collector, reason) (rate(mosapi_refresh_failures_total${SEL}[$__rate_interval]))`,
          "{{collector}}: {{reason}}",
        ),
      ],
    }),
    barGaugePanel({
      title: "Time since last successful refresh",
      description:
        "Per collector, time since the exporter last refreshed this target successfully. " +
        "Collectors run on their own intervals (state every minute, METRICA every few hours).",
      unit: Unit.seconds,
      span: 12,
      height: 7,
      queries: [
        instantQuery(
          `time() - max by (collector) (mosapi_last_refresh_success_timestamp_seconds${SEL})`,
          "{{collector}}",
        ),
      ],
    })
      .thresholds(thresholds("blue"))
      .colorScheme(colorByThresholds()),
  ];
}

/**
 * Builds the TLD detail dashboard.
 *
 * @returns the dashboard model, ready to serialise.
 */
export function tldDashboard(): DashboardModel {
  const builder = baseDashboard(
    UID.tld,
    "MoSAPI / TLD detail",
    "One TLD or registrar: what ICANN's SLA Monitoring measures, against the emergency " +
      "thresholds, with the latest measurement of an active incident.",
  );
  for (const variable of targetVariables(false)) builder.withVariable(variable);
  const sections: [string, Panel[]][] = [
    ["Status", statusPanels()],
    ["Downtime and emergency threshold", downtimePanels()],
    ["Alarms and incidents", incidentPanels()],
    ["Latest measurement of the active incident", measurementPanels()],
    ["Exporter", exporterPanels()],
  ];
  for (const [title, panels] of sections) {
    builder.withRow(new dashboard.RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  return builder.build();
}
