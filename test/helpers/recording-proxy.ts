/**
 * A loopback HTTP proxy that forwards every request to one upstream unchanged (headers and body
 * bytes as they are, compressed or not) and records what each exchange said about its encoding:
 * how a test sees the responses exactly as a real client (Prometheus) received them.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One proxied exchange. */
export interface ProxiedExchange {
  readonly method: string;
  readonly path: string;
  readonly acceptEncoding: string | undefined;
  readonly status: number;
  readonly contentEncoding: string | undefined;
  /** Body bytes as sent on the wire. */
  readonly bytes: number;
}

export interface RecordingProxy {
  /** `127.0.0.1:<port>`, for a scrape config. */
  readonly hostPort: string;
  /** Every completed exchange, in completion order. */
  readonly exchanges: readonly ProxiedExchange[];
  close(): Promise<void>;
}

/** Starts a proxy to `upstream` (`127.0.0.1:<port>`, plain HTTP). */
export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const [host = "127.0.0.1", port = "0"] = upstream.split(":");
  const exchanges: ProxiedExchange[] = [];
  const server = http.createServer((req, res) => {
    const forward = http.request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.rawHeaders);
        let bytes = 0;
        upstreamRes.on("data", (chunk: Buffer) => (bytes += chunk.length));
        upstreamRes.on("end", () => {
          exchanges.push({
            method: req.method ?? "",
            path: req.url ?? "",
            acceptEncoding: req.headers["accept-encoding"],
            status: upstreamRes.statusCode ?? 0,
            contentEncoding: upstreamRes.headers["content-encoding"],
            bytes,
          });
        });
        upstreamRes.pipe(res);
      },
    );
    forward.on("error", () => {
      res.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    hostPort: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
