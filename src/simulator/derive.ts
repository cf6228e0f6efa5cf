/**
 * Deterministic stand-ins for what real probes would measure: numbers and addresses derived
 * from names by hashing, so the same scenario at the same time always yields the same bytes.
 * Addresses come from the documentation ranges (RFC 5737, RFC 3849) and can never be real.
 */

/** FNV-1a over the UTF-16 code units of `text`: a 32-bit unsigned hash. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An integer in [min, max] chosen by `key`. */
export function pick(key: string, min: number, max: number): number {
  return min + (hash32(key) % (max - min + 1));
}

/** An IPv4 address in 192.0.2.0/24 (TEST-NET-1) for a host name. */
export function ipv4For(name: string): string {
  return `192.0.2.${pick(`v4|${name}`, 1, 254)}`;
}

/** An IPv6 address in 2001:db8::/32 for a host name. */
export function ipv6For(name: string): string {
  return `2001:db8::${pick(`v6|${name}`, 1, 0xfffe).toString(16)}`;
}

/** Lower-case hex of the UTF-8 bytes of `text` (how MoSAPI writes an EDNS NSID). */
export function hexOf(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}
