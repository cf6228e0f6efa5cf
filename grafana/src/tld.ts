/**
 * TLD detail (uid `mosapi-tld`): one registry or registrar, chosen with the `kind` and `target`
 * variables: status over time, the early warning of the latest recent measurement, downtime and
 * threshold used against ICANN's ladder, alarms, incidents, the latest measurement of the active
 * incident, and the probe network's traces to the target's IPs.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import {
  type DashboardModel,
  type PanelSpec,
  MERGE,
  UID,
  barGaugePanel,
  baseDashboard,
  codeMappings,
  colorByThresholds,
  earlyWarningShareOverrides,
  earlyWarningThresholds,
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
  timeseriesWithLines,
} from "./common.js";
import {
  SERVICE_STATES,
  TARGET_MATCHER,
  TARGET_STATES,
  nameServerDownShare,
  selector,
  serviceStateCodes,
  targetStateCodes,
  traceOfTarget,
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

/**
 * A bar gauge of probes by result (`status` up, down, offline, no_result), one bar per service
 * and result, coloured by result; legends must end with the `status`.
 */
function probesByResultPanel(spec: PanelSpec): Panel {
  return barGaugePanel(spec)
    .decimals(0)
    .min(0)
    .colorScheme(
      new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor("blue"),
    )
    .overrideByRegexp(".* up", [fixedColor("green")])
    .overrideByRegexp(".* down", [fixedColor("red")])
    .overrideByRegexp(".* offline", [fixedColor("gray")])
    .overrideByRegexp(".* no_result", [fixedColor("orange")]);
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

/** What SLAM sees before it opens an incident, from the latest recent measurement. */
const SLAM_BEFORE_INCIDENT =
  "This is what SLAM sees before it opens an incident: a name server is down for a cycle when " +
  "51 % of the probes lose it, DNS fails when fewer name servers than required (2 by default) " +
  "answer, and after 3 failed cycles (2 for RDDS and RDAP) SLAM opens an incident whose " +
  "downtime counts from the first failed cycle.";

function earlyWarningPanels(): Panel[] {
  const share = `max by (service_type, nameserver) (${nameServerDownShare(TARGET_MATCHER)})`;
  const probes = "mosapi_measurement_nameserver_probes";
  return [
    tablePanel({
      title: "Probes losing each name server",
      description:
        "Per service and name server, the share of probes that saw it down in the latest " +
        "recent measurement (the measurements collector reads one every cycle, not only during " +
        `incidents; ${probes}). ${SLAM_BEFORE_INCIDENT} Orange from 25 %, where the alert ` +
        "MosapiNameServerLosingProbes fires (at least 2 probes, 10 minutes, service still Up); " +
        "red from 51 %, where SLAM counts the name server down.",
      unit: Unit.count,
      span: 12,
      height: 8,
      queries: [
        tableQuery(share),
        tableQuery(
          `max by (service_type, nameserver) (${probes}${selector('status="down"', TARGET_MATCHER)})`,
        ),
        tableQuery(`max by (service_type, nameserver) (sum without (status) (${probes}${SEL}))`),
      ],
    })
      .withTransformation(MERGE)
      .withTransformation(
        organize(
          ["Time"],
          {
            service_type: "Service",
            nameserver: "Name server",
            "Value #A": "Probes losing it",
            "Value #B": "Probes down",
            "Value #C": "Probes",
          },
          ["service_type", "nameserver", "Value #A", "Value #B", "Value #C"],
        ),
      )
      .sortBy([
        new common.TableSortByFieldStateBuilder().displayName("Probes losing it").desc(true),
      ])
      .overrideByName("Probes losing it", earlyWarningShareOverrides()),
    timeseriesWithLines(
      {
        title: "Probes losing each name server over time",
        description:
          "The share of probes that saw each name server down, measurement after measurement. " +
          "The dashed lines are 25 % (alert MosapiNameServerLosingProbes, when the service is " +
          "still Up and at least 2 probes lose the name server for 10 minutes) and 51 % (SLAM " +
          "counts the name server down for the cycle).",
        unit: Unit.ratio,
        span: 12,
        height: 8,
        queries: [rangeQuery(share, "{{service_type}} {{nameserver}}")],
      },
      earlyWarningThresholds(),
    )
      .axisSoftMin(0)
      .axisSoftMax(1),
    probesByResultPanel({
      title: "Probes by result, latest measurement",
      description:
        "Probes of each service's latest recent measurement, by result: up, down, offline " +
        "(probe down) and no_result (no data from an online probe) (mosapi_measurement_probes). " +
        "A cycle is Down when 51 % of the probes see the service down. " +
        SLAM_BEFORE_INCIDENT,
      unit: Unit.count,
      span: 16,
      height: 7,
      queries: [
        instantQuery(
          `max by (service_type, status) (mosapi_measurement_probes${SEL})`,
          "{{service_type}} {{status}}",
        ),
      ],
    }),
    statPanel({
      title: "Latest measurement age",
      description:
        "Per service, how long ago the cycle of the latest recent measurement shown here was " +
        "measured (now − cycleCalculationDateTime, mosapi_measurement_timestamp_seconds). " +
        "Normally under 10 minutes: the collector reads every 5 minutes, RDDS and RDAP cycles " +
        "last 5 minutes. Orange after 15 minutes, red after 30: the early warning is late.",
      unit: Unit.seconds,
      span: 8,
      height: 7,
      queries: [
        instantQuery(
          `time() - max by (service_type) (mosapi_measurement_timestamp_seconds${SEL})`,
          "{{service_type}}",
        ),
      ],
    })
      .thresholds(
        thresholds("green", [
          [900, "orange"],
          [1800, "red"],
        ]),
      )
      .colorScheme(colorByThresholds())
      .textMode(common.BigValueTextMode.ValueAndName),
  ];
}

function downtimePanels(): Panel[] {
  const ratio = `max by (service_type) (mosapi_service_emergency_threshold_ratio${SEL})`;
  return [
    timeseriesWithLines(
      {
        title: "Emergency threshold used",
        description:
          "Share of each service's rolling-week emergency threshold used (emergencyThreshold ÷ " +
          "100). The dashed lines are ICANN's escalation ladder: 10 %, 25 %, 50 %, 75 %, 100 % " +
          "(threshold reached: the TLD may go to an emergency back-end operator).",
        unit: Unit.ratio,
        span: 12,
        height: 9,
        queries: [rangeQuery(ratio, "{{service_type}}")],
      },
      ladderThresholds(),
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
    probesByResultPanel({
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
    }),
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

/** Loss at a trace's last hop: any loss orange, all packets lost red. */
const LOSS_THRESHOLDS = thresholds("green", [
  [0.01, "orange"],
  [1, "red"],
]).build();

function tracePanels(): Panel[] {
  const perIp = (metric: string) =>
    `max by (ip, role, probe) (${traceOfTarget(metric, TARGET_MATCHER)})`;
  const optIn =
    "Traces exist only while one of the target's services has an active incident, or always " +
    "for a target configured with troubleshooting: always; the troubleshooting collector is " +
    "opt-in (collectors.troubleshooting, off by default), so this is empty without it.";
  return [
    tablePanel({
      title: "Traced IPs",
      description:
        "Per IP of the target that SLAM's probes trace with mtr (about every 5 minutes), its " +
        "role, how many probes' newest trace reaches it out of the probes that traced it, the " +
        "highest loss at the last hop, and the age of the newest trace (mosapi_trace_*, joined " +
        `to the target by mosapi_trace_target_info on ip). ${optIn}`,
      unit: Unit.count,
      span: 24,
      height: 6,
      queries: [
        tableQuery(`sum by (ip, role) (${perIp("mosapi_trace_reached")})`),
        tableQuery(`count by (ip, role) (${perIp("mosapi_trace_reached")})`),
        tableQuery(`max by (ip, role) (${perIp("mosapi_trace_loss_ratio")})`),
        tableQuery(`time() - max by (ip, role) (${perIp("mosapi_trace_timestamp_seconds")})`),
      ],
    })
      .withTransformation(MERGE)
      .withTransformation(
        organize(
          ["Time"],
          {
            ip: "IP",
            role: "Role",
            "Value #A": "Probes reaching it",
            "Value #B": "Probes tracing it",
            "Value #C": "Highest loss",
            "Value #D": "Newest trace age",
          },
          ["ip", "role", "Value #A", "Value #B", "Value #C", "Value #D"],
        ),
      )
      .sortBy([new common.TableSortByFieldStateBuilder().displayName("Highest loss").desc(true)])
      .overrideByName("Highest loss", [
        { id: "unit", value: Unit.ratio },
        { id: "thresholds", value: LOSS_THRESHOLDS },
        { id: "color", value: { mode: dashboard.FieldColorModeId.Thresholds } },
        { id: "custom.cellOptions", value: { type: common.TableCellDisplayMode.ColorText } },
      ])
      .overrideByName("Newest trace age", [{ id: "unit", value: Unit.seconds }]),
    tablePanel({
      title: "Traces by probe",
      description:
        "Per traced IP and probe, the newest mtr trace: whether it reached the IP (last hop is " +
        "the IP), the loss at the last hop, the average round-trip time there (absent when not " +
        "reached), the number of hops and the trace's age. Unreached and lossy paths first; " +
        "where along the path the loss starts (hop, address, ASN) is on the exporter's status " +
        `board. ${optIn}`,
      unit: Unit.count,
      span: 24,
      height: 10,
      queries: [
        tableQuery(perIp("mosapi_trace_reached")),
        tableQuery(perIp("mosapi_trace_loss_ratio")),
        tableQuery(perIp("mosapi_trace_rtt_seconds")),
        tableQuery(perIp("mosapi_trace_hops")),
        tableQuery(`time() - ${perIp("mosapi_trace_timestamp_seconds")}`),
      ],
    })
      .withTransformation(MERGE)
      .withTransformation(
        organize(
          ["Time"],
          {
            ip: "IP",
            role: "Role",
            probe: "Probe",
            "Value #A": "Reached",
            "Value #B": "Loss",
            "Value #C": "RTT",
            "Value #D": "Hops",
            "Value #E": "Trace age",
          },
          ["ip", "role", "probe", "Value #A", "Value #B", "Value #C", "Value #D", "Value #E"],
        ),
      )
      .sortBy([new common.TableSortByFieldStateBuilder().displayName("Loss").desc(true)])
      .overrideByName("Reached", [
        {
          id: "mappings",
          value: [
            codeMappings([
              { code: 1, text: "Yes", color: "green" },
              { code: 0, text: "No", color: "red" },
            ]),
          ],
        },
        { id: "custom.cellOptions", value: { type: common.TableCellDisplayMode.ColorText } },
      ])
      .overrideByName("Loss", [
        { id: "unit", value: Unit.ratio },
        { id: "thresholds", value: LOSS_THRESHOLDS },
        { id: "color", value: { mode: dashboard.FieldColorModeId.Thresholds } },
        { id: "custom.cellOptions", value: { type: common.TableCellDisplayMode.ColorText } },
      ])
      .overrideByName("RTT", [{ id: "unit", value: Unit.seconds }])
      .overrideByName("Trace age", [{ id: "unit", value: Unit.seconds }]),
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
      "thresholds, with the early warning of the latest recent measurement, the latest " +
      "measurement of an active incident and the probe network's traces.",
  );
  for (const variable of targetVariables(false)) builder.withVariable(variable);
  const sections: [string, Panel[]][] = [
    ["Status", statusPanels()],
    ["Early warning: the latest recent measurement", earlyWarningPanels()],
    ["Downtime and emergency threshold", downtimePanels()],
    ["Alarms and incidents", incidentPanels()],
    ["Latest measurement of the active incident", measurementPanels()],
    ["Probe-network traces (during incidents)", tracePanels()],
    ["Exporter", exporterPanels()],
  ];
  for (const [title, panels] of sections) {
    builder.withRow(new dashboard.RowBuilder(title));
    for (const panel of panels) builder.withPanel(panel);
  }
  return builder.build();
}
