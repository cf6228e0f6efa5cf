/**
 * Pure delay computations: retry backoff with jitter, `Retry-After` parsing, and the login
 * backoff that keeps a failing password from hammering ICANN.
 */

/** How the client retries 5xx answers and network errors within one operation's deadline. */
export interface RetryPolicy {
  /** Delay before the first retry, before jitter. */
  readonly baseMs: number;
  /** Multiplier per further retry. */
  readonly factor: number;
  /** Relative jitter: 0.5 spreads a delay uniformly over ±50 %. */
  readonly jitter: number;
  /** Retries after the first attempt (re-login after a 401 does not count). */
  readonly maxRetries: number;
}

/** 500 ms, 1 s (each ±50 %), at most 2 retries. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 500,
  factor: 2,
  jitter: 0.5,
  maxRetries: 2,
};

/**
 * Delay before retry number `retry` (0 for the first retry): `baseMs · factor^retry`, scaled by a
 * jitter factor in `[1 − jitter, 1 + jitter)` drawn from `random` (which returns `[0, 1)`).
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const base = policy.baseMs * policy.factor ** retry;
  return Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random()));
}

/**
 * Milliseconds to wait according to a `Retry-After` header: delta-seconds (`120`) or an
 * HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, measured against `nowMs`; a past date gives 0).
 * Returns `undefined` when the header is absent or unparseable.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  const raw = (typeof value === "string" ? value : value?.[0])?.trim();
  if (raw === undefined || raw === "") return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // Anything else must be a date; reject numeric-looking junk that Date.parse would accept.
  if (!/[A-Za-z]/.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Login backoff bounds: 1 min after the first failed login, doubling, at most 15 min. */
export const LOGIN_BACKOFF = { initialMs: 60_000, maxMs: 15 * 60_000 } as const;

/**
 * How long logins stay suspended after `failures` consecutive rejected logins (≥ 1):
 * 1, 2, 4, 8, 15, 15, … minutes.
 */
export function loginBackoffMs(failures: number): number {
  const doublings = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(LOGIN_BACKOFF.initialMs * 2 ** doublings, LOGIN_BACKOFF.maxMs);
}
