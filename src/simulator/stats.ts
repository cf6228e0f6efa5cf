/**
 * Accounting of what clients did to the simulator, so tests can prove the exporter's manners:
 * requests per path, status and endpoint kind, logins per account, in-flight and peak
 * concurrency per credential, session lifecycle and faults served. `/_sim/*` calls are not
 * counted.
 */
import type { SessionEvent } from "./sessions.js";

/** Requests to one path. */
export interface PathStats {
  total: number;
  /** Keyed by HTTP status code as a string. */
  byStatus: Record<string, number>;
}

/** A plain, serialisable copy of the counters (what `GET /_sim/stats` returns). */
export interface SimulatorStats {
  requests: {
    total: number;
    byPath: Record<string, PathStats>;
    byStatus: Record<string, number>;
    /** `login`, `logout`, `state`, `alarmed`, …, `metrica-lists`, `other`. */
    byEndpoint: Record<string, number>;
    /** Per target (`ry/example`), requests by endpoint kind: request budgets per target. */
    byTarget: Record<string, Record<string, number>>;
    /** By `User-Agent` header (`(none)` without one): every client must say who it is. */
    byUserAgent: Record<string, number>;
  };
  /** Per attempted username (`(none)` without Basic credentials). */
  logins: Record<string, { ok: number; failed: number }>;
  concurrency: {
    /** Requests in flight per credential: account username, certificate CN or `(anonymous)`. */
    current: Record<string, number>;
    /** Highest in-flight count seen per credential since the last reset. */
    peak: Record<string, number>;
    /** Highest in-flight count over all credentials together. */
    peakTotal: number;
  };
  sessions: { active: number; created: number; evicted: number; expired: number; closed: number };
  /** Faults served, by kind. */
  faults: Record<string, number>;
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function emptyRequests(): SimulatorStats["requests"] {
  return { total: 0, byPath: {}, byStatus: {}, byEndpoint: {}, byTarget: {}, byUserAgent: {} };
}

/** Mutable counters behind `SimulatorStats`. */
export class StatsRecorder {
  #requests: SimulatorStats["requests"] = emptyRequests();
  #logins: SimulatorStats["logins"] = {};
  #current: Record<string, number> = {};
  #peak: Record<string, number> = {};
  #inFlight = 0;
  #peakTotal = 0;
  #sessions = { created: 0, evicted: 0, expired: 0, closed: 0 };
  #faults: Record<string, number> = {};

  /** Marks a request of `credential` in flight; call the returned function once it ends. */
  begin(credential: string): () => void {
    bump(this.#current, credential);
    this.#inFlight += 1;
    this.#peak[credential] = Math.max(this.#peak[credential] ?? 0, this.#current[credential] ?? 0);
    this.#peakTotal = Math.max(this.#peakTotal, this.#inFlight);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      bump(this.#current, credential, -1);
      this.#inFlight -= 1;
    };
  }

  /**
   * Counts a finished request; `targetKey` when the path names a target (`ry/example`),
   * `userAgent` its header (cut to 200 characters).
   */
  request(
    path: string,
    endpoint: string,
    status: number,
    targetKey?: string,
    userAgent?: string,
  ): void {
    bump(this.#requests.byUserAgent, userAgent?.slice(0, 200) ?? "(none)");
    const code = String(status);
    const perPath = (this.#requests.byPath[path] ??= { total: 0, byStatus: {} });
    perPath.total += 1;
    bump(perPath.byStatus, code);
    this.#requests.total += 1;
    bump(this.#requests.byStatus, code);
    bump(this.#requests.byEndpoint, endpoint);
    if (targetKey !== undefined) bump((this.#requests.byTarget[targetKey] ??= {}), endpoint);
  }

  /** Counts a login attempt. */
  login(username: string, ok: boolean): void {
    const entry = (this.#logins[username] ??= { ok: 0, failed: 0 });
    if (ok) entry.ok += 1;
    else entry.failed += 1;
  }

  /** Counts a session lifecycle event. */
  session(event: SessionEvent): void {
    this.#sessions[event] += 1;
  }

  /** Counts a fault served. */
  fault(kind: string): void {
    bump(this.#faults, kind);
  }

  /** Zeroes every counter; peaks restart from what is in flight now. */
  reset(): void {
    this.#requests = emptyRequests();
    this.#logins = {};
    this.#peak = { ...this.#current };
    this.#peakTotal = this.#inFlight;
    this.#sessions = { created: 0, evicted: 0, expired: 0, closed: 0 };
    this.#faults = {};
  }

  /**
   * A copy of the per-target request counts only: what a poll for "has every target been
   * answered" needs. {@link snapshot} copies `byPath` too, one entry per distinct path, which
   * grows with every recent measurement and trace file ever asked for.
   */
  requestsByTarget(): SimulatorStats["requests"]["byTarget"] {
    return structuredClone(this.#requests.byTarget);
  }

  /** A deep copy of the counters. */
  snapshot(activeSessions: number): SimulatorStats {
    return structuredClone({
      requests: this.#requests,
      logins: this.#logins,
      concurrency: { current: this.#current, peak: this.#peak, peakTotal: this.#peakTotal },
      sessions: { active: activeSessions, ...this.#sessions },
      faults: this.#faults,
    });
  }
}
