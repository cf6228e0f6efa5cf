/**
 * Express middleware from the web config: the extra response headers, then Basic auth on every
 * path except the liveness probe. exporter-toolkit protects every path; we exempt
 * `GET /-/healthy` on purpose, because kubelet probes cannot send credentials and the answer
 * ("OK") reveals nothing.
 */
import type { RequestHandler } from "express";
import { BasicAuthVerifier, parseBasicAuthorization } from "./basic-auth.js";
import type { WebConfig } from "./config.js";

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
 * Answers 401 with a Basic challenge unless the request carries a valid user and password.
 * `GET`/`HEAD /-/healthy` pass without credentials.
 */
export function basicAuthMiddleware(users: ReadonlyMap<string, string>): RequestHandler {
  const verifier = new BasicAuthVerifier(users);
  return async (req, res, next) => {
    if ((req.method === "GET" || req.method === "HEAD") && OPEN_PATHS.has(req.path)) {
      next();
      return;
    }
    const credentials = parseBasicAuthorization(req.headers.authorization);
    if (
      credentials !== undefined &&
      (await verifier.verify(credentials.user, credentials.password))
    ) {
      next();
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
    ...(web.basicAuthUsers.size === 0 ? [] : [basicAuthMiddleware(web.basicAuthUsers)]),
  ];
}
