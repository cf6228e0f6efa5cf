/**
 * The exporter's HTTP server: the Express app (routes, request log, web config middleware, 404,
 * one error middleware) and a listener, HTTP or HTTPS, whose close() drains in-flight requests
 * before it gives up on them.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import express from "express";
import type { ErrorRequestHandler, Express, RequestHandler } from "express";
import type { Logger } from "../log/logger.js";
import { http } from "../util/builtins.js";
import { watchCertificates } from "../web/cert-reloader.js";
import type { TlsServerSettings, WebConfig } from "../web/config.js";
import { webMiddleware } from "../web/middleware.js";
import {
  clientCertificateAllowed,
  clientSanAllowed,
  readTlsMaterial,
  tlsServerOptions,
} from "../web/tls.js";
import { compressLarge } from "./compress.js";
import { createRoutes, sendText } from "./routes.js";
import type { HttpDependencies } from "./routes.js";

export type { HttpDependencies } from "./routes.js";

/**
 * Builds the Express app. Every response carries `Cache-Control: no-store` (all of it is live
 * state), no ETag and no `X-Powered-By`; large pages and JSON go out gzipped to clients that
 * accept it (compress.ts; /metrics does its own). Each request is logged at debug level only. With `web`,
 * its headers are added and its Basic auth checked before any route (401s are logged too).
 */
export function createHttpApp(deps: HttpDependencies, web?: WebConfig): Express {
  const logger = deps.logger.child({ component: "http" });
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestLog(logger, deps.clock));
  app.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  for (const middleware of webMiddleware(web)) app.use(middleware);
  app.use(compressLarge());
  app.use(createRoutes(deps));
  app.use((_req, res) => {
    sendText(res, 404, "Not found");
  });
  app.use(errorHandler(logger));
  return app;
}

function requestLog(logger: Logger, clock: HttpDependencies["clock"]): RequestHandler {
  return (req, res, next) => {
    const started = clock.now();
    const { method, path } = req;
    // `close` fires for finished and for aborted responses alike; the query string is left out.
    res.once("close", () => {
      logger.debug(
        {
          method,
          path,
          status: res.statusCode,
          durationMs: clock.now() - started,
          completed: res.writableFinished,
        },
        "http request",
      );
    });
    next();
  };
}

/**
 * The one error middleware. Every error reaching it is our fault (routes answer client
 * mistakes themselves), so it is logged with `err` and answered with a short 500 that reveals
 * nothing about the cause.
 */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    logger.error({ err, method: req.method, path: req.path }, "request failed");
    if (res.headersSent) {
      // Too late for a status line: cut the response so the client sees it as incomplete.
      res.destroy();
      return;
    }
    sendText(res, 500, "Internal Server Error");
  };
}

/** A listening server. */
export interface RunningHttpServer {
  /** `http://127.0.0.1:9745` (`https://` with TLS); IPv6 addresses in brackets. */
  readonly url: string;
  /** The bound port (useful after listening on port 0). */
  readonly port: number;
  /**
   * Stops accepting connections and closes idle keep-alive sockets at once; in-flight requests
   * may finish for up to `graceMs` (default 5000), then remaining sockets are destroyed. Resolves
   * when every connection is gone. Idempotent: later calls return the same promise.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * An HTTPS server for `settings`: certificates re-read when their files change, and the client
 * certificate policies Node's handshake cannot enforce (including `client_allowed_sans`)
 * checked right after it.
 *
 * @throws the file system or OpenSSL error when the files cannot be read or used.
 */
function createTlsServer(app: Express, settings: TlsServerSettings, logger?: Logger): Server {
  const server = createHttpsServer(tlsServerOptions(settings, readTlsMaterial(settings)), app);
  watchCertificates(server, settings, logger);
  // Prepended: runs before the HTTP layer starts reading requests from the socket.
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    if (
      !clientCertificateAllowed(settings.clientAuthType, socket) ||
      !clientSanAllowed(settings.clientAllowedSans, socket)
    ) {
      socket.destroy();
    }
  });
  server.on("tlsClientError", (err) => {
    // A failed handshake is the client's problem (wrong CA, no certificate, old TLS version).
    logger?.debug({ err }, "TLS handshake failed");
  });
  return server;
}

/** Why a listen address could not be bound, in words, by the system error's code. */
const LISTEN_REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: "the address is already in use (another exporter or demo running?)",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "no network interface of this machine has that address",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name does not resolve (temporary DNS failure)",
};

/**
 * The HTTP server could not bind its address (busy port, no such interface, privileged port,
 * unknown host). `reason` is one line for people; the system error is the `cause`.
 */
