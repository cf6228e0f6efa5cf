import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import type { MockAgent, MockPool } from "undici";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DEFAULT_RETRY_POLICY } from "../../src/mosapi/backoff.js";
import { MosapiClient } from "../../src/mosapi/client.js";
import type { Credential } from "../../src/mosapi/credentials.js";
import type { MosapiError } from "../../src/mosapi/errors.js";
import {
  BadRequestError,
  ForbiddenError,
  HttpStatusError,
  InvalidResponseError,
  MosapiResponseError,
  MosapiTransportError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  SchemaError,
  SlotTimeoutError,
  TimeoutError,
} from "../../src/mosapi/errors.js";
import { FakeClock } from "../helpers/fake-clock.js";
import {
  JSON_HEADERS,
  ORIGIN,
  basicCredential,
  captureLogs,
  certCredential,
  createGate,
  createMockAgent,
  createTestClient,
  registrar,
  settle,
  stateBody,
  tld,
} from "../helpers/mock-mosapi.js";

const STATE = "/ry/example/v2/monitoring/state";
const ALARMED_NO = { version: 2, lastUpdateApiDatabase: 1795435200, alarmed: "No" };
const example = tld("example", "cert");

let agent: MockAgent;
let pool: MockPool;

beforeEach(() => {
  agent = createMockAgent();
  pool = agent.get(ORIGIN);
});

afterEach(async () => {
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("URLs", () => {
  it("builds versioned data URLs for registries and registrars", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent, version: 1 });
    pool.intercept({ path: "/ry/example/v1/monitoring/state" }).reply(200, stateBody());
    pool
      .intercept({ path: "/rr/9999/v1/monitoring/rdap/alarmed" })
      .reply(200, { version: 1, lastUpdateApiDatabase: 1795435200, alarmed: "No" });
    await client.getState(example);
    const alarmed = await client.getAlarmed(registrar("9999", "cert"), "rdap");
    expect(alarmed).toEqual({ lastUpdateApiDatabase: 1795435200, alarmed: "no" });
    expect(observer.codes()).toEqual(["monitoring/state 200", "monitoring/{service}/alarmed 200"]);
  });

  it("encodes path segments, adds queries and ignores a trailing slash of the base URL", async () => {
    const { client } = createTestClient({ dispatcher: agent, url: `${ORIGIN}/` });
    pool
      .intercept({ path: "/ry/a%20b%2Fc/v2/metrica/domainLists?startDate=2025-01-01" })
      .reply(200, { domainLists: [] });
    await client.getMetricaReports(tld("a b/c", "cert"), { startDate: "2025-01-01" });
  });

  it("sends upstream IDs as single encoded segments", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool
      .intercept({
        path: "/ry/example/v2/monitoring/dns/incidents/1.2%3Fx/measurements/..%2F..%2Fstate",
      })
      .reply(200, { version: 2 });
    await client
      .getIncidentMeasurement(example, "dns", "1.2?x", "../../state")
      .catch((error: unknown) => error);
    expect(observer.codes()).toEqual([
      "monitoring/{service}/incidents/{incident}/measurements/{measurement} 200",
    ]);
  });

  it("rejects an invalid configuration at construction", () => {
    const base = {
      url: ORIGIN,
      version: 2,
      timeoutMs: 1000,
      maxConcurrency: 1,
      credentials: new Map<string, Credential>(),
      logger: captureLogs().logger,
      clock: new FakeClock(),
      dispatcher: agent,
    };
    expect(() => new MosapiClient({ ...base, version: 0 })).toThrow(TypeError);
    expect(() => new MosapiClient({ ...base, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new MosapiClient({ ...base, url: "ftp://x" })).toThrow(TypeError);
    expect(
      () =>
        new MosapiClient({
          ...base,
          maxConcurrency: 0,
          credentials: new Map([["c", certCredential]]),
        }),
    ).toThrow(RangeError);
  });

  it("rejects unknown credential names", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    await expect(client.getState(tld("example", "nope"))).rejects.toThrow(
      'unknown credentials "nope" for TLD example',
    );
  });
});

