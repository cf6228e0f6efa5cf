/**
 * A MoSAPI Basic-auth session for one (credential, target) pair: the login URL names the TLD or
 * registrar, so each target has its own session (docs/mosapi.md#authentication). The session is the only holder
 * of the `id` cookie.
 *
 * - Single-flight: concurrent callers share one login; N concurrent 401s cause one re-login.
 * - A rejected login (401) suspends logins for 1, 2, 4, 8, then 15 minutes; while suspended,
 *   callers fail at once with `LoginBackoffError` and nothing is sent. Success resets it.
 * - The shared login runs under its own deadline, so one caller giving up does not fail the
 *   login for the others; each caller stops waiting at its own deadline.
 * - When the login's cookie says how long the session lives (`Max-Age` or `Expires`, see
 *   session-cookie.ts), a request that would be sent after that lifetime less a safety margin
 *   logs in first instead of meeting a 401. Nothing happens while no request is due (an idle
 *   session that expires costs nothing), and the old session is not logged out: it ends by
 *   itself, and ICANN counts every authentication call. Without a lifetime a 401 is the only
 *   sign of an expired session, as before.
 */
import type { Logger } from "../log/logger.js";
import type { Clock } from "../util/clock.js";
import { loginBackoffMs } from "./backoff.js";
import type { Deadline } from "./deadline.js";
import { raceAbort, startDeadline } from "./deadline.js";
import type { ErrorContext } from "./errors.js";
import { LoginBackoffError, LoginFailedError, isMosapiError } from "./errors.js";
import type { ClientObserver } from "./observer.js";

/** What a session needs; `login` and `logout` send the actual requests. */
export interface SessionOptions {
  /** Credential name (for logs, metrics and messages; never the username or password). */
  readonly credentials: string;
  /** `describeTarget()` of the target. */
  readonly target: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer: ClientObserver;
  /** Deadline of one login. */
  readonly timeoutMs: number;
  /** Sends `GET …/login`; resolves with the `id` cookie and its lifetime, or throws a MosapiError. */
  readonly login: (deadline: Deadline) => Promise<LoginAnswer>;
  /** Sends `GET …/logout` with the cookie. */
  readonly logout: (cookie: string, deadline: Deadline) => Promise<void>;
}

/** What a successful login hands out. */
export interface LoginAnswer {
  /** The `id` cookie value. */
  readonly cookie: string;
  /**
   * How long the session lives, counted from when the login answer was made (see
   * `sessionLifetimeMs`); undefined when the answer does not say.
   */
  readonly lifetimeMs?: number | undefined;
}

/**
 * How long before the end of its known lifetime a session is renewed: a request is sent at most
 * this close to the session's end. It covers the time from the decision to the request's arrival
 * (connecting, TLS, sending) and the difference between our clock's and MoSAPI's rate; the slot
 * waits before the request are not in it, because the session is checked again when the slots
 * are held (`usable`). Small against a 15-minute lifetime: renewing early shortens a session
 * only when a request happens to fall into its last 10 s, and then by at most those 10 s, about
 * 1 % more logins at worst. A short lifetime gets at most a tenth of itself as margin.
 */
export const RENEW_MARGIN_MS = 10_000;

/** When a session with `lifetimeMs` that began at `startedAtMs` must be renewed. */
export function renewalTime(startedAtMs: number, lifetimeMs: number | undefined): number {
  if (lifetimeMs === undefined) return Number.POSITIVE_INFINITY;
  return startedAtMs + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 10);
}

