/**
 * Data families refreshed on their own interval; the `collector` label and the keys of the
 * `collectors:` config section.
 */
export const COLLECTOR_NAMES = [
  "state",
  "alarmed",
  "downtime",
  "incidents",
  "metrica",
  "measurements",
  "troubleshooting",
] as const;
export type CollectorName = (typeof COLLECTOR_NAMES)[number];