describe("retries", () => {
  it("honours a 429 Retry-After in delta-seconds", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(429, "", { headers: { "retry-after": "2" } });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const call = client.getState(example);
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(2000);
    });
    clock.advance(1999);
    await settle();
    expect(observer.requests).toHaveLength(1);
    clock.advance(1);
    await call;
    expect(observer.codes()).toEqual(["monitoring/state 429", "monitoring/state 200"]);
  });

  it("honours a 429 Retry-After given as an HTTP-date", async () => {
    const { client, clock } = createTestClient({ dispatcher: agent });
    const at = new Date(clock.now() + 3000).toUTCString();
    pool.intercept({ path: STATE }).reply(429, "", { headers: { "retry-after": at } });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const call = client.getState(example);
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(3000);
    });
    clock.advance(3000);
    await call;
  });

  it("fails with RateLimitedError and retryAfterMs when Retry-After exceeds the deadline", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(429, "", { headers: { "retry-after": "60" } });
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      code: "MOSAPI_RATE_LIMITED",
      reason: "rate_limited",
      status: 429,
      retryAfterMs: 60_000,
      message:
        "fetch monitoring/state for TLD example failed: HTTP 429 Too Many Requests, retry after 60 s (GET /ry/example/v2/monitoring/state)",
    });
    expect(observer.requests).toHaveLength(1);
  });

  it("does not retry a 429 without Retry-After", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(429, "");
    const error = await failure(client.getState(example));
    expect(error).toMatchObject({ code: "MOSAPI_RATE_LIMITED", retryAfterMs: undefined });
  });

  it("retries a 503 after its Retry-After", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(503, "", { headers: { "retry-after": "1" } });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const call = client.getState(example);
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(1000);
    });
    clock.advance(1000);
    await call;
    expect(observer.codes()).toEqual(["monitoring/state 503", "monitoring/state 200"]);
  });

  it("fails a 503 whose Retry-After does not fit with HttpStatusError and retryAfterMs", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(503, "", { headers: { "retry-after": "30" } });
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({
      code: "MOSAPI_HTTP_STATUS",
      reason: "http_error",
      status: 503,
      retryAfterMs: 30_000,
    });
  });

  it("retries 5xx twice with exponential backoff and jitter, then fails", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(500, "").times(3);
    const call = failure(client.getState(example));
    // random() = 0.5 → no jitter offset: 500 ms, then 1000 ms.
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(500);
    });
    clock.advance(500);
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(1000);
    });
    clock.advance(1000);
    const error = await call;
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toBe(
      "fetch monitoring/state for TLD example failed: HTTP 500 Internal Server Error (GET /ry/example/v2/monitoring/state)",
    );
    expect(observer.codes()).toEqual([
      "monitoring/state 500",
      "monitoring/state 500",
      "monitoring/state 500",
    ]);
  });

  it("applies jitter from the injected random source", async () => {
    const { client, clock } = createTestClient({ dispatcher: agent, random: () => 0 });
    pool.intercept({ path: STATE }).reply(502, "");
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const call = client.getState(example);
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(250);
    });
    clock.advance(250);
    await call;
  });

  it("does not retry when the backoff would not fit the deadline", async () => {
    const { client, observer } = createTestClient({ dispatcher: agent, timeoutMs: 400 });
    pool.intercept({ path: STATE }).reply(500, "");
    await expect(client.getState(example)).rejects.toBeInstanceOf(HttpStatusError);
    expect(observer.requests).toHaveLength(1);
  });

  it("retries network errors and succeeds", async () => {
    const { client, clock, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).replyWithError(new Error("socket hang up"));
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const call = client.getState(example);
    await vi.waitFor(() => {
      expect(clock.pending()).toContain(500);
    });
    clock.advance(500);
    await call;
    expect(observer.codes()).toEqual(["monitoring/state error", "monitoring/state 200"]);
  });

  it("fails with NetworkError after the last retry, keeping the cause", async () => {
    const { client } = createTestClient({
      dispatcher: agent,
      retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
    });
    const cause = Object.assign(new Error("connect ECONNREFUSED 192.0.2.1:443"), {
      code: "ECONNREFUSED",
    });
    pool.intercept({ path: STATE }).replyWithError(cause);
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toBeInstanceOf(MosapiTransportError);
    expect(error).toMatchObject({
      code: "MOSAPI_NETWORK",
      reason: "network",
      status: undefined,
      cause,
      message:
        "fetch monitoring/state for TLD example failed: network error (ECONNREFUSED) (GET /ry/example/v2/monitoring/state)",
    });
  });

  it("maps undici's own timeouts to TimeoutError", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    const cause = Object.assign(new Error("Headers Timeout Error"), {
      code: "UND_ERR_HEADERS_TIMEOUT",
    });
    pool.intercept({ path: STATE }).replyWithError(cause);
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "MOSAPI_TIMEOUT", cause });
  });

  it.each([400, 403, 404, 405, 409])("never retries a %i", async (status) => {
    const { client, observer } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(status, "");
    await expect(client.getState(example)).rejects.toBeInstanceOf(MosapiResponseError);
    expect(observer.requests).toHaveLength(1);
  });
});

