/**
 * MosapiClient: typed GETs against MoSAPI for many targets and credentials.
 *
 * Per operation, two bounds measured apart (see {@link startOperation}): `timeoutMs` covers the
 * time spent on MoSAPI (request, body, retries and the waits between them), `queueTimeoutMs`
 * the time spent waiting for concurrency slots, so a burst queued behind a credential's few
 * slots does not turn into timeouts. `state` is the exception: its requests (and logins and
 * logouts) take the next free slot before any other waiting request, and its one `timeoutMs`
 * covers its slot waits too, so when MoSAPI hangs `mosapi_up` drops within one timeout
 * (METRICS.md#odd-parts-of-answers). Basic credentials get one session per (credential,
 * target), logged in on demand, renewed before the end of a lifetime the login's cookie states,
 * and re-logged once on a 401; `tls_client` credentials present their certificate on
 * every request and never log in. 429/503 honour `Retry-After` when it fits the deadline, other
 * 5xx and network errors get a short exponential backoff; other 4xx are never retried. At most
 * `maxConcurrency` requests per credential are in flight. Every failure is a `MosapiError`.
 */
import { setMaxListeners } from "node:events";
import type { Dispatcher } from "undici";
import type { Logger } from "../log/logger.js";
import type { z } from "zod";
import type { Clock } from "../util/clock.js";
import type { RetryPolicy } from "./backoff.js";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./backoff.js";
import { sameCredential, type Credential } from "./credentials.js";
import type { Deadline } from "./deadline.js";
import { startDeadline, startOperation } from "./deadline.js";
import type { OperationLimits } from "./deadline.js";
import { createAgent } from "./dispatcher.js";
import type { AgentSettings } from "./dispatcher.js";
import { assertVersion, endpointPath, endpointResource, ENDPOINTS } from "./endpoints.js";
import type { EndpointName, EndpointParams } from "./endpoints.js";
import { loginPath, logoutPath, normalizeBaseUrl } from "./endpoints.js";
import type { ErrorContext, MosapiError } from "./errors.js";
import {
  AuthError,
  HttpStatusError,
  InvalidResponseError,
  LoginFailedError,
  NetworkError,
  RateLimitedError,
  isMosapiError,
} from "./errors.js";
import { Semaphore, URGENT } from "./limiter.js";
import { measurementSchema } from "./measurement.js";
import type { MeasurementSummary } from "./measurement.js";
import { metricaListSchema, metricaReportSchema } from "./metrica-models.js";
import type { MetricaList, MetricaReport } from "./metrica-models.js";
import { stateResponseSchema } from "./models.js";
import type { ServiceType, StateResponse } from "./models.js";
import {
  alarmedResponseSchema,
  downtimeResponseSchema,
  measurementListSchema,
} from "./monitoring-models.js";
import type { AlarmedResponse, DowntimeResponse, MeasurementList } from "./monitoring-models.js";
import type { ClientObserver } from "./observer.js";
import { fileListingSchema, traceReportSchema } from "./probe-network.js";
import type { TraceHub, TreeDay } from "./probe-network.js";
import { recentMeasurementSchema } from "./recent-measurement.js";
import type { RecentMeasurement } from "./recent-measurement.js";
import { noopObserver } from "./observer.js";
import { isSuccess, parseBody, sessionCookie, statusFailure } from "./responses.js";
import { BasicSession } from "./session.js";
import type { LoginAnswer } from "./session.js";
import { sessionLifetimeMs } from "./session-cookie.js";
import type { Target } from "./target.js";
import { describeTarget, targetKey } from "./target.js";
import type { ExchangeDeps, RawResponse } from "./transport.js";
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  NotSentError,
  exchange,
  transportFailure,
} from "./transport.js";

