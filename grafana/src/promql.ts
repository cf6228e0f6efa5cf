/**
 * PromQL fragments shared by the dashboards. Expressions use only the metric names of METRICS.md
 * (a test checks it) and never a recording rule, so the dashboards work without our rules loaded.
 */

/**
 * A label selector such as `{status="down", tld=~"$target"}` from matchers; `""` when empty.
 *
 * @returns the selector including braces, or an empty string for no matchers.
 */
export function selector(...matchers: readonly string[]): string {
  return matchers.length === 0 ? "" : `{${matchers.join(", ")}}`;
}

/**
 * Matches the target chosen in the `kind` and `target` variables: `kind` holds the label name
 * (`tld` or `registrar_id`), so one dashboard serves registries and registrars.
 */
export const TARGET_MATCHER = '$kind=~"$target"';

/**
 * Adds two labels to every series of `expr`: `target` (the TLD or the registrar ID, whichever
 * the series has) and `kind` (the name of that label). Fleet panels group and link by them, so
 * one column or legend entry and one data link serve registries and registrars alike.
 *
 * @returns a PromQL expression with `kind` and `target` labels.
 */
export function withTargetLabels(expr: string): string {
  const joined = `label_join(${expr}, "target", "", "tld", "registrar_id")`;
  const tld = `label_replace(${joined}, "kind", "tld", "tld", ".+")`;
  return `label_replace(${tld}, "kind", "registrar_id", "registrar_id", ".+")`;
}

/**
 * Service states, worst first, with the code each is mapped to by {@link serviceSeverity}. The
 * code orders them ("worst first" is a numeric sort) and value mappings turn it back into text.
 */
export const SERVICE_STATES = [
  { status: "down", code: 6, color: "red" },
  { status: "unknown", code: 5, color: "purple" },
  { status: "up-inconclusive-no-data", code: 4, color: "orange" },
  { status: "up-inconclusive-no-probes", code: 3, color: "orange" },
  { status: "up-inconclusive-reconfig", code: 2, color: "yellow" },
  { status: "up", code: 1, color: "green" },
  { status: "disabled", code: 0, color: "text" },
] as const;

/** Overall target states (`mosapi_status`), worst first, as for {@link SERVICE_STATES}. */
export const TARGET_STATES = [
  { status: "down", code: 4, color: "red" },
  { status: "unknown", code: 3, color: "purple" },
  { status: "up-inconclusive", code: 2, color: "orange" },
  { status: "up", code: 1, color: "green" },
] as const;

/**
 * Turns a state-set metric into one series per state whose value is the state's code while it is
 * current and 0 otherwise. A state set has one series per state, 1 on the current one, so the
 * maximum over states (taken by the caller, grouped as it needs) is the current code; a state
 * with code 0 needs no term.
 */
function stateCodes(
  metric: string,
  states: readonly { status: string; code: number }[],
  matchers: readonly string[],
): string {
  return states
    .filter((state) => state.code > 0)
    .map((state) => `${metric}${selector(`status="${state.status}"`, ...matchers)} * ${state.code}`)
    .join(" or ");
}

/**
 * Codes of {@link SERVICE_STATES} for `mosapi_service_status`; aggregate with `max by (…)`.
 *
 * @returns a PromQL expression (an `or` chain: wrap it in an aggregation or parentheses).
 */
export function serviceStateCodes(...matchers: readonly string[]): string {
  return stateCodes("mosapi_service_status", SERVICE_STATES, matchers);
}

/**
 * Codes of {@link TARGET_STATES} for `mosapi_status`; aggregate with `max by (…)`.
 *
 * @returns a PromQL expression (an `or` chain: wrap it in an aggregation or parentheses).
 */
export function targetStateCodes(...matchers: readonly string[]): string {
  return stateCodes("mosapi_status", TARGET_STATES, matchers);
}

/**
 * `max by (kind, target, …labels)` of `expr` with {@link withTargetLabels} applied: one series
 * per target (and per extra label), whichever Prometheus jobs or exporter replicas report it.
 *
 * @returns a PromQL expression.
 */
export function byTarget(expr: string, ...labels: readonly string[]): string {
  const by = ["kind", "target", ...labels].join(", ");
  return `max by (${by}) (${withTargetLabels(expr)})`;
}

/**
 * Per name server of the latest recent measurement (`mosapi_measurement_nameserver_probes`), the
 * share of probes that saw it down: the ratio the alert MosapiNameServerLosingProbes tests. SLAM
 * counts a name server down for a cycle when 51 % of the probes do.
 *
 * @returns a PromQL expression keeping every label but `status`.
 */
export function nameServerDownShare(...matchers: readonly string[]): string {
  const probes = "mosapi_measurement_nameserver_probes";
  return (
    `sum without (status) (${probes}${selector('status="down"', ...matchers)}) / ` +
    `sum without (status) (${probes}${selector(...matchers)})`
  );
}

/**
 * `metric` (a `mosapi_trace_*` series, labelled `probe` and `ip` but not by target) limited to
 * the IPs traced for the targets `matchers` select, with the IP's `role` added from
 * `mosapi_trace_target_info`. The join is per exporter (`job`, `instance`); `max by` makes the
 * right side one series per IP when several selected targets share the IP in the same role.
 *
 * @returns a PromQL expression with the labels of `metric` and `role`.
 */
export function traceOfTarget(metric: string, ...matchers: readonly string[]): string {
  return (
    `${metric} * on (job, instance, ip) group_left (role) ` +
    `max by (job, instance, ip, role) (mosapi_trace_target_info${selector(...matchers)})`
  );
}
