/**
 * Validators for single config values. Each one either returns the normalised value or throws
 * an Error whose message says what is wrong and what is expected. They quote the offending
 * value only where it cannot be a secret (a URL with user info is never quoted).
 */
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import { DURATION_HINT, formatDuration, parseDuration } from "./duration.js";
import { quote } from "./quote.js";

/** Smallest and largest refresh interval; 1 d also keeps every delay within setTimeout's range. */
export const MIN_INTERVAL_MS = 1_000;
export const MAX_INTERVAL_MS = 86_400_000;
/** Upper bound of `mosapi.timeout`: a longer wait only hides a hung connection. */
export const MAX_TIMEOUT_MS = 600_000;

const URL_HINT = "expected an absolute http or https URL such as https://mosapi.icann.org";

/** `mosapi.url`: http(s), no user info, query or fragment; trailing slashes removed. */
export function parseMosapiUrl(text: string): string {
  // Quoting a URL that may carry "user:password@" would print the password.
  const shown = text.includes("@") ? "" : ` ${quote(text)}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid URL${shown}: ${URL_HINT}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`invalid URL${shown}: ${URL_HINT}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new Error("must not contain a user name or password; put them under credentials");
  }
  if (text.includes("?") || text.includes("#")) {
    throw new Error(`invalid URL${shown}: must not contain a query (?…) or fragment (#…)`);
  }
  return url.href.replace(/\/+$/, "");
}

/** `mosapi.source_address`: an IPv4 or IPv6 literal. */
export function parseSourceAddress(text: string): string {
  if (isIP(text) === 0) {
    throw new Error(
      `invalid IP address ${quote(text)}: expected an IPv4 or IPv6 literal such as 192.0.2.10 or 2001:db8::10`,
    );
  }
  return text;
}

const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function isALabel(text: string): boolean {
  // Hyphens in positions 3 and 4 are reserved for IDNA ("xn--"); "ab--cd" is not a valid TLD.
  return LDH_LABEL.test(text) && (text.slice(2, 4) !== "--" || text.startsWith("xn--"));
}

/** `targets[].tld`: a lower-case A-label; upper case and U-labels get a hint with the fix. */
export function parseTld(text: string): string {
  if (isALabel(text)) return text;
  const quoted = quote(text);
  if (isALabel(text.toLowerCase())) {
    throw new Error(`invalid TLD ${quoted}: write it in lower case: ${text.toLowerCase()}`);
  }
  const aLabel = domainToASCII(text);
  if (aLabel !== text && isALabel(aLabel)) {
    throw new Error(`invalid TLD ${quoted}: write an IDN TLD as its A-label: ${aLabel}`);
  }
  throw new Error(
    `invalid TLD ${quoted}: expected a lower-case A-label (letters a-z, digits, hyphens; 1 to 63 characters; no hyphen at either end; IDN TLDs as xn--…)`,
  );
}

const REGISTRAR_ID = /^[1-9][0-9]{0,9}$/;

/** `targets[].registrar_id`: the IANA registrar ID, as digits or a YAML integer. */
export function parseRegistrarId(value: string | number): string {
  const text = String(value);
  if (REGISTRAR_ID.test(text)) return text;
  throw new Error(
    `invalid registrar ID ${quote(value)}: expected the IANA registrar ID, a whole number from 1 without leading zeros, e.g. 9999`,
  );
}

function toMs(value: string | number): number {
  if (value === 0) return 0;
  if (typeof value === "number") throw new Error(`invalid duration ${value}: ${DURATION_HINT}`);
  return parseDuration(value);
}

/** `mosapi.timeout`: a duration above 0 and at most 10m. */
export function parseTimeout(value: string | number): number {
  const ms = toMs(value);
  if (ms === 0) throw new Error("must be greater than 0, e.g. 15s");
  if (ms > MAX_TIMEOUT_MS) {
    throw new Error(
      `timeout ${formatDuration(ms)} is too long: expected at most ${formatDuration(MAX_TIMEOUT_MS)}`,
    );
  }
  return ms;
}

/** `collectors.*`: `0` disables; otherwise between 1s and 1d. */
export function parseInterval(value: string | number): number {
  let ms: number;
  try {
    ms = toMs(value);
  } catch (error) {
    throw new Error(`${(error as Error).message}, or 0 to disable`);
  }
  if (ms !== 0 && ms < MIN_INTERVAL_MS) {
    throw new Error(
      `interval ${formatDuration(ms)} is too short: expected at least ${formatDuration(MIN_INTERVAL_MS)}, or 0 to disable`,
    );
  }
  if (ms > MAX_INTERVAL_MS) {
    throw new Error(
      `interval ${formatDuration(ms)} is too long: expected at most ${formatDuration(MAX_INTERVAL_MS)}`,
    );
  }
  return ms;
}