/** Construction options of {@link MosapiClient}. */
export interface MosapiClientOptions {
  /** Base URL, e.g. `https://mosapi.icann.org` (a trailing slash is ignored). */
  url: string;
  /** API version: 2 → path segment `v2`. */
  version: number;
  /**
   * Per operation: the bound on the time spent on MoSAPI (request, body, retries and the waits
   * between them). Time spent waiting for a concurrency slot does not count (see
   * `queueTimeoutMs`). A login has the same bound of its own.
   */
  timeoutMs: number;
  /**
   * Per operation: the bound on the time spent waiting for concurrency slots; when it passes,
   * the operation fails with a `SlotTimeoutError` (a `TimeoutError`) and nothing is sent.
   * Default {@link defaultQueueTimeoutMs}.
   */
  queueTimeoutMs?: number;
  /** Per credential: at most this many HTTP requests in flight. */
  maxConcurrency: number;
  /** Credentials by name; `Target.credentials` refers to these names. */
  credentials: ReadonlyMap<string, Credential>;
  /** How we verify MoSAPI (ignored when `dispatcher` is given). */
  tls?: { ca?: string; minVersion?: "TLSv1.2" | "TLSv1.3"; insecureSkipVerify?: boolean };
  /** Local IP to bind outgoing sockets to (ignored when `dispatcher` is given). */
  sourceAddress?: string;
  /**
   * One dispatcher for every credential (tests: a MockAgent); the caller keeps ownership.
   * Without it the client builds one undici Agent per credential and closes them in `close()`.
   */
  dispatcher?: Dispatcher;
  logger: Logger;
  clock: Clock;
  observer?: ClientObserver;
  /** Source of jitter, `[0, 1)`; default `Math.random`. */
  random?: () => number;
  /** Retry backoff for 5xx and network errors; default {@link DEFAULT_RETRY_POLICY}. */
  retry?: RetryPolicy;
  /** Cap on a response body, compressed and decompressed; default 10 MiB. */
  maxResponseBytes?: number;
  /** `User-Agent` header; default `mosapi-exporter`. */
  userAgent?: string;
}

/**
 * A request that waited this long for a slot is not worth sending: ICANN regenerates the
 * monitoring data about once a minute, and `state`, the most frequent collector, refreshes once
 * a minute by default. Waiting longer means the credential's `max_concurrency` cannot carry the
 * configured fleet, and that must show as failures instead of ever-older data.
 */
const QUEUE_TIMEOUT_FLOOR_MS = 60_000;

/**
 * The default bound on an operation's wait for concurrency slots: `max(timeoutMs, 60 s)`, so a
 * request may always wait for at least one other request's full timeout.
 */
export function defaultQueueTimeoutMs(timeoutMs: number): number {
  return Math.max(timeoutMs, QUEUE_TIMEOUT_FLOOR_MS);
}

/** Per-call options of the endpoint methods of {@link MosapiClient}. */
export interface RequestOptions {
  /** Cancels the operation; the client then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Query parameters, e.g. `{ startDate: "2025-01-01" }`. */
  query?: Readonly<Record<string, string>> | undefined;
  /**
   * Place in the slot queues, lower first (see limiter.ts). {@link URGENT}, what `getState`
   * uses, also makes `timeoutMs` cover the slot waits (not a login shared with other
   * operations, which has a bound of its own). Default: behind every prioritised request.
   */
  priority?: number | undefined;
}

interface CredentialState {
  readonly credential: Credential;
  readonly dispatcher: Dispatcher;
  /** True when the client built the dispatcher and must close it. */
  readonly owned: boolean;
  readonly limiter: Semaphore;
  /** Never sent in messages; masked in any error cause. */
  readonly secrets: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
}

interface SessionEntry {
  readonly session: BasicSession;
  readonly credentials: string;
  /** The credential's state the session logs in and out with. */
  readonly state: CredentialState;
  readonly target: string;
}

/** A MoSAPI client shared by all collectors. */
export class MosapiClient {
  readonly #baseUrl: string;
  readonly #version: number;
  readonly #timeoutMs: number;
  readonly #limits: OperationLimits;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #observer: ClientObserver;
  readonly #random: () => number;
  readonly #retry: RetryPolicy;
  readonly #deps: ExchangeDeps;
  readonly #credentials = new Map<string, CredentialState>();
  readonly #options: MosapiClientOptions;
  readonly #common: Readonly<Record<string, string>>;
  readonly #sessions = new Map<string, SessionEntry>();
  /** One request at a time per target (see ExchangeRequest.limiters). */
  readonly #targetLimiters = new Map<string, Semaphore>();
  #closing: Promise<void> | undefined;

