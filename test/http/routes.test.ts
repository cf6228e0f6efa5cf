import { Agent, request } from "undici";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { Snapshot } from "../../src/snapshot/snapshot.js";
import { createLogger } from "../../src/log/logger.js";
import { createHttpApp, startHttpServer } from "../../src/http/server.js";
import type { HttpDependencies, RunningHttpServer } from "../../src/http/server.js";
import { createLogSink } from "../helpers/log-sink.js";
import type { LogSink } from "../helpers/log-sink.js";

const METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const EXPOSITION = '# HELP mosapi_up x\n# TYPE mosapi_up gauge\nmosapi_up{tld="example"} 1\n';

const agent = new Agent();
const running: RunningHttpServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await agent.close();
});

const snapshot: Snapshot = {
  version: 3,
  targets: [
    {
      target: { entity: "ry", id: "example", credentials: "c" },
      up: false,
      stateAttempted: false,
      collectors: {},
    },
    {
      target: { entity: "ry", id: "test", credentials: "c" },
      up: true,
      stateAttempted: true,
      collectors: { state: { lastSuccessAt: 1_700_000_000_000 } },
    },
    {
      target: { entity: "rr", id: "9999", credentials: "c" },
      up: false,
      stateAttempted: false,
      collectors: {},
    },
  ],
};

interface Started {
  readonly url: string;
  readonly sink: LogSink;
}

async function start(
  overrides: Partial<HttpDependencies> = {},
  level: "debug" | "info" = "info",
): Promise<Started> {
  const sink = createLogSink();
  const deps: HttpDependencies = {
    renderMetrics: () => Promise.resolve(EXPOSITION),
    metricsContentType: METRICS_TYPE,
    isReady: () => true,
    snapshot: () => snapshot,
    info: { version: "1.2.3", revision: "abc1234", nodeVersion: "v20.19.0", startedAt: 0 },
    clock: { now: () => 61_000 },
    logger: createLogger({ level, format: "json", destination: sink.destination }),
    ...overrides,
  };
  const server = await startHttpServer(createHttpApp(deps), { host: "127.0.0.1", port: 0 });
  running.push(server);
  return { url: server.url, sink };
}

async function call(url: string, method = "GET") {
  const res = await request(url, { method: method as "GET", dispatcher: agent });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

describe("GET /metrics", () => {
  it("serves the exposition with the exact Content-Type, no-store and no ETag", async () => {
    const { url } = await start();
    const res = await call(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(METRICS_TYPE);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["etag"]).toBeUndefined();
    expect(res.headers["x-powered-by"]).toBeUndefined();
    expect(res.body).toBe(EXPOSITION);
  });

  it("says once when the chunks it sent are no longer read", async () => {
    const chunks = [Buffer.from("a 1\n"), Buffer.from("b 2\n")];
    const sent: (readonly Uint8Array[])[] = [];
    const { url } = await start({
      renderMetrics: () => Promise.resolve(chunks),
      metricsSent: (list) => sent.push(list),
    });
    const res = await call(`${url}/metrics`);
    expect(res.body).toBe("a 1\nb 2\n");
    await vi.waitFor(() => {
      expect(sent).toHaveLength(1);
    });
    expect(sent[0]).toBe(chunks);
    // A text body is nobody's to give back.
    const text = await start({ metricsSent: (list) => sent.push(list) });
    expect((await call(`${text.url}/metrics`)).body).toBe(EXPOSITION);
    await new Promise(setImmediate);
    expect(sent).toHaveLength(1);
  });

  it("answers HEAD with the headers and no body", async () => {
    const { url } = await start();
    const res = await call(`${url}/metrics`, "HEAD");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(METRICS_TYPE);
    expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(EXPOSITION)));
    expect(res.body).toBe("");
  });

  it("answers 500 without internals when rendering throws, and logs the error", async () => {
    const { url, sink } = await start({
      renderMetrics: () => Promise.reject(new Error("registry exploded at /srv/internal")),
    });
    const res = await call(`${url}/metrics`);
    expect(res.status).toBe(500);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("Internal Server Error");
    expect(res.body).not.toContain("exploded");

    const errors = sink.records().filter((r) => r["level"] === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: "request failed",
      component: "http",
      method: "GET",
      path: "/metrics",
      err: { type: "Error", message: "registry exploded at /srv/internal" },
    });
  });
});