describe("status errors", () => {
  it.each([
    ["string", { resultCode: "2011", message: "Bad dates", description: "> 31 days" }],
    ["number", { resultCode: 2011, message: "Bad dates", description: "> 31 days" }],
  ])("parses a 400 body with resultCode as a %s", async (_kind, body) => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(400, body, { headers: JSON_HEADERS });
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      code: "MOSAPI_BAD_REQUEST",
      reason: "http_error",
      status: 400,
      resultCode: "2011",
      upstreamMessage: "Bad dates",
      description: "> 31 days",
      message:
        "fetch monitoring/state for TLD example failed: HTTP 400 Bad Request: resultCode 2011: Bad dates: > 31 days (GET /ry/example/v2/monitoring/state)",
    });
  });

  it("truncates long 400 fields and survives a non-JSON 400 body", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(400, { resultCode: 1, description: "x".repeat(5000) });
    pool.intercept({ path: STATE }).reply(400, "<html>oops</html>");
    const long = (await failure(client.getState(example))) as BadRequestError;
    expect(long.description).toHaveLength(200);
    expect(long.message.length).toBeLessThan(400);
    const html = (await failure(client.getState(example))) as BadRequestError;
    expect(html.resultCode).toBeUndefined();
    expect(html.message).toBe(
      "fetch monitoring/state for TLD example failed: HTTP 400 Bad Request (GET /ry/example/v2/monitoring/state)",
    );
  });

  it.each([
    [403, ForbiddenError, "MOSAPI_FORBIDDEN", "forbidden", "HTTP 403 Forbidden"],
    [404, NotFoundError, "MOSAPI_NOT_FOUND", "not_found", "HTTP 404 Not Found"],
    [418, HttpStatusError, "MOSAPI_HTTP_STATUS", "http_error", "HTTP 418 I'm a Teapot"],
    [302, HttpStatusError, "MOSAPI_HTTP_STATUS", "http_error", "HTTP 302 Found"],
  ])("maps %i to its class", async (status, type, code, reason, what) => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(status, "");
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({
      code,
      reason,
      status,
      operation: "fetch monitoring/state",
      target: "TLD example",
      endpoint: "monitoring/state",
      path: STATE,
      message: `fetch monitoring/state for TLD example failed: ${what} (GET ${STATE})`,
    });
  });
});

