/**
 * gzip for the responses built per request with `res.send` (the status board's pages and
 * `/api/v1/status`, hundreds of kB at 1,000 targets): compressed on libuv's thread pool when
 * the client accepts gzip and the body is large. `/metrics` writes its own (cached) bytes and
 * is not touched here.
 */
import type { RequestHandler, Response } from "express";
import { gzipMember } from "../metrics/gzip-blocks.js";
import { acceptsGzip } from "./encoding.js";

/** About one TCP segment: a smaller body leaves in one packet anyway, compressed or not. */
export const COMPRESS_MIN_BYTES = 1400;

/**
 * Wraps `res.send` so that a string or Buffer body of at least {@link COMPRESS_MIN_BYTES} goes
 * out gzipped (with `Content-Encoding: gzip`) when the request accepts gzip. Every such
 * response says `Vary: Accept-Encoding`, compressed or not. HEAD requests, small bodies and
 * responses that already have a Content-Encoding are sent as they are.
 */
export function compressLarge(): RequestHandler {
  return (req, res, next) => {
    const gzip = acceptsGzip(req.headers["accept-encoding"]) && req.method !== "HEAD";
    const send = res.send.bind(res);
    res.send = (body?: unknown): Response => {
      if (typeof body !== "string" && !Buffer.isBuffer(body)) return send(body);
      const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
      if (
        bytes.byteLength < COMPRESS_MIN_BYTES ||
        res.getHeader("Content-Encoding") !== undefined
      ) {
        return send(body);
      }
      res.vary("Accept-Encoding");
      if (!gzip) return send(body);
      if (typeof body === "string") {
        // What Express does for a string body (and not for a Buffer): HTML unless a type is
        // set, and the type's charset.
        const type = res.get("Content-Type");
        if (type === undefined) res.type("html");
        else if (!/;\s*charset=/i.test(type)) res.set("Content-Type", `${type}; charset=utf-8`);
      }
      gzipMember(bytes).then(
        (compressed) => {
          res.setHeader("Content-Encoding", "gzip");
          send(compressed);
        },
        () => {
          // zlib does not fail on a Buffer; should it ever, the body still goes out.
          send(body);
        },
      );
      return res;
    };
    next();
  };
}
