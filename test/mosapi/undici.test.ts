import { Agent, Dispatcher, MockAgent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { AgentClass, dispatcherRequest, request } from "../../src/mosapi/undici.js";

describe("undici's parts, loaded on their own", () => {
  // undici's layout is not a public contract: these fail when an upgrade moves the files.
  it("are the very Agent and request undici's index exports", () => {
    expect(AgentClass).toBe(Agent);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared, never called
    expect(dispatcherRequest).toBe(Dispatcher.prototype.request);
  });
});

describe("request", () => {
  let mock: MockAgent | undefined;
  afterEach(async () => {
    mock?.assertNoPendingInterceptors();
    await mock?.close();
    mock = undefined;
  });

  function mockOrigin(): ReturnType<MockAgent["get"]> {
    mock = new MockAgent();
    mock.disableNetConnect();
    return mock.get("https://mosapi.example.net:8443");
  }

  it("sends through the given dispatcher, with the URL's path and query", async () => {
    mockOrigin()
      .intercept({
        path: "/ry/example/v2/monitoring/state?since=1",
        method: "GET",
        headers: { cookie: "id=abc" },
      })
      .reply(200, '{"status":"Up"}', { headers: { "content-type": "application/json" } });

    const response = await request(
      "https://mosapi.example.net:8443/ry/example/v2/monitoring/state?since=1",
      { method: "GET", headers: { cookie: "id=abc" }, dispatcher: mock! },
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(await response.body.text()).toBe('{"status":"Up"}');
  });

  it("rejects with the signal's reason when it aborts", async () => {
    mockOrigin()
      .intercept({ path: "/ry/example/v2/monitoring/state", method: "GET" })
      .reply(200, "{}")
      .delay(1000);
    const controller = new AbortController();
    const reason = new Error("deadline");

    const response = request("https://mosapi.example.net:8443/ry/example/v2/monitoring/state", {
      method: "GET",
      dispatcher: mock!,
      signal: controller.signal,
    });
    controller.abort(reason);

    await expect(response).rejects.toBe(reason);
  });
});
