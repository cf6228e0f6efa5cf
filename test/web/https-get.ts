/**
 * One HTTPS request on a fresh connection (no agent, no keep-alive), so each call makes a new
 * handshake: what the certificate-rotation and client-certificate tests need to observe.
 */
import { request } from "node:https";
import { TLSSocket } from "node:tls";

export interface HttpsGetOptions {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
  readonly maxVersion?: "TLSv1.2" | "TLSv1.3";
  /** `user:password` for Basic auth. */
  readonly auth?: string;
  readonly method?: string;
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The server certificate's serial number, upper-case hex (e.g. `01`). */
  readonly serial: string;
}

/** @throws the TLS or socket error when the handshake or the connection fails. */
export function httpsGet(url: string, options: HttpsGetOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent: false,
        method: options.method ?? "GET",
        ca: options.ca,
        ...(options.cert === undefined ? {} : { cert: options.cert }),
        ...(options.key === undefined ? {} : { key: options.key }),
        ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
        ...(options.auth === undefined ? {} : { auth: options.auth }),
      },
      (res) => {
        const { socket } = res;
        const serial = socket instanceof TLSSocket ? socket.getPeerCertificate().serialNumber : "";
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("error", reject);
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, serial });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