export class ListenError extends Error {
  readonly code = "HTTP_LISTEN_FAILED";
  readonly reason: string;

  constructor(address: string, cause: unknown) {
    const systemCode = (cause as { code?: unknown }).code;
    const reason =
      (typeof systemCode === "string" ? LISTEN_REASONS[systemCode] : undefined) ??
      (cause instanceof Error ? cause.message : String(cause));
    super(`cannot listen on ${address}: ${reason}`, { cause });
    this.name = "ListenError";
    this.reason = reason;
  }
}

/**
 * Listens on `listen.host` (all interfaces when absent) and `listen.port` (0 picks a free port),
 * over HTTPS when `web` has `tls`. Rejects with {@link ListenError} when the address cannot be
 * bound (e.g. `EADDRINUSE`), with the file system or OpenSSL error when the TLS files cannot be used. Server-level errors after that (e.g. `EMFILE` on accept) are
 * logged to `logger` when given instead of crashing the process.
 */
export async function startHttpServer(
  app: Express,
  listen: { host?: string | undefined; port: number },
  logger?: Logger,
  web?: WebConfig,
): Promise<RunningHttpServer> {
  const tls = web?.tls;
  const server = tls === undefined ? http.createServer(app) : createTlsServer(app, tls, logger);
  const connections = trackConnections(server, tls !== undefined);

  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void => {
      const host = listen.host ?? "";
      reject(new ListenError(`${host.includes(":") ? `[${host}]` : host}:${listen.port}`, error));
    };
    server.once("error", failed);
    server.listen(listen.port, listen.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  server.on("error", (err) => {
    logger?.error({ err }, "HTTP server error");
  });
  if (web !== undefined) {
    // Counts and settings only: user names and hashes stay out of the log.
    logger?.info(
      {
        web_config_file: web.file,
        tls: tls !== undefined,
        ...(tls === undefined ? {} : { client_auth_type: tls.clientAuthType }),
        basic_auth_users: web.basicAuthUsers.size,
      },
      "web configuration applied",
    );
  }

  const address = server.address() as AddressInfo;
  // A wildcard bind (`:9745`) is reachable on loopback; show an address people can open.
  const wildcard = address.address === "::" || address.address === "0.0.0.0";
  const host = wildcard
    ? "localhost"
    : address.family === "IPv6"
      ? `[${address.address}]`
      : address.address;
  let closing: Promise<void> | undefined;

  return {
    url: `${tls === undefined ? "http" : "https"}://${host}:${address.port}`,
    port: address.port,
    close(graceMs = 5000) {
      closing ??= new Promise<void>((resolve) => {
        const deadline = setTimeout(() => {
          connections.destroyAll();
        }, graceMs);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        connections.drain();
      });
      return closing;
    },
  };
}

interface ConnectionTracker {
  /** Closes idle sockets now and every busy socket as soon as its last response is done. */
  drain(): void;
  destroyAll(): void;
}

/**
 * Keeps count of the requests in flight per socket, which Node's own closeIdleConnections()
 * leaves to us for sockets that become idle after close() started. Over TLS, requests arrive on
 * the socket of `secureConnection`; the raw sockets are kept too, so destroyAll() also ends
 * connections still in their handshake.
 */
function trackConnections(server: Server, secure: boolean): ConnectionTracker {
  const inFlight = new Map<Socket, Set<ServerResponse>>();
  const raw = new Set<Socket>();
  let draining = false;

  server.on(secure ? "secureConnection" : "connection", (socket: Socket) => {
    inFlight.set(socket, new Set());
    socket.once("close", () => inFlight.delete(socket));
  });
  if (secure) {
    server.on("connection", (socket: Socket) => {
      raw.add(socket);
      socket.once("close", () => raw.delete(socket));
    });
  }

  // Prepended so it runs before the app can answer synchronously.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const responses = inFlight.get(socket);
    if (responses === undefined) return;
    responses.add(res);
    if (draining) res.setHeader("Connection", "close");
    res.once("close", () => {
      responses.delete(res);
      if (draining && responses.size === 0) socket.end();
    });
  });

  return {
    drain() {
      draining = true;
      for (const [socket, responses] of inFlight) {
        if (responses.size === 0) {
          socket.destroy();
          continue;
        }
        // Not yet answered: ask Node to close the socket after this response.
        for (const res of responses) if (!res.headersSent) res.setHeader("Connection", "close");
      }
    },
    destroyAll() {
      for (const socket of inFlight.keys()) socket.destroy();
      for (const socket of raw) socket.destroy();
    },
  };
}
