/**
 * The metric contract (METRICS.md): every name, type, label set and HELP text the exporter
 * emits. Renderers take names and HELP from here, and a test keeps METRICS.md, the rules and
 * the dashboards in sync with this catalogue.
 */

/** One metric family as documented. */
export interface MetricDefinition {
  readonly name: string;
  readonly type: "gauge" | "counter" | "histogram";
  /** Labels beyond `tld` / `registrar_id` (listed in {@link targetScoped}). */
  readonly labels: readonly string[];
  /** True when every series carries exactly one of `tld` or `registrar_id`. */
  readonly targetScoped: boolean;
  readonly help: string;
}

const CACHE_NOTE = "Cached: refreshed in the background, never fetched during a scrape.";

function family(
  name: string,
  type: MetricDefinition["type"],
  targetScoped: boolean,
  labels: readonly string[],
  help: string,
): MetricDefinition {
  return { name, type, targetScoped, labels, help };
}

/** Metrics derived from the snapshot of MoSAPI data (rebuilt from the snapshot, never linger). */
export const SNAPSHOT_METRICS = {
  up: family(
    "mosapi_up",
    "gauge",
    true,
    [],
    "1 if the last refresh of GET monitoring/state for the target succeeded, else 0.",
  ),
  dataTimestamp: family(
    "mosapi_data_timestamp_seconds",
    "gauge",
    true,
    [],
    `monitoring/state field lastUpdateApiDatabase: when ICANN last regenerated the data (Unix seconds). ${CACHE_NOTE}`,
  ),
  lastRefreshSuccess: family(
    "mosapi_last_refresh_success_timestamp_seconds",
    "gauge",
    true,
    ["collector"],
    "When the exporter last refreshed this collector's data from MoSAPI successfully (Unix seconds).",
  ),
  status: family(
    "mosapi_status",
    "gauge",
    true,
    ["status"],
    `monitoring/state field status (TLD or registrar overall), as a state set: 1 on the current status, matched case-insensitively; unrecognised values are "unknown". ${CACHE_NOTE}`,
  ),
  serviceStatus: family(
    "mosapi_service_status",
    "gauge",
    true,
    ["service_type", "status"],
    `monitoring/state field testedServices.<SERVICE>.status, as a state set: 1 on the current status, matched case-insensitively; unrecognised values are "unknown". ${CACHE_NOTE}`,
  ),
  emergencyThresholdRatio: family(
    "mosapi_service_emergency_threshold_ratio",
    "gauge",
    true,
    ["service_type"],
    `monitoring/state field testedServices.<SERVICE>.emergencyThreshold / 100: share of the rolling-week emergency threshold used (1 = threshold reached; can exceed 1). Absent for disabled services. ${CACHE_NOTE}`,
  ),
  serviceIncidents: family(
    "mosapi_service_incidents",
    "gauge",
    true,
    ["service_type", "state", "false_positive"],
    `Incidents listed in monitoring/state testedServices.<SERVICE>.incidents, by state (active, resolved) and falsePositive flag. Zeros are emitted for enabled services. ${CACHE_NOTE}`,
  ),
  activeIncidentStart: family(
    "mosapi_service_active_incident_start_timestamp_seconds",
    "gauge",
    true,
    ["service_type"],
    `startTime of the oldest active incident in monitoring/state testedServices.<SERVICE>.incidents (Unix seconds). Absent when no incident is active. ${CACHE_NOTE}`,
  ),
  serviceAlarmed: family(
    "mosapi_service_alarmed",
    "gauge",
    true,
    ["service_type"],
    `monitoring/<service>/alarmed field alarmed: 1 = Yes (the service's latest incident is active and not a false positive), 0 = No. Absent for disabled services. ${CACHE_NOTE}`,
  ),
  serviceDowntime: family(
    "mosapi_service_downtime_seconds",
    "gauge",
    true,
    ["service_type"],
    `monitoring/<service>/downtime field downtime (minutes) x 60: downtime in the rolling week as SLAM counts it. ${CACHE_NOTE}`,
  ),
  incidentProbes: family(
    "mosapi_incident_probes",
    "gauge",
    true,
    ["service_type", "status"],
    `Probes by result (up, down, offline, no_result) in the latest measurement of the service's active incident (monitoring/<service>/incidents/<id>/measurements/<id>, testedInterface[].probes[].status; a probe's worst result across interfaces). ${CACHE_NOTE}`,
  ),
  incidentTestErrors: family(
    "mosapi_incident_test_errors",
    "gauge",
    true,
    ["service_type", "interface", "code", "description"],
    `Failing test results by interface and error code in the latest measurement of the service's active incident (testedInterface[].probes[].testData[].metrics[].result), with the code's meaning. ${CACHE_NOTE}`,
  ),
  incidentNameserverUp: family(
    "mosapi_incident_nameserver_up",
    "gauge",
    true,
    ["service_type", "nameserver"],
    `1 if the name server was Up in the latest measurement of the active DNS/DNSSEC incident (nameServerAvailability.nameServerStatus[].status), else 0. ${CACHE_NOTE}`,
  ),
  incidentMeasurementTimestamp: family(
    "mosapi_incident_measurement_timestamp_seconds",
    "gauge",
    true,
    ["service_type"],
    `cycleCalculationDateTime of the latest measurement of the service's active incident (Unix seconds). ${CACHE_NOTE}`,
  ),
  abuseDomains: family(
    "mosapi_abuse_domains",
    "gauge",
    true,
    ["threat_type"],
    `Domain METRICA (formerly DAAR) metrica/domainList/latest field domainListData[].count per threatType; absent when the threat type is not monitored (-1). ${CACHE_NOTE}`,
  ),
  abuseUniqueDomains: family(
    "mosapi_abuse_unique_domains",
    "gauge",
    true,
    [],
    `Domain METRICA metrica/domainList/latest field uniqueAbuseDomains: unique abusive domains in the report. ${CACHE_NOTE}`,
  ),
  abuseReportTimestamp: family(
    "mosapi_abuse_report_timestamp_seconds",
    "gauge",
    true,
    [],
    `Domain METRICA metrica/domainList/latest field domainListDate (YYYY-MM-DD) as Unix seconds at 00:00 UTC: the day the report shown covers. ${CACHE_NOTE}`,
  ),
  measurementTimestamp: family(
    "mosapi_measurement_timestamp_seconds",
    "gauge",
    true,
    ["service_type"],
    `cycleCalculationDateTime of the service's latest recent measurement (monitoring/<service>/measurements/<yyyy>/<mm>/<dd>/<cycle>.json; Unix seconds). ${CACHE_NOTE}`,
  ),
  measurementProbes: family(
    "mosapi_measurement_probes",
    "gauge",
    true,
    ["service_type", "status"],
    `Probes by result (up, down, offline, no_result) in the service's latest recent measurement, every cycle and not only in incidents (testedInterface[].probes[].status; a probe's worst result across interfaces): trouble seen before SLAM opens an incident. ${CACHE_NOTE}`,
  ),
  measurementNameserverProbes: family(
    "mosapi_measurement_nameserver_probes",
    "gauge",
    true,
    ["service_type", "nameserver", "status"],
    `Per name server (DNS/DNSSEC), how many probes saw it up or down in the service's latest recent measurement (nameServerAvailability.probes[].testData[].status). SLAM counts a name server down when 51 % of the probes do. ${CACHE_NOTE}`,
  ),
  traceTargetInfo: family(
    "mosapi_trace_target_info",
    "gauge",
    true,
    ["ip", "role"],
    `1 per target and IP the probe network traced to it (networkTroubleshooting/mtr), with the IP's role (nameserver, rdds43, rdds80, rdap) as the recent measurements' targetIP tell, else unknown: joins mosapi_trace_* to TLDs. ${CACHE_NOTE}`,
  ),
  traceReached: family(
    "mosapi_trace_reached",
    "gauge",
    false,
    ["probe", "ip"],
    `1 if the probe's latest mtr trace reached the IP (its last hop is the IP), else 0 (networkTroubleshooting/mtr/<yyyy>/<mm>/<dd>/<probe>-<ip>-<cycle>-<test>.json.gz, report.hubs). No tld: an IP's traces are shared by the TLDs it serves. ${CACHE_NOTE}`,
  ),
  traceLossRatio: family(
    "mosapi_trace_loss_ratio",
    "gauge",
    false,
    ["probe", "ip"],
    `The last hop's Loss% / 100 in the probe's latest mtr trace to the IP (report.hubs[-1]). ${CACHE_NOTE}`,
  ),
  traceRtt: family(
    "mosapi_trace_rtt_seconds",
    "gauge",
    false,
    ["probe", "ip"],
    `The last hop's Avg (ms) / 1000 in the probe's latest mtr trace to the IP; absent when the IP was not reached. ${CACHE_NOTE}`,
  ),
  traceHops: family(
    "mosapi_trace_hops",
    "gauge",
    false,
    ["probe", "ip"],
    `Number of hops (report.hubs) in the probe's latest mtr trace to the IP. ${CACHE_NOTE}`,
  ),
  traceTimestamp: family(
    "mosapi_trace_timestamp_seconds",
    "gauge",
    false,
    ["probe", "ip"],
    `When the probe's latest mtr trace to the IP ran (the file name's test time, Unix seconds). ${CACHE_NOTE}`,
  ),
} as const satisfies Record<string, MetricDefinition>;