  /**
   * Builds the per-credential limiters and (without `options.dispatcher`) Agents. Nothing is
   * sent until the first call.
   *
   * @throws TypeError / RangeError for an invalid URL, version, timeout, queue timeout or
   *   concurrency.
   */
  constructor(options: MosapiClientOptions) {
    const queueTimeoutMs = options.queueTimeoutMs ?? defaultQueueTimeoutMs(options.timeoutMs);
    for (const [name, value] of [
      ["timeoutMs", options.timeoutMs],
      ["queueTimeoutMs", queueTimeoutMs],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`${name} must be positive, got ${String(value)}`);
      }
    }
    assertVersion(options.version);
    this.#baseUrl = normalizeBaseUrl(options.url);
    this.#version = options.version;
    this.#timeoutMs = options.timeoutMs;
    this.#limits = { timeoutMs: options.timeoutMs, queueTimeoutMs };
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#observer = options.observer ?? noopObserver;
    this.#random = options.random ?? Math.random;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#deps = {
      observer: this.#observer,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    };
    this.#options = options;
    this.#common = {
      accept: "application/json",
      "accept-encoding": "gzip, deflate",
      "user-agent": options.userAgent ?? "mosapi-exporter",
    };
    for (const [name, credential] of options.credentials) {
      this.#credentials.set(name, this.#credentialState(credential));
    }
  }

  /** The limiter, dispatcher and headers of one credential. */
  #credentialState(credential: Credential): CredentialState {
    const limiter = new Semaphore(this.#options.maxConcurrency);
    const given = this.#options.dispatcher;
    const dispatcher = given ?? this.#createAgent(credential, this.#options);
    const owned = given === undefined;
    if (credential.kind === "basic") {
      const token = Buffer.from(`${credential.username}:${credential.password}`).toString("base64");
      return {
        credential,
        dispatcher,
        owned,
        limiter,
        secrets: [credential.password, token],
        headers: { ...this.#common, authorization: `Basic ${token}` },
      };
    }
    return {
      credential,
      dispatcher,
      owned,
      limiter,
      secrets: [credential.key],
      headers: this.#common,
    };
  }

  #createAgent(credential: Credential, options: MosapiClientOptions): Dispatcher {
    const settings: { -readonly [K in keyof AgentSettings]: AgentSettings[K] } = {
      timeoutMs: options.timeoutMs,
    };
    if (options.tls?.ca !== undefined) settings.ca = options.tls.ca;
    if (options.tls?.minVersion !== undefined) settings.minVersion = options.tls.minVersion;
    if (options.tls?.insecureSkipVerify === true) settings.insecureSkipVerify = true;
    if (options.sourceAddress !== undefined) settings.sourceAddress = options.sourceAddress;
    if (credential.kind === "tls_client") {
      settings.cert = credential.cert;
      settings.key = credential.key;
    }
    return createAgent(settings);
  }

  /** `monitoring/state`: the target's overall and per-service state. */
  getState(target: Target, signal?: AbortSignal): Promise<StateResponse> {
    return this.#get(target, "state", {}, stateResponseSchema, { signal, priority: URGENT });
  }

  /** `monitoring/<service>/alarmed`. */
  getAlarmed(target: Target, service: ServiceType, signal?: AbortSignal): Promise<AlarmedResponse> {
    return this.#get(target, "alarmed", { service }, alarmedResponseSchema, { signal });
  }

  /** `monitoring/<service>/downtime`: minutes of downtime in the rolling week. */
  getDowntime(
    target: Target,
    service: ServiceType,
    signal?: AbortSignal,
  ): Promise<DowntimeResponse> {
    return this.#get(target, "downtime", { service }, downtimeResponseSchema, { signal });
  }

  /** `monitoring/<service>/incidents/<incident>/measurements`: the incident's measurements. */
  getIncidentMeasurements(
    target: Target,
    service: ServiceType,
    incident: string,
    signal?: AbortSignal,
  ): Promise<MeasurementList> {
    return this.#get(target, "incidentMeasurements", { service, incident }, measurementListSchema, {
      signal,
    });
  }

  /** `monitoring/<service>/incidents/<incident>/measurements/<measurement>`, summarised. */
  getIncidentMeasurement(
    target: Target,
    service: ServiceType,
    incident: string,
    measurement: string,
    signal?: AbortSignal,
  ): Promise<MeasurementSummary> {
    return this.#get(
      target,
      "incidentMeasurement",
      { service, incident, measurement },
      measurementSchema,
      { signal },
    );
  }

  /** `metrica/domainList/latest`: the latest Domain METRICA report (404: none). */
  getMetricaLatest(target: Target, signal?: AbortSignal): Promise<MetricaReport> {
    return this.#get(target, "metricaLatest", {}, metricaReportSchema, { signal });
  }

  /** `metrica/domainList/<YYYY-MM-DD>`: the Domain METRICA report of one day (404: none). */
  getMetricaReport(target: Target, date: string, signal?: AbortSignal): Promise<MetricaReport> {
    return this.#get(target, "metricaByDate", { date }, metricaReportSchema, { signal });
  }

  /** `metrica/domainLists[?startDate&endDate]`: which Domain METRICA reports exist. */
  getMetricaReports(
    target: Target,
    range: { readonly startDate?: string; readonly endDate?: string } = {},
    signal?: AbortSignal,
  ): Promise<MetricaList> {
    return this.#get(target, "metricaList", {}, metricaListSchema, {
      signal,
      query: Object.keys(range).length === 0 ? undefined : range,
    });
  }

  /**
   * `monitoring/<service>/measurements/<yyyy>/<mm>/<dd>`: the recent measurements of one UTC
   * day (every cycle, not only incidents).
   */
  getMeasurementDay(
    target: Target,
    service: ServiceType,
    day: TreeDay,
    signal?: AbortSignal,
  ): Promise<MeasurementList> {
    return this.#get(target, "measurementDay", { service, ...day }, measurementListSchema, {
      signal,
    });
  }

  /** `monitoring/<service>/measurements/<yyyy>/<mm>/<dd>/<measurement>`, summarised. */
  getMeasurement(
    target: Target,
    service: ServiceType,
    day: TreeDay,
    measurement: string,
    signal?: AbortSignal,
  ): Promise<RecentMeasurement> {
    return this.#get(
      target,
      "measurementFile",
      { service, ...day, measurement },
      recentMeasurementSchema,
      { signal },
    );
  }

  /** `networkTroubleshooting/mtr/<yyyy>/<mm>/<dd>` (inferred path): one day's trace files. */
  getTraceDay(target: Target, day: TreeDay, signal?: AbortSignal): Promise<string[]> {
    return this.#get(target, "traceDay", day, fileListingSchema, { signal });
  }

  /**
   * `networkTroubleshooting/mtr/<yyyy>/<mm>/<dd>/<file>` (inferred path): one mtr report, read
   * alike whether it comes as a `.json.gz` body or with `Content-Encoding: gzip`.
   */
  getTraceFile(
    target: Target,
    day: TreeDay,
    file: string,
    signal?: AbortSignal,
  ): Promise<TraceHub[]> {
    return this.#get(target, "traceFile", { ...day, file }, traceReportSchema, { signal });
  }

  /**
   * `GET` of endpoint `name` for `target`, validated with `schema`. The one path every endpoint
   * method takes.
   *
   * @throws LoginFailedError, LoginBackoffError, AuthError, ForbiddenError, NotFoundError,
   *   RateLimitedError, BadRequestError, HttpStatusError, TimeoutError, NetworkError,
   *   InvalidResponseError or SchemaError; the signal's reason when the caller aborts; a plain
   *   Error for unknown credentials or after `close()`.
   */
  async #get<N extends EndpointName, S extends z.ZodType>(
    target: Target,
    name: N,
    params: EndpointParams<N>,
    schema: S,
    options: RequestOptions,
  ): Promise<z.output<S>> {
    const resource = endpointResource(name, params);
    const context: ErrorContext = {
      operation: `fetch ${resource}`,
      target: describeTarget(target),
      endpoint: ENDPOINTS[name],
      path: endpointPath(target, this.#version, name, params, options.query),
    };
    const { response, secrets } = await this.#fetch(
      target,
      context,
      options.signal,
      options.priority,
    );
    const { value, oddities } = parseBody(response, schema, context, secrets);
    this.#observer.onOddities?.({ target, resource, oddities });
    return value;
  }

  #targetLimiter(target: Target): Semaphore {
    const key = targetKey(target);
    let limiter = this.#targetLimiters.get(key);
    if (limiter === undefined) {
      limiter = new Semaphore(1);
      this.#targetLimiters.set(key, limiter);
    }
    return limiter;
  }

  #state(target: Target): CredentialState {
    if (this.#closing !== undefined) throw new Error("MosapiClient is closed");
    const state = this.#credentials.get(target.credentials);
    if (state === undefined) {
      throw new Error(`unknown credentials "${target.credentials}" for ${describeTarget(target)}`);
    }
    return state;
  }

  #session(target: Target, state: CredentialState): BasicSession | undefined {
    if (state.credential.kind !== "basic") return undefined;
    const key = sessionKey(target);
    let entry = this.#sessions.get(key);
    if (entry === undefined) {
      const description = describeTarget(target);
      entry = {
        credentials: target.credentials,
        state,
        target: description,
        session: new BasicSession({
          credentials: target.credentials,
          target: description,
          clock: this.#clock,
          logger: this.#logger,
          observer: this.#observer,
          // The whole login: its own slot waits and its time on MoSAPI (see #login).
          timeoutMs: this.#limits.timeoutMs + this.#limits.queueTimeoutMs,
          login: (deadline) => this.#login(target, state, deadline),
          logout: (cookie, deadline) => this.#logout(target, state, cookie, deadline),
        }),
      };
      this.#sessions.set(key, entry);
    }
    return entry.session;
  }

  async #fetch(
    target: Target,
    context: ErrorContext,
    signal: AbortSignal | undefined,
    priority: number | undefined,
  ): Promise<{ response: RawResponse; secrets: readonly string[] }> {
    const state = this.#state(target);
    const session = this.#session(target, state);
    // An urgent operation's slot waits count against its timeout (a login keeps its own bound).
    const deadline = startOperation(
      this.#clock,
      priority === URGENT ? { ...this.#limits, slotWaitsCount: true } : this.#limits,
      signal,
    );
    try {
      let retries = 0;
      let relogged = false;
      let putBack = false;
      for (;;) {
        let failure: MosapiError;
        let secrets = state.secrets;
        try {
          // A login is shared by every operation of the target and bounded on its own, so
          // waiting for it counts against neither of this operation's bounds.
          const cookie =
            session === undefined
              ? undefined
              : await deadline.aside(() => session.cookie(context, deadline.signal));
          if (cookie !== undefined) secrets = [...state.secrets, cookie];
          // A cookie that came due while the request waited for its slots is not sent; once per
          // operation, so a slot wait longer than a session's lifetime cannot loop.
          const sendable =
            session === undefined || cookie === undefined || putBack
              ? undefined
              : () => session.usable(cookie);
          const response = await this.#send(
            target,
            state,
            context,
            deadline,
            cookie,
            priority,
            sendable,
          );
          if (isSuccess(response.status)) return { response, secrets };
          if (
            response.status === 401 &&
            session !== undefined &&
            cookie !== undefined &&
            !relogged
          ) {
            // Sessions expire or get evicted by a newer login: one re-login, one retry.
            relogged = true;
            session.invalidate(cookie);
            continue;
          }
          failure =
            response.status === 401
              ? new AuthError(context, session === undefined ? "certificate" : "session")
              : statusFailure(response, context, secrets, this.#clock.now());
        } catch (error) {
          if (error instanceof NotSentError) {
            putBack = true;
            continue;
          }
          if (!isMosapiError(error)) throw transportFailure(error, context, deadline, secrets);
          failure = error;
        }
        const waitMs = this.#retryWait(failure, retries, deadline);
        if (waitMs === undefined) throw failure;
        retries += 1;
        this.#logger.debug(
          { target: context.target, endpoint: context.endpoint, code: failure.code, waitMs },
          "retrying MoSAPI request",
        );
        try {
          await this.#clock.sleep(waitMs, deadline.signal);
        } catch (error) {
          throw transportFailure(error, context, deadline, secrets);
        }
      }
    } finally {
      deadline.dispose();
    }
  }

  /**
   * The one way a request leaves the client: under the target's and the credential's limiters,
   * with the credential's headers. With a session `cookie` the request carries the cookie and
   * not the Basic header (Basic credentials go to `/login` only); without one it carries the
   * credential's own headers (a login, or a certificate credential). `priority` orders it in
   * the limiters' queues; `sendable`, asked once the slots are held, may stop it unsent.
   */
  #send(
    target: Target,
    state: CredentialState,
    context: ErrorContext,
    deadline: Deadline,
    cookie: string | undefined,
    priority: number | undefined,
    sendable?: () => boolean,
  ): Promise<RawResponse> {
    return exchange(
      {
        context,
        url: this.#baseUrl + context.path,
        headers:
          cookie === undefined
            ? state.headers
            : { ...withoutAuthorization(state.headers), cookie: `id=${cookie}` },
        dispatcher: state.dispatcher,
        limiters: [this.#targetLimiter(target), state.limiter],
        priority,
        secrets: cookie === undefined ? state.secrets : [...state.secrets, cookie],
        sendable,
      },
      this.#deps,
      deadline,
    );
  }

  /** How long to wait before retrying after `failure`, or `undefined` to give up now. */
  #retryWait(failure: MosapiError, retries: number, deadline: Deadline): number | undefined {
    if (retries >= this.#retry.maxRetries) return undefined;
    let waitMs: number | undefined;
    if (failure instanceof RateLimitedError) {
      // Without Retry-After we do not guess: the caller's scheduler backs off instead.
      waitMs = failure.retryAfterMs;
    } else if (
      failure instanceof HttpStatusError &&
      failure.status !== undefined &&
      failure.status >= 500
    ) {
      waitMs = failure.retryAfterMs ?? retryDelayMs(retries, this.#retry, this.#random);
    } else if (failure instanceof NetworkError) {
      waitMs = retryDelayMs(retries, this.#retry, this.#random);
    }
    return waitMs !== undefined && waitMs < deadline.remainingMs() ? waitMs : undefined;
  }

  /**
   * Sends the login under the same two bounds as any operation; `session` is the session's
   * deadline over the whole login (their sum), which also ends it when the session gives up.
   */
  async #login(target: Target, state: CredentialState, session: Deadline): Promise<LoginAnswer> {
    const context: ErrorContext = {
      operation: "log in",
      target: describeTarget(target),
      endpoint: "login",
      path: loginPath(target),
    };
    const deadline = startOperation(this.#clock, this.#limits, session.signal);
    let response: RawResponse;
    try {
      response = await this.#send(target, state, context, deadline, undefined, URGENT);
    } finally {
      deadline.dispose();
    }
    if (response.status === 401) throw new LoginFailedError(context, target.credentials);
    if (!isSuccess(response.status)) {
      throw statusFailure(response, context, state.secrets, this.#clock.now());
    }
    const cookie = sessionCookie(response.headers["set-cookie"]);
    if (cookie === undefined) {
      throw new InvalidResponseError(context, "login answered without an id session cookie", {
        status: response.status,
      });
    }
    const lifetimeMs = sessionLifetimeMs(
      response.headers["set-cookie"],
      cookie,
      response.headers["date"],
      this.#clock.now(),
    );
    return { cookie, lifetimeMs };
  }

  async #logout(
    target: Target,
    state: CredentialState,
    cookie: string,
    deadline: Deadline,
  ): Promise<void> {
    const context: ErrorContext = {
      operation: "log out",
      target: describeTarget(target),
      endpoint: "logout",
      path: logoutPath(target),
    };
    const response = await this.#send(target, state, context, deadline, cookie, URGENT);
    if (!isSuccess(response.status)) {
      throw statusFailure(response, context, [...state.secrets, cookie], this.#clock.now());
    }
  }

  /**
   * Takes over the credentials and targets of a reloaded config, keeping what did not change,
   * so a reload costs ICANN no login it does not need:
   * - a credential with the same name and content keeps its Agent, limiter and the sessions of
   *   the targets that still use it (an unchanged file: no login, no logout);
   * - the sessions of targets no longer configured with their credential, and every session of
   *   a credential removed or changed, are logged out before this resolves (within one
   *   `timeoutMs`; failures logged at debug and swallowed), then the Agents of removed and
   *   changed credentials are closed;
   * - new and changed credentials get a new Agent and limiter; nothing is sent for them before
   *   their first request.
   *
   * Call it while no request is in flight (the refresh loops stopped).
   *
   * @throws what building an Agent throws (normally rejected by the config loader already); a
   *   plain Error after `close()`.
   */
  async reconfigure(
    credentials: ReadonlyMap<string, Credential>,
    targets: readonly Target[],
  ): Promise<void> {
    if (this.#closing !== undefined) throw new Error("MosapiClient is closed");
    const replaced: CredentialState[] = [];
    for (const [name, state] of this.#credentials) {
      if (sameCredential(state.credential, credentials.get(name))) continue;
      replaced.push(state);
      this.#credentials.delete(name);
    }
    for (const [name, credential] of credentials) {
      if (!this.#credentials.has(name)) {
        this.#credentials.set(name, this.#credentialState(credential));
      }
    }
    // A kept credential's state is the very object its sessions were made with.
    const wanted = new Set(targets.map(sessionKey));
    const retired: SessionEntry[] = [];
    for (const [key, entry] of this.#sessions) {
      if (wanted.has(key) && this.#credentials.get(entry.credentials) === entry.state) continue;
      retired.push(entry);
      this.#sessions.delete(key);
    }
    await this.#logOut(retired);
    const configured = new Set(targets.map(targetKey));
    for (const key of this.#targetLimiters.keys()) {
      if (!configured.has(key)) this.#targetLimiters.delete(key);
    }
    await Promise.all(
      replaced.filter((state) => state.owned).map((state) => state.dispatcher.close()),
    );
  }

  /**
   * Logs out every open Basic session (all within one `timeoutMs`; failures are logged at debug
   * and swallowed), then closes the Agents the client built. Idempotent; later calls of the
   * other methods reject.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.#logOut([...this.#sessions.values()]);
    await Promise.all(
      [...this.#credentials.values()]
        .filter((state) => state.owned)
        .map((state) => state.dispatcher.close()),
    );
  }

  /** Logs out of `entries`' sessions, all within one `timeoutMs`; failures logged at debug. */
  async #logOut(entries: readonly SessionEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const deadline = startDeadline(this.#clock, this.#timeoutMs);
    // Every logout listens on this one signal; with many sessions Node would warn of a leak.
    setMaxListeners(0, deadline.signal);
    try {
      await Promise.all(
        entries.map(async ({ session, credentials, target }) => {
          try {
            await session.logout(deadline);
          } catch (error) {
            this.#logger.debug(
              {
                credentials,
                target,
                ...(isMosapiError(error) ? { code: error.code, error: error.message } : {}),
              },
              "MoSAPI logout failed",
            );
          }
        }),
      );
    } finally {
      deadline.dispose();
    }
  }
}

/** The key of a target's session: its credential's name and the target. */
function sessionKey(target: Target): string {
  return `${target.credentials}\n${targetKey(target)}`;
}

function withoutAuthorization(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name !== "authorization"));
}
