/**
 * Grafana unit ids used by the mosapi dashboards. Every panel sets one, so a value is never shown
 * without saying what it counts.
 */
export const Unit = {
  /** A plain count (services, incidents, probes, domains). */
  count: "none",
  /** A duration in seconds (downtime, data age, latency). */
  seconds: "s",
  /** A ratio where 1 is shown as 100 % (share of the emergency threshold used). */
  ratio: "percentunit",
  /** Bytes (process memory). */
  bytes: "bytes",
  /** Events per second (refresh failures, logins). */
  perSecond: "ops",
  /** Upstream requests per second. */
  requestsPerSecond: "reqps",
  /** A Unix timestamp in milliseconds, shown as a date. */
  dateTime: "dateTimeAsIso",
  /** A Unix timestamp in milliseconds, shown as a day (METRICA reports cover whole days). */
  day: "time:YYYY-MM-DD",
  /** A Unix timestamp in milliseconds, shown as "3 minutes ago". */
  fromNow: "dateTimeFromNow",
  /** Text (a state mapped from a numeric code, a label value). */
  text: "string",
} as const;
