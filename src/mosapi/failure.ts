/**
 * Why a refresh failed: the `reason` label of `mosapi_refresh_failures_total` (METRICS.md).
 * Every MoSAPI client error maps to exactly one reason.
 */
export const FAILURE_REASONS = [
  "auth",
  "forbidden",
  "not_found",
  "rate_limited",
  "http_error",
  "timeout",
  "network",
  "invalid_response",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