describe("response bodies", () => {
  it.each([
    ["malformed JSON", "{version: 2", "application/json"],
    ["an HTML error page", "<html><body>502 Bad Gateway</body></html>", "text/html"],
    ["truncated JSON", JSON.stringify(stateBody()).slice(0, 40), "application/json"],
  ])("rejects %s with InvalidResponseError", async (_name, body, type) => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(200, body, { headers: { "content-type": type } });
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({
      code: "MOSAPI_INVALID_RESPONSE",
      reason: "invalid_response",
      status: 200,
      cause: expect.any(SyntaxError) as unknown,
      message: `fetch monitoring/state for TLD example failed: response body is not valid JSON (${type}, ${Buffer.byteLength(body)} bytes) (GET ${STATE})`,
    });
  });

  it("ignores a byte order mark before the JSON, as RFC 8259 §8.1 allows", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool
      .intercept({ path: STATE })
      .reply(200, `\uFEFF${JSON.stringify(stateBody())}`, { headers: JSON_HEADERS });
    expect((await client.getState(example)).tld).toBe("example");
  });

  it("rejects an empty body", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(200, "");
    await expect(client.getState(example)).rejects.toThrow("empty response body");
  });

  it.each([
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["deflate", deflateSync],
    ["deflate", deflateRawSync],
    ["br", brotliCompressSync],
  ])("decodes a %s body", async (encoding, compress) => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(200, compress(JSON.stringify(stateBody())), {
      headers: { ...JSON_HEADERS, "content-encoding": encoding },
    });
    expect((await client.getState(example)).tld).toBe("example");
  });

  it("rejects a corrupt gzip body and an unknown encoding", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool
      .intercept({ path: STATE })
      .reply(200, "not gzip", { headers: { "content-encoding": "gzip" } });
    pool
      .intercept({ path: STATE })
      .reply(200, "{}", { headers: { "content-encoding": "compress" } });
    const corrupt = await failure(client.getState(example));
    expect(corrupt).toMatchObject({
      code: "MOSAPI_INVALID_RESPONSE",
      cause: expect.any(Error) as unknown,
    });
    expect((corrupt as Error).message).toContain("gzip response body could not be decoded");
    await expect(client.getState(example)).rejects.toThrow(
      'unsupported content-encoding "compress"',
    );
  });

  it("caps bodies by content-length, by bytes read, and after decompression", async () => {
    const { client } = createTestClient({ dispatcher: agent, maxResponseBytes: 1024 });
    const big = JSON.stringify({ pad: "x".repeat(2000) });
    pool.intercept({ path: STATE }).reply(200, big, { headers: { "content-length": "2013" } });
    pool.intercept({ path: STATE }).reply(200, big);
    pool
      .intercept({ path: STATE })
      .reply(200, gzipSync(big), { headers: { "content-encoding": "gzip" } });
    await expect(client.getState(example)).rejects.toThrow("response body larger than 1024 bytes");
    await expect(client.getState(example)).rejects.toThrow("response body larger than 1024 bytes");
    await expect(client.getState(example)).rejects.toThrow(
      "decompressed response body larger than 1024 bytes",
    );
  });

  it("caps bodies at 10 MiB by default", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    pool.intercept({ path: STATE }).reply(200, Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain("larger than 10485760 bytes");
  });

  it("rejects a schema mismatch with SchemaError naming paths, not values", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    // The overall status is the core of a state: without it the answer is unusable.
    const body = { ...stateBody(), status: { leaked: "leaked-value-123" } };
    pool.intercept({ path: STATE }).reply(200, body, { headers: JSON_HEADERS });
    const error = await failure(client.getState(example));
    expect(error).toBeInstanceOf(SchemaError);
    expect(error).not.toBeInstanceOf(InvalidResponseError);
    const schema = error as SchemaError;
    expect(schema).toMatchObject({
      code: "MOSAPI_SCHEMA",
      reason: "invalid_response",
      status: 200,
    });
    expect(schema.cause).toBeInstanceOf(z.ZodError);
    expect(schema.issues.map((i) => i.path)).toEqual(["status"]);
    expect(schema.message).toMatch(
      /^fetch monitoring\/state for TLD example failed: unexpected response shape: status: .+ \(GET \/ry\/example\/v2\/monitoring\/state\)$/,
    );
    expect(schema.message).not.toContain("leaked-value-123");
  });
});

