/**
 * MoSAPI sessions: the `id` cookie handed out by `/login` (a 160-bit random number in hex),
 * bound to the account and to the target whose login URL created it. Sessions expire a fixed
 * time after login (use does not extend them), and each account may hold only a few at once: a
 * new login evicts the oldest (docs/mosapi.md#authentication, #sessions-and-limits, as
 * third-party clients describe production). The login's cookie states that lifetime with
 * `Expires` and `Max-Age`, as a server whose sessions end at a fixed time would; that production
 * does so is inferred, not confirmed, so `lifetimeInCookie: false` serves a cookie without them.
 */
import { crypto } from "../util/builtins.js";

/** One open session. */
export interface Session {
  readonly id: string;
  readonly username: string;
  /** `ry/example`: the target whose login created it. */
  readonly targetKey: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

/** Lifecycle events, for accounting. */
export type SessionEvent = "created" | "evicted" | "expired" | "closed";

/** Construction parameters of a `SessionStore`. */
export interface SessionStoreOptions {
  /** Simulated time in Unix milliseconds. */
  readonly now: () => number;
  readonly ttlMs: number;
  readonly maxPerAccount: number;
  /** Whether the login's cookie states the session's lifetime; default true. */
  readonly lifetimeInCookie?: boolean;
  readonly onEvent: (event: SessionEvent) => void;
}

/** The simulator's session table. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #options: SessionStoreOptions;

  /** @throws RangeError when the TTL or the per-account limit is not positive */
  constructor(options: SessionStoreOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError("sessionTtlMs must be > 0");
    if (!(options.maxPerAccount >= 1)) throw new RangeError("maxSessionsPerAccount must be ≥ 1");
    this.#options = options;
  }

  /** Opens a session, evicting the account's oldest ones beyond the limit. */
  create(username: string, targetKey: string): Session {
    this.#sweep();
    const now = this.#options.now();
    // Map iteration follows insertion order, so the first sessions found are the oldest.
    const mine = [...this.#sessions.values()].filter((s) => s.username === username);
    for (const old of mine.slice(0, Math.max(0, mine.length - this.#options.maxPerAccount + 1))) {
      this.#remove(old.id, "evicted");
    }
    const session: Session = {
      id: crypto.randomBytes(20).toString("hex"),
      username,
      targetKey,
      createdAtMs: now,
      expiresAtMs: now + this.#options.ttlMs,
    };
    this.#sessions.set(session.id, session);
    this.#options.onEvent("created");
    return session;
  }

  /**
   * The `Set-Cookie` attributes stating when `session` ends (`Expires=…; Max-Age=…`, RFC 6265),
   * or "" when the store does not state lifetimes. `Expires` is in simulated time: the answer's
   * `Date` must be too.
   */
  lifetimeAttributes(session: Session): string {
    if (this.#options.lifetimeInCookie === false) return "";
    const seconds = Math.floor((session.expiresAtMs - session.createdAtMs) / 1000);
    return `Expires=${new Date(session.expiresAtMs).toUTCString()}; Max-Age=${seconds}`;
  }

  /** The live session with this cookie value, or undefined (unknown, evicted or expired). */
  lookup(id: string): Session | undefined {
    this.#sweep();
    return this.#sessions.get(id);
  }

  /** Closes a session (logout); false when it was not open. */
  close(id: string): boolean {
    return this.#sessions.has(id) && this.#remove(id, "closed");
  }

  /** Evicts every session (or those of one target); returns how many. */
  evict(targetKey?: string): number {
    let count = 0;
    for (const session of [...this.#sessions.values()]) {
      if (targetKey === undefined || session.targetKey === targetKey) {
        this.#remove(session.id, "evicted");
        count += 1;
      }
    }
    return count;
  }

  /** Number of live sessions. */
  active(): number {
    this.#sweep();
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.#options.now();
    for (const session of [...this.#sessions.values()]) {
      if (session.expiresAtMs <= now) this.#remove(session.id, "expired");
    }
  }

  #remove(id: string, event: SessionEvent): true {
    this.#sessions.delete(id);
    this.#options.onEvent(event);
    return true;
  }
}
