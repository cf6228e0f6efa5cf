/**
 * HTTP Basic authentication against bcrypt hashes (`basic_auth_users`), as exporter-toolkit
 * does it: an unknown user costs the same bcrypt comparison as a known one, so response time
 * does not reveal which user names exist; successful checks are cached (keyed by a SHA-256 of
 * user, hash and password) so a scrape every few seconds does not pay bcrypt's cost each time.
 *
 * Unlike exporter-toolkit (one comparison at a time, the others waiting), comparisons run on
 * worker threads (bcrypt-pool.ts) and at most {@link MAX_COMPARISONS_IN_FLIGHT} at once: past
 * that a request is refused at once instead of queueing, so a flood of wrong passwords can
 * neither block the event loop nor build a queue in front of a legitimate first login.
 */
import { crypto } from "../util/builtins.js";
import bcrypt from "bcryptjs";
import { BcryptPool } from "./bcrypt-pool.js";

/** Cached successful logins; few users scrape us, so a small bound is plenty. */
const CACHE_SIZE = 100;

/**
 * bcrypt comparisons running or waiting for a worker at any time: two per worker of a
 * two-thread pool, each about 70 ms at cost 10, so an admitted one waits at most one other.
 */
export const MAX_COMPARISONS_IN_FLIGHT = 4;

/** bcrypt's comparison: whether `password` hashes to `hash`. */
export type BcryptCompare = (password: string, hash: string) => Promise<boolean>;

/** The outcome of a check: `busy` when no comparison could be started (answer 503 at once). */
export type Verdict = "accepted" | "rejected" | "busy";

/** Checks user name and password pairs against `basic_auth_users`. */
export class BasicAuthVerifier {
  readonly #users: ReadonlyMap<string, string>;
  readonly #decoy: string;
  readonly #compare: BcryptCompare;
  readonly #pool: BcryptPool | undefined;
  readonly #maxInFlight: number;
  readonly #cache = new Set<string>();
  #inFlight = 0;

  /**
   * @param users user name → bcrypt hash; must not be empty.
   * @param compare bcrypt's comparison; default: a {@link BcryptPool} of worker threads.
   * @param maxInFlight comparisons allowed at once ({@link MAX_COMPARISONS_IN_FLIGHT}).
   * @throws RangeError when `users` is empty.
   */
  constructor(
    users: ReadonlyMap<string, string>,
    compare?: BcryptCompare,
    maxInFlight: number = MAX_COMPARISONS_IN_FLIGHT,
  ) {
    const hashes = [...users.values()];
    if (hashes.length === 0) throw new RangeError("basic auth needs at least one user");
    this.#users = users;
    const pool = compare === undefined ? new BcryptPool() : undefined;
    this.#pool = pool;
    this.#compare =
      compare ?? ((password, hash) => pool?.compare(password, hash) ?? Promise.resolve(false));
    this.#maxInFlight = maxInFlight;
    // For unknown users, compare against a real hash of the highest configured cost: the time
    // taken is then that of a real user, whatever costs the hashes have.
    this.#decoy = hashes.reduce((a, b) => (bcrypt.getRounds(b) > bcrypt.getRounds(a) ? b : a));
  }

  /** Comparisons running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Whether `password` is `user`'s password: `accepted` from the cache or after a comparison,
   * `rejected` after one (unknown users included), `busy` without one when
   * {@link MAX_COMPARISONS_IN_FLIGHT} are already running. Never throws.
   */
  async verify(user: string, password: string): Promise<Verdict> {
    const hash = this.#users.get(user);
    const key = crypto
      .createHash("sha256")
      .update(JSON.stringify([user, hash ?? "", password]))
      .digest("hex");
    if (hash !== undefined && this.#cache.has(key)) return "accepted";
    if (this.#inFlight >= this.#maxInFlight) return "busy";
    this.#inFlight += 1;
    let matches: boolean;
    try {
      matches = await this.#compare(password, hash ?? this.#decoy);
    } catch {
      matches = false;
    } finally {
      this.#inFlight -= 1;
    }
    if (hash === undefined || !matches) return "rejected";
    if (this.#cache.size >= CACHE_SIZE) {
      const oldest = this.#cache.values().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.add(key);
    return "accepted";
  }

  /** Stops the worker threads of the default comparison, if any. */
  close(): Promise<void> {
    return this.#pool?.close() ?? Promise.resolve();
  }
}

/** User and password from an `Authorization: Basic …` header, or undefined when malformed. */
export function parseBasicAuthorization(
  header: string | undefined,
): { user: string; password: string } | undefined {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header ?? "");
  const encoded = match?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