describe("deadline", () => {
  it("times out a slow request and reports code error", async () => {
    const gate = createGate(agent);
    const { client, clock, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 5000,
    });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const call = failure(client.getState(example));
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    clock.advance(5000);
    const error = await call;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: "MOSAPI_TIMEOUT", reason: "timeout", timeoutMs: 5000 });
    expect(observer.codes()).toEqual(["monitoring/state error"]);
    gate.release();
    await settle();
  });

  // Behaviour changed (issue 7): the wait for a slot used to count against the deadline; it now
  // has its own bound, and `timeoutMs` covers only the time spent on MoSAPI.
  it("lets a request queued for longer than the timeout behind slow requests succeed", async () => {
    const gate = createGate(agent);
    const { client, clock, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 5000,
      queueTimeoutMs: 60_000,
      maxConcurrency: 1,
    });
    for (const id of ["a", "b", "c"]) {
      pool.intercept({ path: `/ry/${id}/v2/monitoring/dns/alarmed` }).reply(200, ALARMED_NO);
    }
    const calls = ["a", "b", "c"].map((id) => client.getAlarmed(tld(id, "cert"), "dns"));
    // Each request takes 4 s upstream, within the timeout; c waits 8 s for the only slot.
    for (const id of ["a", "b", "c"]) {
      await vi.waitFor(() => {
        expect(gate.held.map((h) => h.path)).toEqual([`/ry/${id}/v2/monitoring/dns/alarmed`]);
      });
      clock.advance(4000);
      gate.release();
    }
    await Promise.all(calls);
    expect(observer.codes()).toEqual(Array(3).fill("monitoring/{service}/alarmed 200"));
  });

  it("still times out a request whose upstream exchange exceeds the timeout after a queue wait", async () => {
    const gate = createGate(agent);
    const { client, clock } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 5000,
      maxConcurrency: 1,
    });
    pool.intercept({ path: "/ry/a/v2/monitoring/state" }).reply(200, stateBody());
    pool.intercept({ path: "/ry/b/v2/monitoring/state" }).reply(200, stateBody());
    const first = client.getState(tld("a", "cert"));
    const second = failure(client.getState(tld("b", "cert")));
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    clock.advance(4000);
    gate.release();
    await first;
    await vi.waitFor(() => {
      expect(gate.held.map((h) => h.path)).toEqual(["/ry/b/v2/monitoring/state"]);
    });
    // 4 s queued do not count; 4.999 s upstream are within the timeout, 5 s are not.
    clock.advance(4999);
    await settle();
    expect(gate.held).toHaveLength(1);
    clock.advance(1);
    const error = await second;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      code: "MOSAPI_TIMEOUT",
      timeoutMs: 5000,
      message:
        "fetch monitoring/state for TLD b failed: no answer within 5000 ms (GET /ry/b/v2/monitoring/state)",
    });
    gate.release();
    await settle();
  });

  it("fails a request that waited longer than queueTimeoutMs for a slot, saying so", async () => {
    const gate = createGate(agent);
    const { client, clock, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 10_000,
      queueTimeoutMs: 3000,
      maxConcurrency: 1,
    });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const first = client.getState(example);
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    const second = failure(client.getAlarmed(tld("other", "cert"), "dns"));
    await settle();
    clock.advance(3000);
    const error = await second;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(SlotTimeoutError);
    expect(error).toMatchObject({
      code: "MOSAPI_TIMEOUT",
      reason: "timeout",
      timeoutMs: 3000,
      message:
        "fetch monitoring/dns/alarmed for TLD other failed: waited 3000 ms for a concurrency slot without getting one (GET /ry/other/v2/monitoring/dns/alarmed)",
    });
    gate.release();
    await first;
    // Nothing was sent for the request that never got a slot.
    expect(observer.codes()).toEqual(["monitoring/state 200"]);
  });

  it("gives state the next slot before other waiting requests, and counts its wait against its timeout", async () => {
    const gate = createGate(agent);
    const { client, clock, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      timeoutMs: 5000,
      queueTimeoutMs: 60_000,
      maxConcurrency: 1,
    });
    pool.intercept({ path: "/ry/a/v2/monitoring/dns/alarmed" }).reply(200, ALARMED_NO);
    pool.intercept({ path: "/ry/b/v2/monitoring/dns/alarmed" }).reply(200, ALARMED_NO);
    pool.intercept({ path: "/ry/c/v2/monitoring/state" }).reply(200, stateBody());
    const hanging = client.getAlarmed(tld("a", "cert"), "dns");
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    const queued = client.getAlarmed(tld("b", "cert"), "dns");
    await settle();
    const state = client.getState(tld("c", "cert"));
    await settle();
    // 3 s waiting for the slot, then 2 s upstream: state's 5 s are gone, slot wait included.
    clock.advance(3000);
    gate.release();
    await hanging;
    await vi.waitFor(() => {
      expect(gate.held.map((h) => h.path)).toEqual(["/ry/c/v2/monitoring/state"]);
    });
    clock.advance(1999);
    await settle();
    expect(gate.held).toHaveLength(1);
    clock.advance(1);
    const error = await failure(state);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).not.toBeInstanceOf(SlotTimeoutError);
    expect(error).toMatchObject({ code: "MOSAPI_TIMEOUT", timeoutMs: 5000 });
    // The alarmed request queued first goes after state, and still succeeds: its 5 s of
    // waiting do not count against its timeout.
    await vi.waitFor(() => {
      expect(gate.held.map((h) => h.path)).toEqual([
        "/ry/c/v2/monitoring/state",
        "/ry/b/v2/monitoring/dns/alarmed",
      ]);
    });
    gate.release();
    await queued;
    expect(observer.codes()).toEqual([
      "monitoring/{service}/alarmed 200",
      "monitoring/state error",
      "monitoring/{service}/alarmed 200",
    ]);
  });

  it("takes a queued request out of the queue at once when its caller aborts", async () => {
    const gate = createGate(agent);
    const { client, observer } = createTestClient({
      dispatcher: gate.dispatcher,
      maxConcurrency: 1,
    });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    pool.intercept({ path: "/ry/c/v2/monitoring/state" }).reply(200, stateBody());
    const first = client.getState(example);
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    const controller = new AbortController();
    const queued = failure(client.getState(tld("b", "cert"), controller.signal));
    const third = client.getState(tld("c", "cert"));
    await settle();
    const reason = new Error("reloading");
    controller.abort(reason);
    // Rejected while the slot is still held: the caller does not wait for its turn.
    expect(await queued).toBe(reason);
    expect(gate.held).toHaveLength(1);
    gate.release();
    await first;
    // The next in line is the third request; the aborted one was never sent.
    await vi.waitFor(() => {
      expect(gate.held.map((h) => h.path)).toEqual(["/ry/c/v2/monitoring/state"]);
    });
    gate.release();
    await third;
    expect(observer.codes()).toEqual(["monitoring/state 200", "monitoring/state 200"]);
  });

  it("rejects a queue timeout that is not positive", () => {
    expect(() => createTestClient({ dispatcher: agent, queueTimeoutMs: 0 })).toThrow(
      "queueTimeoutMs must be positive, got 0",
    );
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const gate = createGate(agent);
    const { client } = createTestClient({ dispatcher: gate.dispatcher });
    pool.intercept({ path: STATE }).reply(200, stateBody());
    const controller = new AbortController();
    const call = failure(client.getState(example, controller.signal));
    await vi.waitFor(() => {
      expect(gate.held).toHaveLength(1);
    });
    const reason = new Error("shutting down");
    controller.abort(reason);
    expect(await call).toBe(reason);
    gate.release();
    await settle();
  });
});

