import type { Oddity } from "./oddities.js";
import type { Target } from "./target.js";

/**
 * What the MoSAPI client reports about its own traffic. The metrics layer implements it
 * (`mosapi_requests_total`, `mosapi_request_duration_seconds`, `mosapi_logins_total`,
 * `mosapi_login_failures_total`, `mosapi_upstream_oddities_total`); the client never imports
 * prom-client itself.
 */
export interface ClientObserver {
  /**
   * Called once per HTTP request sent (login and logout included), when it has finished.
   * `endpoint` is the low-cardinality label (`login`, `logout`, `monitoring/state`, or the
   * caller's), `code` the HTTP status as a string or `error` when no status arrived (network
   * failure, timeout), `seconds` the duration including the body.
   */
  onRequest(event: { endpoint: string; code: string; seconds: number }): void;
  /** Called once per login attempt actually sent; `ok` is false when it yielded no session. */
  onLogin(event: { credentials: string; ok: boolean }): void;
  /**
   * Called once per parsed answer, with the odd parts it had (METRICS.md#odd-parts-of-answers; often none, so the
   * last oddities of a resource can be cleared): `resource` is the path below the version
   * (`monitoring/rdap/alarmed`), each oddity carries the endpoint template.
   */
  onOddities?(event: { target: Target; resource: string; oddities: readonly Oddity[] }): void;
}

/** An observer that ignores everything, for callers without metrics. */
export const noopObserver: ClientObserver = {
  onRequest: () => undefined,
  onLogin: () => undefined,
};
