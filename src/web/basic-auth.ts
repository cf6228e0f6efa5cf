/**
 * HTTP Basic authentication against bcrypt hashes (`basic_auth_users`), as exporter-toolkit
 * does it: an unknown user costs the same bcrypt comparison as a known one, so response time
 * does not reveal which user names exist; successful checks are cached (keyed by a SHA-256 of
 * user, hash and password) so a scrape every few seconds does not pay bcrypt's cost each time.
 */
import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";

/** Cached successful logins; few users scrape us, so a small bound is plenty. */
const CACHE_SIZE = 100;

/** bcrypt's comparison: whether `password` hashes to `hash`. */
export type BcryptCompare = (password: string, hash: string) => Promise<boolean>;

/** Checks user name and password pairs against `basic_auth_users`. */
export class BasicAuthVerifier {
  readonly #users: ReadonlyMap<string, string>;
  readonly #decoy: string;
  readonly #compare: BcryptCompare;
  readonly #cache = new Set<string>();

  /**
   * @param users user name → bcrypt hash; must not be empty.
   * @param compare bcryptjs's `compare` unless a test counts the calls.
   * @throws RangeError when `users` is empty.
   */
  constructor(users: ReadonlyMap<string, string>, compare: BcryptCompare = bcrypt.compare) {
    const hashes = [...users.values()];
    if (hashes.length === 0) throw new RangeError("basic auth needs at least one user");
    this.#users = users;
    this.#compare = compare;
    // For unknown users, compare against a real hash of the highest configured cost: the time
    // taken is then that of a real user, whatever costs the hashes have.
    this.#decoy = hashes.reduce((a, b) => (bcrypt.getRounds(b) > bcrypt.getRounds(a) ? b : a));
  }

  /** @returns whether `password` is `user`'s password. Never throws. */
  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.#users.get(user);
    const key = createHash("sha256")
      .update(JSON.stringify([user, hash ?? "", password]))
      .digest("hex");
    if (hash !== undefined && this.#cache.has(key)) return true;
    let matches: boolean;
    try {
      matches = await this.#compare(password, hash ?? this.#decoy);
    } catch {
      matches = false;
    }
    if (hash === undefined || !matches) return false;
    if (this.#cache.size >= CACHE_SIZE) {
      const oldest = this.#cache.values().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.add(key);
    return true;
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
