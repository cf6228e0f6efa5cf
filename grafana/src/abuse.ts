/**
 * Abuse (uid `mosapi-abuse`): Domain METRICA (formerly DAAR) for the chosen targets: abuse
 * domains per threat type over time, unique domains, and the date of the report shown.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as common from "@grafana/grafana-foundation-sdk/common";
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import {
  type DashboardModel,
  UID,
  barGaugePanel,
  baseDashboard,
  colorByThresholds,
  detailLink,
  instantQuery,
  rangeQuery,
  statPanel,
  targetVariables,
  thresholds,
  timeseriesPanel,
} from "./common.js";
import { TARGET_MATCHER, byTarget, selector } from "./promql.js";
import { Unit } from "./units.js";

const SEL = selector(TARGET_MATCHER);
/** Per threat type over the chosen targets (exporter replicas counted once). */
const PER_THREAT = `sum by (threat_type) (max by (tld, registrar_id, threat_type) (mosapi_abuse_domains${SEL}))`;
const UNIQUE = `sum(max by (tld, registrar_id) (mosapi_abuse_unique_domains${SEL}))`;

function panels(): cog.Builder<dashboard.Panel>[] {
  return [
    statPanel({
      title: "Abuse domains, latest report",
      description:
        "Domains listed per threat type in the latest Domain METRICA report of the chosen " +
        "targets (domainListData[].count). Threat types MoSAPI does not monitor are absent.",
      unit: Unit.count,
      span: 12,
      height: 5,
      queries: [instantQuery(PER_THREAT, "{{threat_type}}")],
    })
      .colorMode(common.BigValueColorMode.Value)
      .textMode(common.BigValueTextMode.ValueAndName)
      .thresholds(thresholds("text"))
      .colorScheme(colorByThresholds()),
    statPanel({
      title: "Unique abuse domains",
      description:
        "Distinct domains listed for any threat in the latest report (uniqueAbuseDomains), " +
        "summed over the chosen targets.",
      unit: Unit.count,
      span: 4,
      height: 5,
      queries: [instantQuery(UNIQUE, "Unique abuse domains")],
    })
      .colorMode(common.BigValueColorMode.Value)
      .thresholds(thresholds("text"))
      .colorScheme(colorByThresholds()),
    statPanel({
      title: "Report date",
      description:
        "The day the report shown covers (domainListDate, UTC); the oldest when several " +
        "targets are chosen. A report is published daily for the previous day.",
      unit: Unit.day,
      span: 4,
      height: 5,
      queries: [
        instantQuery(`min(mosapi_abuse_report_timestamp_seconds${SEL}) * 1000`, "Report date"),
      ],
    })
      .colorMode(common.BigValueColorMode.None)
      .thresholds(thresholds("text")),
    statPanel({
      title: "Report age",
      description:
        "Time since the start of the day the oldest report covers. Normally one to two days; " +
        "yellow after three, red after a week (METRICA stopped publishing, or we stopped " +
        "fetching: see the exporter health dashboard).",
      unit: Unit.seconds,
      span: 4,
      height: 5,
      queries: [
        instantQuery(`time() - min(mosapi_abuse_report_timestamp_seconds${SEL})`, "Report age"),
      ],
    })
      .thresholds(
        thresholds("green", [
          [259200, "yellow"],
          [604800, "red"],
        ]),
      )
      .colorScheme(colorByThresholds()),
    timeseriesPanel({
      title: "Abuse domains per threat type",
      description:
        "Domain METRICA counts per threat type (spam, phishing, botnetCc, malware) over time, " +
        "summed over the chosen targets. The report changes once a day.",
      unit: Unit.count,
      span: 24,
      height: 9,
      queries: [rangeQuery(PER_THREAT, "{{threat_type}}")],
    }).decimals(0),
    timeseriesPanel({
      title: "Unique abuse domains per target",
      description: "Distinct abuse domains per target over time (uniqueAbuseDomains).",
      unit: Unit.count,
      span: 12,
      height: 9,
      queries: [rangeQuery(byTarget(`mosapi_abuse_unique_domains${SEL}`), "{{target}}")],
    }).decimals(0),
    barGaugePanel({
      title: "Abuse domains by target, top 20",
      description:
        "Abuse domains of all threat types in each target's latest report, largest first. " +
        "Click a bar for the target's detail dashboard.",
      unit: Unit.count,
      span: 12,
      height: 9,
      queries: [
        instantQuery(
          `sort_desc(topk(20, sum by (kind, target) (${byTarget(`mosapi_abuse_domains${SEL}`, "threat_type")})))`,
          "{{target}}",
        ),
      ],
    })
      .decimals(0)
      .thresholds(thresholds("blue"))
      .colorScheme(colorByThresholds())
      .overrideByQuery("A", [detailLink("${__field.labels.kind}", "${__field.labels.target}")]),
  ];
}

/**
 * Builds the abuse (Domain METRICA) dashboard.
 *
 * @returns the dashboard model, ready to serialise.
 */
export function abuseDashboard(): DashboardModel {
  const builder = baseDashboard(
    UID.abuse,
    "MoSAPI / Abuse (Domain METRICA)",
    "ICANN's Domain METRICA (formerly DAAR) abuse reports for the chosen TLDs or registrars.",
  ).time({ from: "now-30d", to: "now" });
  for (const variable of targetVariables(true)) builder.withVariable(variable);
  for (const panel of panels()) builder.withPanel(panel);
  return builder.build();
}
