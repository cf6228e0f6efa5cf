/**
 * Basic auth and extra headers through the real Express app on loopback (plain HTTP: TLS has
 * its own test file). Every path but `GET /-/healthy` needs credentials.
 */
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log/logger.js";
import type { WebConfig } from "../../src/web/config.js";
import { startTestHttpServer } from "../helpers/http-server.js";
import { createLogSink } from "../helpers/log-sink.js";

const HASH = bcrypt.hashSync("s3cret-Pa55", 4);
const web: WebConfig = {
  file: "web.yml",
  basicAuthUsers: new Map([["prometheus", HASH]]),
  headers: { "X-Content-Type-Options": "nosniff", "X-Frame-Options": "deny" },
};
const sink = createLogSink();
let server: RunningHttpServer;
let reloads = 0;

beforeAll(async () => {
  server = await startTestHttpServer(
    {
      reload: () => {
        reloads += 1;
        return Promise.resolve();
      },
      logger: createLogger({ level: "debug", format: "json", destination: sink.destination }),
    },
    { web },
  );
});
afterAll(async () => {
  await server.close(0);
});

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

describe("basic auth", () => {
  it("lets the right user and password through", async () => {
    const res = await fetch(`${server.url}/metrics`, {
      headers: basic("prometheus", "s3cret-Pa55"),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("up 1\n");
  });

  it.each([
    ["a wrong password", basic("prometheus", "wrong")],
    ["an unknown user", basic("grafana", "s3cret-Pa55")],
    ["no Authorization header", {}],
    ["a malformed header", { authorization: "Basic" }],
  ])("answers 401 with a Basic challenge for %s", async (_name, headers) => {
    const res = await fetch(`${server.url}/metrics`, { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="mosapi-exporter"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toBe("Unauthorized");
  });

  it.each([
    ["GET", "/"],
    ["GET", "/-/ready"],
    ["GET", "/metrics"],
    ["POST", "/-/reload"],
    ["GET", "/no-such-page"],
    ["GET", "/-/healthy/"],
    ["POST", "/-/healthy"],
  ])("protects %s %s", async (method, path) => {
    const res = await fetch(`${server.url}${path}`, { method });
    expect(res.status).toBe(401);
  });

  it("does not run a reload without credentials", async () => {
    const before = reloads;
    await fetch(`${server.url}/-/reload`, { method: "POST" });
    expect(reloads).toBe(before);
    const res = await fetch(`${server.url}/-/reload`, {
      method: "POST",
      headers: basic("prometheus", "s3cret-Pa55"),
    });
    expect(res.status).toBe(200);
    expect(reloads).toBe(before + 1);
  });

  it("leaves GET and HEAD /-/healthy open for probes that cannot send credentials", async () => {
    expect((await fetch(`${server.url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${server.url}/-/healthy`, { method: "HEAD" })).status).toBe(200);
  });

  it("never logs the password, the Authorization header or the hash", async () => {
    await fetch(`${server.url}/metrics`, { headers: basic("prometheus", "s3cret-Pa55") });
    await fetch(`${server.url}/metrics`, { headers: basic("prometheus", "wrong-Pa55") });
    const text = sink.lines().join("\n");
    expect(text).toContain('"status":401');
    expect(text).toContain('"basic_auth_users":1');
    for (const secret of [
      "s3cret-Pa55",
      "wrong-Pa55",
      HASH,
      basic("prometheus", "s3cret-Pa55")["authorization"],
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("http_server_config.headers", () => {
  it("adds the configured headers to every response, 401s and the open probe included", async () => {
    for (const path of ["/-/healthy", "/metrics"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("deny");
    }
  });
});