describe("concurrency", () => {
  it("caps requests in flight per credential, not across credentials", async () => {
    const gate = createGate(agent);
    const { client } = createTestClient({
      dispatcher: gate.dispatcher,
      maxConcurrency: 2,
      credentials: new Map<string, Credential>([
        ["a", certCredential],
        ["b", certCredential],
      ]),
    });
    pool
      .intercept({ path: /^\/ry\/a\d\/v2\/monitoring\/state$/ })
      .reply(200, stateBody())
      .times(6);
    pool
      .intercept({ path: /^\/ry\/b\d\/v2\/monitoring\/state$/ })
      .reply(200, stateBody())
      .times(6);
    const calls = [0, 1, 2, 3, 4, 5].flatMap((i) => [
      client.getState(tld(`a${i}`, "a")),
      client.getState(tld(`b${i}`, "b")),
    ]);
    for (let round = 0; round < 3; round += 1) {
      await vi.waitFor(() => {
        expect(gate.held).toHaveLength(4);
      });
      await settle();
      const held = gate.held.map((h) => h.path.slice(0, 5));
      expect(held.filter((p) => p.startsWith("/ry/a"))).toHaveLength(2);
      expect(held.filter((p) => p.startsWith("/ry/b"))).toHaveLength(2);
      gate.release();
    }
    await Promise.all(calls);
  });
});

