/**
 * Broken streams and oversized bodies from a raw TCP server on loopback (what no HTTP framework
 * would send): a Content-Length the body never reaches, a connection reset mid-body, a chunked
 * body that stops, an endless body, gzip/deflate/brotli bombs, a garbled status line, a server
 * that stops talking. Each ends in one MosapiError with the right reason, within the deadline,
 * with memory bounded by the response cap.
 */
import { once } from "node:events";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MosapiClient } from "../../src/mosapi/client.js";
import type { Credential } from "../../src/mosapi/credentials.js";
import { isMosapiError, type MosapiError } from "../../src/mosapi/errors.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "../../src/mosapi/transport.js";
import { systemClock } from "../../src/util/clock.js";
import { captureLogs, certCredential, tld } from "../helpers/mock-mosapi.js";

/** What the raw server does with the next connection. */
type Behaviour = (socket: net.Socket) => void;

let server: net.Server;
let origin: string;
let behaviour: Behaviour = (socket) => socket.end();
const sockets = new Set<net.Socket>();
let agent: Agent;

beforeAll(async () => {
  server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // Errors (EPIPE, ECONNRESET once the client gives up) are expected here.
    socket.on("error", () => {});
    socket.once("data", () => {
      behaviour(socket);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent();
});

afterAll(async () => {
  await agent.close();
  for (const socket of sockets) socket.destroy();
  server.close();
  await once(server, "close");
});

function client(options: { timeoutMs?: number; maxResponseBytes?: number } = {}): MosapiClient {
  return new MosapiClient({
    url: origin,
    version: 2,
    timeoutMs: options.timeoutMs ?? 5000,
    maxConcurrency: 4,
    credentials: new Map<string, Credential>([["cert", certCredential]]),
    dispatcher: agent,
    logger: captureLogs().logger,
    clock: systemClock,
    // One attempt: each case is about what a single broken answer becomes.
    retry: { baseMs: 1, factor: 1, jitter: 0, maxRetries: 0 },
    ...(options.maxResponseBytes === undefined
      ? {}
      : { maxResponseBytes: options.maxResponseBytes }),
  });
}

async function failure(c: MosapiClient): Promise<MosapiError> {
  const error = await c.getState(tld("example", "cert")).then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  );
  if (!isMosapiError(error)) throw error;
  return error;
}

const HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
const BODY = '{"version":2,"lastUpdateApiDatabase":1735689600,"status":"Up","testedServices":{}}';

describe("broken streams", () => {
  it("a Content-Length larger than the body, then close: network (retried like a reset)", async () => {
    behaviour = (socket) => {
      socket.end(`${HEAD}Content-Length: ${BODY.length + 500}\r\n\r\n${BODY}`);
    };
    const error = await failure(client());
    expect(error.reason).toBe("network");
    expect(error.message).toContain("network error (UND_ERR_SOCKET)");
  });

  it("a body cut short with a matching Content-Length: invalid_response", async () => {
    const cut = BODY.slice(0, 30);
    behaviour = (socket) => {
      socket.end(`${HEAD}Content-Length: ${cut.length}\r\n\r\n${cut}`);
    };
    const error = await failure(client());
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain("response body is not valid JSON");
  });

  it("a connection reset mid-body: network", async () => {
    behaviour = (socket) => {
      socket.write(`${HEAD}Content-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 20)}`, () => {
        socket.resetAndDestroy();
      });
    };
    const error = await failure(client());
    expect(error.reason).toBe("network");
    expect(error.code).toBe("MOSAPI_NETWORK");
  });

  it("a chunked body that stops without its last chunk: network", async () => {
    behaviour = (socket) => {
      socket.end(`${HEAD}Transfer-Encoding: chunked\r\n\r\n14\r\n${BODY.slice(0, 20)}\r\n`);
    };
    const error = await failure(client());
    expect(error.reason).toBe("network");
  });

  it("a garbled status line: network", async () => {
    behaviour = (socket) => {
      socket.end("HTTP/1.1 2OO OK\r\nContent-Length: x\r\n\r\n{}");
    };
    const error = await failure(client());
    expect(error.reason).toBe("network");
  });

  it("headers, then silence: timeout at the deadline", async () => {
    behaviour = (socket) => {
      socket.write(`${HEAD}Content-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`);
    };
    const error = await failure(client({ timeoutMs: 300 }));
    expect(error.reason).toBe("timeout");
  });
});

describe("response size cap", () => {
  /** Peak RSS growth (bytes) while `work` runs; 0 when an earlier peak was higher. */
  async function peakGrowth(work: () => Promise<unknown>): Promise<number> {
    const before = process.resourceUsage().maxRSS * 1024;
    await work();
    return process.resourceUsage().maxRSS * 1024 - before;
  }

  it("declares the default cap as 10 MiB", () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(10 * 1024 * 1024);
  });

  it("refuses a declared Content-Length over the cap without reading the body", async () => {
    let written = 0;
    behaviour = (socket) => {
      socket.write(`${HEAD}Content-Length: ${DEFAULT_MAX_RESPONSE_BYTES + 1}\r\n\r\n{`);
      written = 1;
    };
    const error = await failure(client());
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain(
      `response body larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes`,
    );
    expect(written).toBe(1);
  });

  it("stops reading an endless chunked body at the cap and closes the connection", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let closed: Promise<unknown> = Promise.resolve();
    behaviour = (socket) => {
      closed = new Promise((resolve) => socket.once("close", resolve));
      socket.write(`${HEAD}Transfer-Encoding: chunked\r\n\r\n`);
      const pump = (): void => {
        // Keep writing until the client hangs up: the body has no end.
        while (!socket.destroyed && socket.writable) {
          sent += chunk.length;
          const more = socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
          if (!more) {
            socket.once("drain", pump);
            return;
          }
        }
      };
      pump();
    };
    let error: MosapiError | undefined;
    const growth = await peakGrowth(async () => {
      error = await failure(client());
    });
    await closed;
    expect(error?.reason).toBe("invalid_response");
    expect(error?.message).toContain(`response body larger than ${DEFAULT_MAX_RESPONSE_BYTES}`);
    // The client read a little past the cap (socket buffers), not the server's whole output.
    expect(sent).toBeGreaterThan(DEFAULT_MAX_RESPONSE_BYTES);
    expect(growth).toBeLessThan(128 * 1024 * 1024);
  });

  /** 1 GiB of zeros as gzip: 100 gzip members of 10 MiB + 1 KiB each (RFC 1952 allows members). */
  function gzipBomb(): Buffer {
    const member = gzipSync(Buffer.alloc(DEFAULT_MAX_RESPONSE_BYTES + 1024), { level: 9 });
    return Buffer.concat(new Array<Buffer>(100).fill(member));
  }

  it.each([
    ["gzip", gzipBomb],
    ["deflate", () => deflateSync(Buffer.alloc(256 * 1024 * 1024), { level: 1 })],
    [
      "br",
      () =>
        brotliCompressSync(Buffer.alloc(256 * 1024 * 1024), {
          params: { [constants.BROTLI_PARAM_QUALITY]: 1 },
        }),
    ],
  ] as const)(
    "refuses a %s bomb (small compressed, huge decompressed) with memory bounded",
    async (encoding, build) => {
      const bomb = build();
      // Compressed, it passes the cap: the cap on the decompressed size is what stops it.
      expect(bomb.length).toBeLessThan(DEFAULT_MAX_RESPONSE_BYTES);
      behaviour = (socket) => {
        socket.end(
          Buffer.concat([
            Buffer.from(
              `${HEAD}Content-Encoding: ${encoding}\r\nContent-Length: ${bomb.length}\r\n\r\n`,
            ),
            bomb,
          ]),
        );
      };
      let error: MosapiError | undefined;
      const growth = await peakGrowth(async () => {
        error = await failure(client());
      });
      expect(error?.reason).toBe("invalid_response");
      expect(error?.message).toContain(
        `decompressed response body larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes`,
      );
      expect(growth).toBeLessThan(128 * 1024 * 1024);
    },
  );
});
