/**
 * Express middleware from the web config: the extra response headers, the rate limit (see
 * rate-limit.ts), then Basic auth on every path except the liveness probe. exporter-toolkit
 * protects every path; we exempt `GET /-/healthy` on purpose, because kubelet probes cannot
 * send credentials and the answer ("OK") reveals nothing.
 */
import type { RequestHandler } from "express";
import { BasicAuthVerifier, parseBasicAuthorization } from "./basic-auth.js";
import type { WebConfig } from "./config.js";
import { rateLimitMiddleware } from "./rate-limit.js";

/** The realm in our `WWW-Authenticate` challenge. */
export const AUTH_REALM = "mosapi-exporter";

/** Paths answered without credentials. Exact match: `/-/healthy/` or `/-/HEALTHY` still need them. */
const OPEN_PATHS: ReadonlySet<string> = new Set(["/-/healthy"]);

function headersMiddleware(headers: Readonly<Record<string, string>>): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}

/**
 * Answers 401 with a Basic challenge unless the request carries a valid user and password, and
 * 503 with `Retry-After: 1` at once when it would need a bcrypt comparison while
 * `MAX_COMPARISONS_IN_FLIGHT` (basic-auth.ts) are running (a cached login never does).
 * `GET`/`HEAD /-/healthy` pass without credentials.
 *
 * @param verifier the checker (tests pass one to watch it); default one on worker threads
 */
export function basicAuthMiddleware(
  users: ReadonlyMap<string, string>,
  verifier: BasicAuthVerifier = new BasicAuthVerifier(users),
): RequestHandler {
  return async (req, res, next) => {
    if ((req.method === "GET" || req.method === "HEAD") && OPEN_PATHS.has(req.path)) {
      next();
      return;
    }
    const credentials = parseBasicAuthorization(req.headers.authorization);
    const verdict =
      credentials === undefined
        ? "rejected"
        : await verifier.verify(credentials.user, credentials.password);
    if (verdict === "accepted") {
      next();
      return;
    }
    if (verdict === "busy") {
      res.setHeader("Retry-After", "1");
      res.status(503).type("text/plain").send("Service Unavailable: too many logins at once");
      return;
    }
    res.setHeader("WWW-Authenticate", `Basic realm="${AUTH_REALM}"`);
    res.status(401).type("text/plain").send("Unauthorized");
  };
}

/** The middleware `web` asks for, in order; empty when it asks for none. */
export function webMiddleware(web: WebConfig | undefined): RequestHandler[] {
  if (web === undefined) return [];
  return [
    ...(Object.keys(web.headers).length === 0 ? [] : [headersMiddleware(web.headers)]),
    ...(web.rateLimit === undefined ? [] : [rateLimitMiddleware(web.rateLimit)]),
    ...(web.basicAuthUsers.size === 0 ? [] : [basicAuthMiddleware(web.basicAuthUsers)]),
  ];
}