/** One Basic-auth session. */
export class BasicSession {
  readonly #options: SessionOptions;
  #cookie: string | undefined;
  /** When `#cookie` is renewed before use; +∞ while its lifetime is unknown. */
  #renewAt = Number.POSITIVE_INFINITY;
  /** The last cookie dropped for renewal: a request still holding it is not sent. */
  #renewed: string | undefined;
  #pending: Promise<string> | undefined;
  #failures = 0;
  #retryAt = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  /**
   * The current session cookie value, logging in first when there is none or when it is due for
   * renewal (joining a login already under way).
   *
   * @throws LoginBackoffError (with `context`) while logins are suspended, without sending
   *   anything; the login's MosapiError when it fails; `signal`'s reason when it aborts first.
   */
  async cookie(context: ErrorContext, signal: AbortSignal): Promise<string> {
    if (this.#cookie !== undefined) {
      if (this.usable(this.#cookie)) return this.#cookie;
      this.#renew();
    }
    if (this.#pending === undefined) {
      const now = this.#options.clock.now();
      if (now < this.#retryAt) {
        throw new LoginBackoffError(
          context,
          this.#options.credentials,
          this.#failures,
          this.#retryAt,
          now,
        );
      }
      const pending = this.#login();
      this.#pending = pending;
      pending.then(
        () => {
          this.#pending = undefined;
        },
        () => {
          this.#pending = undefined;
        },
      );
    }
    return raceAbort(this.#pending, signal);
  }

  /**
   * Whether a request may still be sent with `cookie` now: false when it is due for renewal or
   * was dropped for one (its session ends within the margin, or the new login evicted it). False
   * means: ask `cookie()` again (it renews, or returns the cookie another caller's login
   * brought) instead of sending a request doomed to a 401. A cookie dropped for another reason
   * (a 401, a logout) is not judged here: such a request is sent and its 401 handled as ever.
   */
  usable(cookie: string): boolean {
    if (cookie === this.#cookie) return this.#options.clock.now() < this.#renewAt;
    return cookie !== this.#renewed;
  }

  /** Forgets the cookie due for renewal, so the next `cookie()` logs in; no logout. */
  #renew(): void {
    this.#renewed = this.#cookie;
    this.#cookie = undefined;
    this.#renewAt = Number.POSITIVE_INFINITY;
    this.#options.logger.debug(
      { credentials: this.#options.credentials, target: this.#options.target },
      "MoSAPI session about to expire, logging in again",
    );
  }

  /**
   * Drops `stale` after MoSAPI answered 401 to it, so the next `cookie()` logs in again. A no-op
   * when the session already moved on (another caller's 401 already caused a re-login).
   */
  invalidate(stale: string): void {
    if (this.#cookie !== stale) return;
    this.#cookie = undefined;
    this.#renewAt = Number.POSITIVE_INFINITY;
    this.#options.logger.info(
      { credentials: this.#options.credentials, target: this.#options.target },
      "MoSAPI session rejected (HTTP 401), logging in again",
    );
  }

  /**
   * Closes the session on the server when one is open (after a login under way has settled, so
   * its session is not left open); the cookie is forgotten either way.
   *
   * @throws whatever `logout` throws; the deadline's reason when it aborts first.
   */
  async logout(deadline: Deadline): Promise<void> {
    if (this.#pending !== undefined) {
      await raceAbort(
        this.#pending.then(
          () => undefined,
          () => undefined,
        ),
        deadline.signal,
      );
    }
    const cookie = this.#cookie;
    if (cookie === undefined) return;
    this.#cookie = undefined;
    this.#renewAt = Number.POSITIVE_INFINITY;
    await this.#options.logout(cookie, deadline);
  }

  async #login(): Promise<string> {
    const { clock, logger, observer, credentials, target } = this.#options;
    // The session began after this moment: its lifetime counted from here ends no later than
    // MoSAPI's end of it, whatever the login waited for.
    const startedAtMs = clock.now();
    const deadline = startDeadline(clock, this.#options.timeoutMs);
    try {
      const { cookie, lifetimeMs } = await this.#options.login(deadline);
      observer.onLogin({ credentials, ok: true });
      const lifetime = lifetimeMs === undefined ? {} : { lifetimeSeconds: lifetimeMs / 1000 };
      logger.info(
        this.#failures === 0
          ? { credentials, target, ...lifetime }
          : { credentials, target, ...lifetime, failedLogins: this.#failures },
        "logged in to MoSAPI",
      );
      this.#failures = 0;
      this.#retryAt = 0;
      this.#cookie = cookie;
      this.#renewAt = renewalTime(startedAtMs, lifetimeMs);
      return cookie;
    } catch (error) {
      observer.onLogin({ credentials, ok: false });
      const code = isMosapiError(error) ? error.code : undefined;
      if (error instanceof LoginFailedError) {
        this.#failures += 1;
        this.#retryAt = clock.now() + loginBackoffMs(this.#failures);
        const fields = {
          credentials,
          target,
          code,
          failedLogins: this.#failures,
          nextAttempt: new Date(this.#retryAt).toISOString(),
        };
        // Warn once per failure streak; the retries of a streak are routine.
        if (this.#failures === 1) logger.warn(fields, "MoSAPI login rejected, logins suspended");
        else logger.debug(fields, "MoSAPI login rejected again");
      } else {
        logger.debug({ credentials, target, code }, "MoSAPI login failed");
      }
      throw error;
    } finally {
      deadline.dispose();
    }
  }
}
