/**
 * The exporter's endpoints (README.md, "How it works"). Routes depend only on {@link HttpDependencies}, so
 * tests can drive them with plain functions. Async handlers reject into the one error
 * middleware in server.ts (Express 5 forwards rejections).
 */
import { Router } from "express";
import type { Response } from "express";
import type { Snapshot } from "../snapshot/snapshot.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../log/logger.js";
import { parseBoardFilter } from "./board.js";
import { acceptsGzip } from "./encoding.js";
import { renderLandingPage } from "./landing.js";
import type { PageFrame, RunInfo } from "./layout.js";
import { statusJson } from "./status-json.js";
import { renderTargetNotFoundPage, renderTargetPage } from "./target-page.js";

/** What the HTTP layer needs from the rest of the exporter. */
export interface HttpDependencies {
  /**
   * The /metrics body: text, or UTF-8 chunks sent in order without copying them (a large body
   * can then be encoded once and reused). May throw: then 500 with a short text body and the
   * error logged.
   */
  renderMetrics(): Promise<string | readonly Uint8Array[]>;
  /**
   * Called with the chunks {@link renderMetrics} returned once nothing reads them any more:
   * the response was handed to the kernel, or its connection closed first. Not called when
   * the connection closed while the body was being rendered: the chunks are then left to V8.
   */
  metricsSent?: (chunks: readonly Uint8Array[]) => void;
  /**
   * The same body gzipped (a gzip file of one or more members), for requests that accept gzip;
   * when absent, /metrics is always sent as identity.
   */
  renderMetricsGzip?: () => Promise<readonly Uint8Array[]>;
  /** Exact Content-Type for /metrics: "text/plain; version=0.0.4; charset=utf-8". */
  metricsContentType: string;
  isReady(): boolean;
  snapshot(): Snapshot;
  /**
   * POST /-/reload; when absent the route answers 501 "reload not supported". Resolves on
   * success; rejects with an Error whose message is shown (400 for ConfigError-like errors
   * carrying code "CONFIG_INVALID" or "CONFIG_UNREADABLE", else 500).
   */
  reload?: () => Promise<void>;
  info: RunInfo;
  clock: Pick<Clock, "now">;
  logger: Logger;
}

/** Sends a short `text/plain` body. */
export function sendText(res: Response, status: number, body: string): void {
  res.status(status).type("text/plain").send(body);
}

/**
 * Builds the router with every endpoint. GET
 * routes answer HEAD too (Express does that for GET handlers). Unknown paths fall through to the
 * caller's 404 handler.
 */
export function createRoutes(deps: HttpDependencies): Router {
  const router = Router();

  router.get("/metrics", async (req, res) => {
    // The answer depends on Accept-Encoding whether or not this request asked for gzip.
    res.setHeader("Vary", "Accept-Encoding");
    const renderGzip = acceptsGzip(req.headers["accept-encoding"])
      ? deps.renderMetricsGzip
      : undefined;
    let chunks: readonly Uint8Array[];
    if (renderGzip !== undefined) {
      chunks = await renderGzip();
      res.setHeader("Content-Encoding", "gzip");
    } else {
      const body = await deps.renderMetrics();
      if (typeof body === "string") {
        chunks = [Buffer.from(body, "utf8")];
      } else {
        chunks = body;
        // 'close' comes after 'finish' (every chunk handed to the kernel) or once the
        // connection is gone: either way the chunks are read no more.
        res.once("close", () => deps.metricsSent?.(body));
      }
    }
    // res.send() would rewrite the Content-Type (it re-orders parameters when adding a
    // charset); Prometheus clients expect the header exactly as given.
    res.status(200);
    res.setHeader("Content-Type", deps.metricsContentType);
    res.setHeader(
      "Content-Length",
      chunks.reduce((length, chunk) => length + chunk.byteLength, 0),
    );
    // Corked, the chunks (hundreds at a large fleet) leave in one writev, not a write each.
    res.cork();
    for (const chunk of chunks) res.write(chunk);
    res.uncork();
    res.end();
  });

  router.get("/-/healthy", (_req, res) => {
    sendText(res, 200, "OK");
  });

  router.get("/-/ready", (_req, res) => {
    if (deps.isReady()) {
      sendText(res, 200, "Ready");
      return;
    }
    const waiting = deps.snapshot().targets.filter((t) => !t.stateAttempted).length;
    sendText(res, 503, `Not ready: waiting for the first state refresh of ${waiting} target(s)`);
  });

  router.post("/-/reload", async (_req, res) => {
    if (deps.reload === undefined) {
      sendText(res, 501, "reload not supported");
      return;
    }
    try {
      await deps.reload();
    } catch (err: unknown) {
      // Logged where the reload runs, the same line as for SIGHUP; the body says why.
      const message = err instanceof Error ? err.message : "unknown error";
      sendText(res, isConfigInvalid(err) ? 400 : 500, `Reload failed: ${message}`);
      return;
    }
    sendText(res, 200, "Reloaded");
  });

  router.all("/-/reload", (_req, res) => {
    res.setHeader("Allow", "POST");
    sendText(res, 405, "Method not allowed: use POST");
  });

  const frame = (): PageFrame => ({
    info: deps.info,
    now: deps.clock.now(),
    ready: deps.isReady(),
  });

  router.get("/", (req, res) => {
    const { show, q } = req.query as Record<string, unknown>;
    sendHtml(
      res,
      200,
      renderLandingPage({
        ...frame(),
        snapshot: deps.snapshot(),
        filter: parseBoardFilter(show),
        query: typeof q === "string" ? q : "",
      }),
    );
  });

  router.get("/targets/:entity/:id", (req, res) => {
    const { entity, id } = req.params;
    const target = deps
      .snapshot()
      .targets.find((t) => t.target.entity === entity && t.target.id === id);
    if (target === undefined) {
      sendHtml(res, 404, renderTargetNotFoundPage(frame(), `${entity}/${id}`));
      return;
    }
    sendHtml(res, 200, renderTargetPage({ ...frame(), target }));
  });

  router.get("/api/v1/status", (_req, res) => {
    // Live state: never cached, whatever the server-wide defaults are.
    res.setHeader("Cache-Control", "no-store");
    res.status(200).json(statusJson(deps.snapshot(), frame()));
  });

  return router;
}

/** Sends an HTML page with a CSP that allows nothing but inline style. */
function sendHtml(res: Response, status: number, page: string): void {
  // Defence in depth behind the escaping: the pages need no script, image or frame.
  res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  res.status(status).type("html").send(page);
}

/**
 * A ConfigError (or anything shaped like one) means the user's file is wrong or unreadable
 * (e.g. deleted, or a secret file without permission): a 400, not our fault.
 */
function isConfigInvalid(err: unknown): boolean {
  return (
    err instanceof Error &&
    "code" in err &&
    (err.code === "CONFIG_INVALID" || err.code === "CONFIG_UNREADABLE")
  );
}