describe("GET /-/healthy", () => {
  it("is 200 OK even while not ready and with failing targets", async () => {
    const { url } = await start({
      isReady: () => false,
      snapshot: () => {
        throw new Error("healthy must not read the snapshot");
      },
      renderMetrics: () => Promise.reject(new Error("nor render")),
    });
    const res = await call(`${url}/-/healthy`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("OK");
    expect((await call(`${url}/-/healthy`, "HEAD")).status).toBe(200);
  });
});

describe("GET /-/ready", () => {
  it("is 503 with the number of targets still waiting, then 200 once ready", async () => {
    let ready = false;
    const { url } = await start({ isReady: () => ready });

    const before = await call(`${url}/-/ready`);
    expect(before.status).toBe(503);
    expect(before.body).toBe("Not ready: waiting for the first state refresh of 2 target(s)");

    ready = true;
    const after = await call(`${url}/-/ready`);
    expect(after.status).toBe(200);
    expect(after.body).toBe("Ready");
    expect((await call(`${url}/-/ready`, "HEAD")).status).toBe(200);
  });
});

describe("/-/reload", () => {
  it.each(["GET", "HEAD", "PUT", "DELETE"])("answers %s with 405 and Allow: POST", async (m) => {
    const { url } = await start({ reload: () => Promise.resolve() });
    const res = await call(`${url}/-/reload`, m);
    expect(res.status).toBe(405);
    expect(res.headers["allow"]).toBe("POST");
  });

  it("answers 501 when reloading is not supported", async () => {
    const { url } = await start();
    const res = await call(`${url}/-/reload`, "POST");
    expect(res.status).toBe(501);
    expect(res.body).toBe("reload not supported");
  });

  it("answers 200 after a successful reload", async () => {
    let reloads = 0;
    const { url } = await start({
      reload: () => {
        reloads += 1;
        return Promise.resolve();
      },
    });
    const res = await call(`${url}/-/reload`, "POST");
    expect(res.status).toBe(200);
    expect(res.body).toBe("Reloaded");
    expect(reloads).toBe(1);
  });

  it("answers 400 with the message for an invalid config", async () => {
    const invalid = Object.assign(new Error("targets[0].tld: required"), {
      code: "CONFIG_INVALID",
    });
    const { url, sink } = await start({ reload: () => Promise.reject(invalid) });
    const res = await call(`${url}/-/reload`, "POST");
    expect(res.status).toBe(400);
    expect(res.body).toBe("Reload failed: targets[0].tld: required");
    // The reload itself logs its failure (the same line as for SIGHUP), the route nothing.
    expect(sink.records().filter((r) => r["level"] !== "info")).toEqual([]);
  });

  it("answers 400 when the config file became unreadable", async () => {
    const unreadable = Object.assign(new Error("cfg.yml: cannot read the file: ENOENT"), {
      code: "CONFIG_UNREADABLE",
    });
    const { url } = await start({ reload: () => Promise.reject(unreadable) });
    const res = await call(`${url}/-/reload`, "POST");
    expect(res.status).toBe(400);
    expect(res.body).toBe("Reload failed: cfg.yml: cannot read the file: ENOENT");
  });

  it("answers 500 with the message for any other failure", async () => {
    const { url } = await start({
      reload: () => Promise.reject(new Error("cannot read /etc/mosapi/key.pem")),
    });
    const res = await call(`${url}/-/reload`, "POST");
    expect(res.status).toBe(500);
    expect(res.body).toBe("Reload failed: cannot read /etc/mosapi/key.pem");
  });
});

describe("GET /", () => {
  it("serves the landing page as HTML with a restrictive CSP", async () => {
    const { url } = await start({ isReady: () => false });
    const res = await call(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    expect(res.body).toContain("<title>MoSAPI exporter</title>");
    expect(res.body).toContain("Version 1.2.3 (revision abc1234)");
    expect(res.body.replace(/\s+/g, " ")).toContain(
      'Up 1m, since <time datetime="1970-01-01T00:00:00Z">1970-01-01T00:00:00Z</time>.',
    );
    expect(res.body).toContain('<a href="/targets/rr/9999">registrar 9999</a>');
    expect(res.body).toContain("Not ready");
    expect((await call(`${url}/`, "HEAD")).body).toBe("");
  });

  it("filters by the show and q query parameters; unknown values show everything", async () => {
    const { url } = await start();
    const searched = await call(`${url}/?q=99`);
    expect(searched.body).toContain('<a href="/targets/rr/9999">registrar 9999</a>');
    expect(searched.body).not.toContain('<a href="/targets/ry/test">TLD test</a>');
    const none = await call(`${url}/?show=failing&q=9999`);
    expect(none.body).toContain('<option value="failing" selected>');
    expect(none.body).toContain("No targets to show.");
    expect(none.body).toContain('name="q" value="9999"');
    const odd = await call(`${url}/?show=%3Cb%3E&show=x&q[a]=1`);
    expect(odd.status).toBe(200);
    expect(odd.body).toContain('<option value="all" selected>');
  });

  it("escapes hostile snapshot data end to end", async () => {
    const hostile: Snapshot = {
      version: 1,
      targets: [
        {
          target: { entity: "ry", id: "<script>alert(1)</script>", credentials: "c" },
          up: false,
          stateAttempted: true,
          collectors: {
            state: {
              lastError: {
                reason: "invalid_response",
                code: "MOSAPI_SCHEMA",
                message: '"onmouseover=alert(1)',
                at: 0,
              },
            },
          },
        },
      ],
    };
    const { url } = await start({ snapshot: () => hostile });
    const { body } = await call(`${url}/`);
    expect(body).not.toContain("<script>");
    expect(body).not.toContain('"onmouseover=');
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(body).toContain("&quot;onmouseover=alert(1)");
  });
});

describe("GET /targets/<entity>/<id>", () => {
  it("serves a known target's page and an HTML 404 for others", async () => {
    const { url } = await start();
    const res = await call(`${url}/targets/ry/test`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    expect(res.body).toContain("<h1>TLD test</h1>");
    expect((await call(`${url}/targets/rr/9999`)).status).toBe(200);
    for (const path of ["/targets/rr/example", "/targets/ry/nope", "/targets/xx/test"]) {
      const missing = await call(url + path);
      expect(missing.status).toBe(404);
      expect(missing.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(missing.body).toContain("<h1>Unknown target</h1>");
    }
  });
});

describe("GET /api/v1/status", () => {
  it("serves the JSON view, never cached", async () => {
    const { url } = await start({ isReady: () => false });
    const res = await call(`${url}/api/v1/status`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = JSON.parse(res.body) as { exporter: { ready: boolean }; targets: unknown[] };
    expect(body.exporter.ready).toBe(false);
    expect(body.targets).toHaveLength(3);
  });
});

describe("everything else", () => {
  it("answers unknown paths with a text 404", async () => {
    const { url } = await start();
    const res = await call(`${url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("Not found");
    expect((await call(`${url}/metrics`, "POST")).status).toBe(404);
  });

  it("logs each request at debug level only", async () => {
    const quiet = await start({}, "info");
    await call(`${quiet.url}/-/healthy`);
    expect(quiet.sink.lines()).toEqual([]);

    const verbose = await start({}, "debug");
    await call(`${verbose.url}/-/healthy?x=1`);
    // The log line is written on the response's close event, which may trail the client.
    await expect
      .poll(() => verbose.sink.records())
      .toContainEqual(
        expect.objectContaining({
          level: "debug",
          msg: "http request",
          method: "GET",
          path: "/-/healthy",
          status: 200,
          durationMs: 0,
          completed: true,
        }),
      );
  });
});
