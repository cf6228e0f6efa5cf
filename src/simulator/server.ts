/**
 * The MoSAPI simulator as an HTTP(S) server on loopback: `createSimulatorApp` builds the Express
 * application and its in-process controls; `startSimulator` serves it (HTTPS and client
 * certificates when `tls` is given).
 */
import { crypto, http } from "../util/builtins.js";
import { once } from "node:events";
import https from "node:https";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { systemClock, type Clock } from "../util/clock.js";
import { basicCredentials, sessionCookie, verifiedClientName } from "./auth.js";
import { controlRouter, type SimulatorControls } from "./control.js";
import { endpointKind, parseMosapiPath } from "./endpoints.js";
import { FaultStore, faultMiddleware } from "./faults.js";
import { mosapiRouter, sendError } from "./mosapi-routes.js";
import type { Scenario } from "./scenario.js";
import { getScenario } from "./scenarios/index.js";
import { SessionStore } from "./sessions.js";
import { StatsRecorder } from "./stats.js";
import { SimulatedWorld } from "./world.js";

/** Behaviour of a simulator, independent of how it is served. */
export interface SimulatorOptions {
  readonly scenario: Scenario;
  /** Default: the system clock. Simulated time is this clock plus `/_sim/clock` shifts. */
  readonly clock?: Clock;
  /** Session lifetime from login; default 15 minutes. */
  readonly sessionTtlMs?: number;
  /**
   * Whether the login's cookie states the session lifetime (`Expires`, `Max-Age`); default true.
   * False: a cookie without them, so clients learn of an expiry only from a 401.
   */
  readonly sessionLifetimeInCookie?: boolean;
  /** Sessions an account may hold; default 1 (a new login evicts the oldest). */
  readonly maxSessionsPerAccount?: number;
  /** Receives one line per request (method, path, status, duration, credential; no secrets). */
  readonly logger?: (line: string) => void;
}

/** Where and how to serve the simulator. */
export interface StartSimulatorOptions extends SimulatorOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** PEM strings. With `clientCa`, client certificates are requested and checked per request. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
}

/** The Express application plus its controls. */
export interface SimulatorApp extends SimulatorControls {
  readonly app: Express;
  /** Abandons requests held by latency faults (their connections are being closed). */
  readonly shutdown: () => void;
}

/** A running simulator. */
export interface RunningSimulator extends SimulatorControls {
  /** `http(s)://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const DEFAULT_SESSION_TTL_MS = 15 * 60 * 1000;

/** 404 for anything no route claimed, as JSON like MoSAPI's other errors. */
const notFound: RequestHandler = (_req, res) => {
  sendError(res, 404, "Not Found", "No such resource.");
};

/** Client errors keep their status (e.g. a bad JSON body on `/_sim`); anything else is a 500. */
const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  const status =
    typeof err === "object" && err !== null && "status" in err && typeof err.status === "number"
      ? err.status
      : 500;
  const clientError = status >= 400 && status < 500;
  sendError(
    res,
    clientError ? status : 500,
    clientError ? "Bad Request" : "Internal Server Error",
    clientError && err instanceof Error ? err.message : "The simulator failed.",
  );
};

/**
 * Builds the simulator application: `/_sim` control routes, then accounting, faults and the
 * MoSAPI routes.
 * @throws RangeError when `sessionTtlMs` or `maxSessionsPerAccount` is not positive
 */
export function createSimulatorApp(options: SimulatorOptions): SimulatorApp {
  const clock = options.clock ?? systemClock;
  const world = new SimulatedWorld(options.scenario, clock);
  const stats = new StatsRecorder();
  const faults = new FaultStore();
  const sessions = new SessionStore({
    now: () => world.nowMs(),
    ttlMs: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    maxPerAccount: options.maxSessionsPerAccount ?? 1,
    lifetimeInCookie: options.sessionLifetimeInCookie ?? true,
    onEvent: (event) => {
      stats.session(event);
    },
  });
  const closing = new AbortController();

  const controls: SimulatorControls = {
    stats: () => stats.snapshot(sessions.active()),
    requestsByTarget: () => stats.requestsByTarget(),
    resetStats: () => {
      stats.reset();
    },
    addFault: (fault) => faults.add(fault),
    clearFaults: () => {
      faults.clear();
    },
    setScenario: (scenario) => {
      world.setScenario(scenario);
    },
    evictSessions: () => {
      sessions.evict();
    },
    advanceClock: (seconds) => {
      world.advance(seconds);
      return world.nowSeconds();
    },
  };

  // Who a request counts against: certificate CN, else session owner, else Basic username.
  const credentialOf = (req: express.Request): string => {
    const id = sessionCookie(req.headers.cookie);
    return (
      verifiedClientName(req) ??
      (id === undefined ? undefined : sessions.lookup(id)?.username) ??
      basicCredentials(req.headers.authorization)?.username ??
      "(anonymous)"
    );
  };

  const accounting: RequestHandler = (req, res, next) => {
    const started = performance.now();
    const credential = credentialOf(req);
    const end = stats.begin(credential);
    res.on("close", () => {
      end();
      stats.request(
        req.path,
        endpointKind(req.path),
        res.statusCode,
        parseMosapiPath(req.path)?.targetKey,
        req.headers["user-agent"],
      );
      const ms = Math.round(performance.now() - started);
      options.logger?.(`${req.method} ${req.path} ${res.statusCode} ${ms}ms ${credential}`);
    });
    next();
  };

  const app = express();
  app.set("x-powered-by", false);
  app.set("etag", false);
  app.use("/_sim", controlRouter(controls, getScenario));
  app.use(accounting);
  app.use(
    faultMiddleware({
      faults,
      sleep: (ms) => clock.sleep(ms, closing.signal),
      evict: (targetKey) => {
        sessions.evict(targetKey);
      },
      counted: (kind) => {
        stats.fault(kind);
      },
    }),
  );
  app.use(mosapiRouter({ world, sessions, stats }));
  app.use(notFound);
  app.use(errorHandler);

  return {
    ...controls,
    app,
    shutdown: () => {
      closing.abort(new Error("simulator closed"));
    },
  };
}

/** `host:port` for a URL, with IPv6 literals bracketed. */
function urlHost(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts a simulator and resolves once it listens.
 * @throws when the address cannot be bound (e.g. port in use) or the TLS material is invalid
 */
export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const { app, shutdown, ...controls } = createSimulatorApp(options);
  const { tls } = options;
  const server =
    tls === undefined
      ? http.createServer(app)
      : https.createServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa === undefined
              ? {}
              : {
                  ca: tls.clientCa,
                  // Accept connections without a (trusted) certificate: Basic and cookies still work.
                  requestCert: true,
                  rejectUnauthorized: false,
                  // No session resumption: a resumed session has no peer certificate to read the
                  // CN from, yet reports the verification result of the session it resumed.
                  secureOptions: crypto.constants.SSL_OP_NO_TICKET,
                }),
          },
          app,
        );
  const host = options.host ?? "127.0.0.1";
  server.listen(options.port ?? 0, host);
  // `once` rejects when "error" (e.g. EADDRINUSE) comes first.
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    ...controls,
    url: `${tls === undefined ? "http" : "https"}://${urlHost(host, port)}`,
    port,
    close: async () => {
      shutdown();
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
