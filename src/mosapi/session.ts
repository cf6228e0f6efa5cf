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
  /** Sends `GET …/login`; resolves with the `id` cookie value or throws a MosapiError. */
  readonly login: (deadline: Deadline) => Promise<string>;
  /** Sends `GET …/logout` with the cookie. */
  readonly logout: (cookie: string, deadline: Deadline) => Promise<void>;
}

/** One Basic-auth session. */
export class BasicSession {
  readonly #options: SessionOptions;
  #cookie: string | undefined;
  #pending: Promise<string> | undefined;
  #failures = 0;
  #retryAt = 0;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  /**
   * The current session cookie value, logging in first when there is none (joining a login
   * already under way).
   *
   * @throws LoginBackoffError (with `context`) while logins are suspended, without sending
   *   anything; the login's MosapiError when it fails; `signal`'s reason when it aborts first.
   */
  async cookie(context: ErrorContext, signal: AbortSignal): Promise<string> {
    if (this.#cookie !== undefined) return this.#cookie;
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
   * Drops `stale` after MoSAPI answered 401 to it, so the next `cookie()` logs in again. A no-op
   * when the session already moved on (another caller's 401 already caused a re-login).
   */
  invalidate(stale: string): void {
    if (this.#cookie !== stale) return;
    this.#cookie = undefined;
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
    await this.#options.logout(cookie, deadline);
  }

  async #login(): Promise<string> {
    const { clock, logger, observer, credentials, target } = this.#options;
    const deadline = startDeadline(clock, this.#options.timeoutMs);
    try {
      const cookie = await this.#options.login(deadline);
      observer.onLogin({ credentials, ok: true });
      logger.info(
        this.#failures === 0
          ? { credentials, target }
          : { credentials, target, failedLogins: this.#failures },
        "logged in to MoSAPI",
      );
      this.#failures = 0;
      this.#retryAt = 0;
      this.#cookie = cookie;
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
