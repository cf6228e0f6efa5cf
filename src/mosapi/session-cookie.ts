/**
 * The lifetime of a MoSAPI session, read from the `Set-Cookie` line of its `id` cookie the way
 * RFC 6265 §5.2 reads `Max-Age` and `Expires` (docs/mosapi.md#sessions-and-limits): `Max-Age`
 * wins over `Expires`; an attribute that does not parse is ignored, as a browser ignores it.
 * `Expires` is read against the answer's `Date` header when there is one, so a skewed clock on
 * either side does not shift the lifetime. Nothing here throws or logs: the header holds the
 * session cookie, a secret.
 */

/** RFC 6265 §5.1.1 delimiters: everything but digits, letters, `:` and control characters. */
const DELIMITERS = /[\t\x20-\x2F\x3B-\x40\x5B-\x60\x7B-\x7E]+/;
const TIME = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)/;
const DAY_OF_MONTH = /^(\d{1,2})(?:\D|$)/;
const YEAR = /^(\d{2,4})(?:\D|$)/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * Parses a cookie date (RFC 6265 §5.1.1, which also reads every HTTP-date format of RFC 9110)
 * into Unix milliseconds, or undefined when it is not one.
 */
export function parseCookieDate(text: string): number | undefined {
  let time: [number, number, number] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  for (const token of text.split(DELIMITERS)) {
    if (token === "") continue;
    const hms = time === undefined ? TIME.exec(token) : null;
    if (hms !== null) {
      time = [Number(hms[1]), Number(hms[2]), Number(hms[3])];
      continue;
    }
    const dayMatch = day === undefined ? DAY_OF_MONTH.exec(token) : null;
    if (dayMatch !== null) {
      day = Number(dayMatch[1]);
      continue;
    }
    const monthIndex = month === undefined ? MONTHS.indexOf(token.slice(0, 3).toLowerCase()) : -1;
    if (monthIndex >= 0) {
      month = monthIndex;
      continue;
    }
    const yearMatch = year === undefined ? YEAR.exec(token) : null;
    if (yearMatch !== null) year = Number(yearMatch[1]);
  }
  if (time === undefined || day === undefined || month === undefined || year === undefined) {
    return undefined;
  }
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [hours, minutes, seconds] = time;
  if (day < 1 || day > 31 || year < 1601 || hours > 23 || minutes > 59 || seconds > 59) {
    return undefined;
  }
  const ms = Date.UTC(year, month, day, hours, minutes, seconds);
  // 31 April and the like roll over into the next month: not a date.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/** RFC 6265 §5.2.2: an optional `-`, then digits only; anything else is ignored. */
function parseMaxAge(value: string): number | undefined {
  if (!/^-?\d+$/.test(value)) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}

/** What a `Set-Cookie` line says about how long its cookie lives. */
export interface CookieLifetime {
  /** The last valid `Max-Age`, in seconds. */
  readonly maxAgeSeconds?: number;
  /** The last valid `Expires`, in Unix milliseconds. */
  readonly expiresMs?: number;
}

/** The `Max-Age` and `Expires` attributes of one `Set-Cookie` line (RFC 6265 §5.2). */
export function cookieLifetime(line: string): CookieLifetime {
  let maxAgeSeconds: number | undefined;
  let expiresMs: number | undefined;
  for (const attribute of line.split(";").slice(1)) {
    const eq = attribute.indexOf("=");
    const name = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? "" : attribute.slice(eq + 1).trim();
    if (name === "max-age") maxAgeSeconds = parseMaxAge(value) ?? maxAgeSeconds;
    else if (name === "expires") expiresMs = parseCookieDate(value) ?? expiresMs;
  }
  return {
    ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
    ...(expiresMs === undefined ? {} : { expiresMs }),
  };
}

/** The value of a `Set-Cookie` line's cookie when it is named `name` (quotes removed). */
function cookieValue(line: string, name: string): string | undefined {
  const pair = line.split(";", 1)[0] ?? "";
  const eq = pair.indexOf("=");
  if (eq < 0 || pair.slice(0, eq).trim() !== name) return undefined;
  const value = pair.slice(eq + 1).trim();
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}

/**
 * How long the session of `id` cookie `cookie` lives from the moment the answer was made, in
 * milliseconds, as its `Set-Cookie` line says; undefined when the line gives no usable lifetime
 * (none, unparseable, or not in the future: a login that hands out an already expired cookie
 * is read as saying nothing, so the session behaves as without a lifetime).
 *
 * @param setCookie the answer's `Set-Cookie` header(s)
 * @param cookie the `id` value the session uses; another `id` line is not its lifetime
 * @param date the answer's `Date` header: `Expires` counts from it when it parses
 * @param nowMs the local clock when the answer arrived, for `Expires` without a usable `Date`
 */
export function sessionLifetimeMs(
  setCookie: string | readonly string[] | undefined,
  cookie: string,
  date: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  const lines =
    setCookie === undefined ? [] : typeof setCookie === "string" ? [setCookie] : setCookie;
  const line = lines.find((candidate) => cookieValue(candidate, "id") === cookie);
  if (line === undefined) return undefined;
  const { maxAgeSeconds, expiresMs } = cookieLifetime(line);
  let lifetimeMs: number | undefined;
  if (maxAgeSeconds !== undefined) {
    lifetimeMs = maxAgeSeconds * 1000;
  } else if (expiresMs !== undefined) {
    const dateText = typeof date === "string" ? date : date?.[0];
    const sentMs = dateText === undefined ? undefined : parseCookieDate(dateText);
    lifetimeMs = expiresMs - (sentMs ?? nowMs);
  }
  return lifetimeMs !== undefined && lifetimeMs > 0 ? lifetimeMs : undefined;
}
