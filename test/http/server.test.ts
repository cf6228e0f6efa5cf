import { once } from "node:events";
import { Agent, Client, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningHttpServer } from "../../src/http/server.js";
import { startTestHttpServer } from "../helpers/http-server.js";

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets pending I/O callbacks run once; no wall-clock wait involved. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server whose /metrics answers only when the test says so. */
async function startSlow(): Promise<{
  server: RunningHttpServer;
  rendering: Promise<void>;
  finish: (body: string) => void;
}> {
  const started = deferred<undefined>();
  const body = deferred<string>();
  const server = await startTestHttpServer({
    renderMetrics: () => {
      started.resolve(undefined);
      return body.promise;
    },
  });
  cleanups.push(() => server.close(0));
  return { server, rendering: started.promise, finish: body.resolve };
}

function client(url: string): Client {
  const c = new Client(url, { keepAliveTimeout: 60_000 });
  cleanups.push(() => c.destroy());
  return c;
}

describe("startHttpServer", () => {
  it("listens on the given host and an ephemeral port", async () => {
    const { server } = await startSlow();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("rejects when the port is taken", async () => {
    const { server } = await startSlow();
    await expect(startTestHttpServer({}, { port: server.port })).rejects.toMatchObject({
      name: "ListenError",
      code: "HTTP_LISTEN_FAILED",
      message: `cannot listen on 127.0.0.1:${server.port}: the address is already in use (another exporter or demo running?)`,
      cause: { code: "EADDRINUSE" },
    });
  });
});

describe("RunningHttpServer.close", () => {
  it("lets an in-flight request finish, refuses new connections, then resolves", async () => {
    const { server, rendering, finish } = await startSlow();
    const inFlight = client(server.url).request({ method: "GET", path: "/metrics" });
    await rendering;

    let closed = false;
    const closing = server.close(60_000).then(() => {
      closed = true;
    });

    const fresh = new Agent();
    cleanups.push(() => fresh.close());
    await expect(request(`${server.url}/-/healthy`, { dispatcher: fresh })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
    await turn();
    expect(closed).toBe(false);

    finish("mosapi_up 1\n");
    const res = await inFlight;
    expect(res.statusCode).toBe(200);
    expect(res.headers["connection"]).toBe("close");
    expect(await res.body.text()).toBe("mosapi_up 1\n");
    await closing;
    expect(closed).toBe(true);
  });

  it("closes idle keep-alive connections at once instead of waiting for the grace period", async () => {
    const { server } = await startSlow();
    const keepAlive = client(server.url);
    const res = await keepAlive.request({ method: "GET", path: "/-/healthy" });
    expect(res.headers["connection"]).toBe("keep-alive");
    await res.body.text();

    const disconnected = once(keepAlive, "disconnect");
    // A grace period far beyond the test timeout: resolving proves nothing waited for it.
    await server.close(3_600_000);
    await disconnected;
  });

  it("destroys connections still busy when the grace period ends", async () => {
    const { server, rendering } = await startSlow();
    const stuck = client(server.url).request({ method: "GET", path: "/metrics" });
    const outcome = stuck.then(
      () => "answered",
      (err: unknown) => (err as { code?: string }).code,
    );
    await rendering;
    await server.close(1);
    expect(await outcome).toBe("UND_ERR_SOCKET");
  });

  it("is idempotent", async () => {
    const { server } = await startSlow();
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
    await expect(server.close()).resolves.toBeUndefined();
  });
});
