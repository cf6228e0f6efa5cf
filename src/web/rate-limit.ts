/**
 * exporter-toolkit's `rate_limit`: one token bucket for the whole server (not per client), as
 * Go's `rate.NewLimiter(rate.Every(interval), burst)`. A request past the limit gets 429 before
 * authentication, so a flood costs neither a bcrypt comparison nor a render. Probes stay
 * reachable: `GET`/`HEAD /-/healthy` and `/-/ready` are never limited, because a kubelet that
 * reads 429 as a failure would restart or unready an exporter that is merely being scraped hard.
 */
import type { RequestHandler } from "express";
import type { RateLimit } from "./config.js";

/** Paths a rate limit never refuses (exact match). */
const EXEMPT_PATHS: ReadonlySet<string> = new Set(["/-/healthy", "/-/ready"]);

/** A token bucket: `burst` tokens, one more every `intervalMs`. */
export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /** @param now a monotonic clock in milliseconds (performance.now unless a test steps it) */
  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = limit;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#at = now();
  }

  /** Takes a token if there is one; otherwise returns the milliseconds until there is. */
  take(): { readonly allowed: true } | { readonly allowed: false; readonly waitMs: number } {
    const now = this.#now();
    const { intervalMs, burst } = this.#limit;
    this.#tokens = Math.min(burst, this.#tokens + (now - this.#at) / intervalMs);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, waitMs: (1 - this.#tokens) * intervalMs };
  }
}

/** Answers 429 (with `Retry-After` in whole seconds) to requests past `limit`. */
export function rateLimitMiddleware(limit: RateLimit, now?: () => number): RequestHandler {
  const bucket = new TokenBucket(limit, now);
  return (req, res, next) => {
    if ((req.method === "GET" || req.method === "HEAD") && EXEMPT_PATHS.has(req.path)) {
      next();
      return;
    }
    const taken = bucket.take();
    if (taken.allowed) {
      next();
      return;
    }
    res.setHeader("Retry-After", String(Math.max(1, Math.ceil(taken.waitMs / 1000))));
    res.status(429).type("text/plain").send("Too Many Requests");
  };
}