/** The exporter's own long-lived metrics (counters live for the process). */
export const EXPORTER_METRICS = {
  refreshFailures: family(
    "mosapi_refresh_failures_total",
    "counter",
    true,
    ["collector", "reason"],
    "Failed refreshes of MoSAPI data, by collector and reason (auth, forbidden, not_found, rate_limited, http_error, timeout, network, invalid_response).",
  ),
  upstreamOddities: family(
    "mosapi_upstream_oddities_total",
    "counter",
    true,
    ["endpoint", "reason"],
    "Odd parts of MoSAPI answers that cost only themselves (dropped or defaulted, the rest of the answer used), by endpoint template and reason (null_value, array_for_map, missing_field, wrong_type, unknown_value).",
  ),
  requests: family(
    "mosapi_requests_total",
    "counter",
    false,
    ["endpoint", "code"],
    'HTTP requests sent to MoSAPI, by endpoint template and HTTP status code ("error" when no response arrived).',
  ),
  requestDuration: family(
    "mosapi_request_duration_seconds",
    "histogram",
    false,
    ["endpoint"],
    "Duration of HTTP requests to MoSAPI, by endpoint template.",
  ),
  logins: family(
    "mosapi_logins_total",
    "counter",
    false,
    ["credentials"],
    "Basic-auth session logins attempted at MoSAPI /login, by credentials name.",
  ),
  loginFailures: family(
    "mosapi_login_failures_total",
    "counter",
    false,
    ["credentials"],
    "Basic-auth session logins that MoSAPI refused or that failed, by credentials name.",
  ),
  buildInfo: family(
    "mosapi_exporter_build_info",
    "gauge",
    false,
    ["version", "revision", "nodejs_version"],
    "A metric with a constant 1 value labelled by the exporter's version, git revision and Node.js version.",
  ),
  configReloadSuccessful: family(
    "mosapi_exporter_config_last_reload_successful",
    "gauge",
    false,
    [],
    "1 if the last configuration load or reload succeeded, else 0.",
  ),
  configReloadSuccessTimestamp: family(
    "mosapi_exporter_config_last_reload_success_timestamp_seconds",
    "gauge",
    false,
    [],
    "When the configuration was last loaded or reloaded successfully (Unix seconds).",
  ),
} as const satisfies Record<string, MetricDefinition>;

/** Every family the exporter defines itself (prom-client's process_* and nodejs_* come on top). */
export const ALL_METRICS: readonly MetricDefinition[] = [
  ...Object.values(SNAPSHOT_METRICS),
  ...Object.values(EXPORTER_METRICS),
];

/** Label names of a family as declared to prom-client: target labels first. */
export function labelNames(definition: MetricDefinition): string[] {
  return definition.targetScoped
    ? ["tld", "registrar_id", ...definition.labels]
    : [...definition.labels];
}
