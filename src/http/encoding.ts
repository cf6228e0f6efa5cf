/**
 * Content coding negotiation for our responses: gzip or identity (RFC 9110 §12.5.3). Every
 * Prometheus sends `Accept-Encoding: gzip`; curl and browsers send lists with weights.
 */

/**
 * Whether `header` (a request's `Accept-Encoding`) accepts gzip: `gzip` (or the old `x-gzip`)
 * listed with a weight above 0, or `*` above 0 when gzip is not listed itself. Absent or empty:
 * no (identity only).
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of value.split(",")) {
    const [name = "", ...params] = part.split(";").map((piece) => piece.trim());
    const coding = name.toLowerCase();
    if (coding === "") continue;
    const weight = qValue(params);
    if (coding === "gzip" || coding === "x-gzip") gzip = Math.max(gzip ?? 0, weight);
    else if (coding === "*") any = weight;
  }
  return (gzip ?? any ?? 0) > 0;
}

/** The `q` parameter among `params` (`q=0.5`); 1 when absent or unreadable. */
function qValue(params: readonly string[]): number {
  for (const param of params) {
    const match = /^q\s*=\s*([0-9.]+)$/i.exec(param);
    if (match?.[1] !== undefined) {
      const q = Number(match[1]);
      return Number.isNaN(q) ? 1 : q;
    }
  }
  return 1;
}
