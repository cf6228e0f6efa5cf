/**
 * The MoSAPI endpoints: unversioned login/logout with the `id` cookie, and the versioned
 * resources of `endpoints.ts` behind session-cookie or client-certificate authentication
 * (docs/mosapi.md#authentication, #endpoints, #http-status-codes-and-error-bodies).
 */
import { Router, type Request, type Response } from "express";
import { errorBody } from "./answers.js";
import {
  authorizedAccount,
  basicCredentials,
  certificateAuthorized,
  sessionCookie,
  verifiedClientName,
} from "./auth.js";
import { matchResource, parseMosapiPath, parseVersion, type MosapiPath } from "./endpoints.js";
import type { ScenarioTarget } from "./scenario.js";
import type { SessionStore } from "./sessions.js";
import type { StatsRecorder } from "./stats.js";
import type { SimulatedWorld } from "./world.js";

/** What the MoSAPI routes read and change. */
export interface MosapiRouteDependencies {
  readonly world: SimulatedWorld;
  readonly sessions: SessionStore;
  readonly stats: StatsRecorder;
}

const NO_SESSION =
  "Authentication required: use TLS-Client-Authentication or Session Cookie " +
  "(HTTP Basic authentication is only accepted by the login endpoint)";

/** `Path=/ry/example`: the cookie belongs to the target whose login set it. */
function cookieScope(path: MosapiPath): string {
  return `Path=/${path.entity}/${encodeURIComponent(path.id)}; Secure; HttpOnly`;
}

/** A JSON error body in MoSAPI's `{resultCode, message, description}` shape. */
export function sendError(res: Response, status: number, message: string, description: string) {
  res.status(status).json(errorBody(String(status), message, description));
}

/** The first value of every query parameter (later repeats are ignored). */
function queryOf(req: Request): Record<string, string> {
  // No prototype: a parameter named `__proto__` is just a name.
  const query = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URL(req.originalUrl, "http://simulator.invalid").searchParams) {
    if (!Object.hasOwn(query, name)) query[name] = value;
  }
  return query;
}

/** The parsed path and scenario target, or undefined after answering 404. */
function resolveTarget(
  deps: MosapiRouteDependencies,
  req: Request,
  res: Response,
): { path: MosapiPath; target: ScenarioTarget } | undefined {
  const path = parseMosapiPath(req.path);
  const target = path && deps.world.findTarget(path.entity, path.id);
  if (path === undefined || target === undefined) {
    sendError(res, 404, "Not Found", "No such TLD or registrar.");
    return undefined;
  }
  return { path, target };
}

/** The router serving every MoSAPI path. */
export function mosapiRouter(deps: MosapiRouteDependencies): Router {
  const router = Router();

  router.get("/:entity/:id/login", (req, res) => {
    const resolved = resolveTarget(deps, req, res);
    if (resolved === undefined) return;
    const credentials = basicCredentials(req.headers.authorization);
    const username = authorizedAccount(deps.world.scenario, credentials, resolved.path.targetKey);
    deps.stats.login(credentials?.username ?? "(none)", username !== undefined);
    if (username === undefined) {
      res.status(401).set("WWW-Authenticate", 'Basic realm="MoSAPI"').type("text/plain");
      res.send("Invalid User and/or Password");
      return;
    }
    const session = deps.sessions.create(username, resolved.path.targetKey);
    const lifetime = deps.sessions.lifetimeAttributes(session);
    res
      // In simulated time, like the cookie's Expires, which counts from it.
      .set("Date", new Date(session.createdAtMs).toUTCString())
      .set(
        "Set-Cookie",
        `id=${session.id}; ${lifetime === "" ? "" : `${lifetime}; `}${cookieScope(resolved.path)}`,
      )
      .end();
  });

  router.get("/:entity/:id/logout", (req, res) => {
    const resolved = resolveTarget(deps, req, res);
    if (resolved === undefined) return;
    const id = sessionCookie(req.headers.cookie);
    const session = id === undefined ? undefined : deps.sessions.lookup(id);
    if (session?.targetKey !== resolved.path.targetKey) {
      res.status(401).type("text/plain").send(NO_SESSION);
      return;
    }
    deps.sessions.close(session.id);
    res
      .set(
        "Set-Cookie",
        `id=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${cookieScope(resolved.path)}`,
      )
      .end();
  });

  router.get("/:entity/:id/:version/*rest", (req, res) => {
    const resolved = resolveTarget(deps, req, res);
    if (resolved === undefined) return;
    const { path, target } = resolved;
    const scenario = deps.world.scenario;
    const commonName = verifiedClientName(req);
    const id = sessionCookie(req.headers.cookie);
    const byCertificate =
      commonName !== undefined && certificateAuthorized(scenario, commonName, path.targetKey);
    const bySession = id !== undefined && deps.sessions.lookup(id)?.targetKey === path.targetKey;
    if (!byCertificate && !bySession) {
      const reason =
        commonName === undefined
          ? NO_SESSION
          : `Client certificate ${commonName} is not authorized for ${path.targetKey}`;
      res.status(401).type("text/plain").send(reason);
      return;
    }
    const [versionSegment, ...resourcePath] = path.rest;
    const version = parseVersion(versionSegment);
    const matched = matchResource(resourcePath);
    if (version === undefined || !matched?.resource.versions.includes(version)) {
      sendError(res, 404, "Not Found", "No such resource.");
      return;
    }
    const answer = matched.resource.respond({
      target,
      version,
      epoch: deps.world.epoch,
      now: deps.world.nowSeconds(),
      params: matched.params,
      query: queryOf(req),
    });
    if (answer.headers !== undefined) res.set(answer.headers);
    if (answer.raw !== undefined) res.status(answer.status).send(answer.raw);
    else res.status(answer.status).json(answer.body);
  });

  return router;
}