describe("secrets", () => {
  const token = Buffer.from(
    `${basicCredential.kind === "basic" ? basicCredential.username : ""}:${basicCredential.kind === "basic" ? basicCredential.password : ""}`,
  ).toString("base64");
  const password = basicCredential.kind === "basic" ? basicCredential.password : "";
  const cookie = "c00kie-Secret-4f9a";

  function assertClean(text: string): void {
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
    expect(text).not.toContain(cookie);
    expect(text).not.toContain("KEYSECRET");
  }

  it("keeps the password and cookie out of errors, causes and logs", async () => {
    const { client, logs } = createTestClient({
      dispatcher: agent,
      retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
    });
    const errors: unknown[] = [];
    // undici's mock error quotes every request header, Authorization included.
    pool
      .intercept({ path: "/ry/example/login", headers: { authorization: "Basic other" } })
      .reply(200, "");
    errors.push(await failure(client.getState(tld("example"))));
    pool.cleanMocks();

    pool
      .intercept({ path: "/ry/example/login" })
      .reply(200, "", { headers: { "set-cookie": `id=${cookie}` } });
    // A 400 whose text echoes the cookie; a 200 whose broken JSON starts with it.
    pool
      .intercept({ path: STATE })
      .reply(400, { resultCode: "2016", message: `bad session id=${cookie}` });
    pool.intercept({ path: STATE }).reply(200, `${cookie} is not JSON`);
    errors.push(await failure(client.getState(tld("example"))));
    errors.push(await failure(client.getState(tld("example"))));
    // A 401 and a failed re-login.
    pool.intercept({ path: STATE }).reply(401, "");
    pool.intercept({ path: "/ry/example/login" }).reply(401, `Invalid User ${password}`);
    errors.push(await failure(client.getState(tld("example"))));
    await client.close();

    expect(errors.map((e) => (e as MosapiError).code)).toEqual([
      "MOSAPI_NETWORK",
      "MOSAPI_BAD_REQUEST",
      "MOSAPI_INVALID_RESPONSE",
      "MOSAPI_LOGIN_FAILED",
    ]);
    expect((errors[0] as Error).cause).toBeInstanceOf(Error);
    expect(((errors[0] as Error).cause as Error).message).toContain("<secret>");
    expect((errors[1] as BadRequestError).upstreamMessage).toBe("bad session id=<secret>");
    for (const error of errors) {
      // pino's error serializer prints messages and stacks of the whole cause chain.
      logs.logger.error({ err: error }, "refresh failed");
      assertClean(JSON.stringify(error, Object.getOwnPropertyNames(error)));
    }
    expect(logs.lines.length).toBeGreaterThan(4);
    for (const line of logs.lines) assertClean(line);
  });
});

describe("owned dispatchers", () => {
  it("builds an Agent per credential and closes them in close()", async () => {
    const client = new MosapiClient({
      url: ORIGIN,
      version: 2,
      timeoutMs: 1000,
      maxConcurrency: 1,
      credentials: new Map<string, Credential>([
        ["login", basicCredential],
        ["cert", certCredential],
      ]),
      tls: { minVersion: "TLSv1.3" },
      sourceAddress: "127.0.0.1",
      logger: captureLogs().logger,
      clock: new FakeClock(),
    });
    await client.close();
    await client.close();
  });
});
