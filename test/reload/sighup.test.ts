/**
 * SIGHUP through `run()`: the reload signal is injected as an EventEmitter (the process itself
 * by default). A bad config is logged at error and kept out; a good one is applied. Both
 * outcomes show in the reload metrics. `password_env` is looked up again in `run`'s env.
 */
import { EventEmitter } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent } from "undici";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/main.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator } from "../../src/simulator/server.js";
import { DEMO_LOGINS, fetchText, sampleValue, waitFor } from "../helpers/start-app.js";

const agent = new Agent();
afterAll(async () => {
  await agent.close();
});

describe("SIGHUP", () => {
  it("reloads the config; a broken one is logged at error and the last good one kept", async () => {
    const sim = await startSimulator({ scenario: getScenario("demo") });
    const dir = await mkdtemp(path.join(tmpdir(), "mosapi-sighup-"));
    const file = path.join(dir, "config.yml");
    const write = (
      targets: string,
      collectors = "{state: 1s, alarmed: 0, downtime: 0, incidents: 0, metrica: 0}",
    ) =>
      writeFile(
        file,
        [
          `mosapi: {url: "${sim.url}", timeout: 5s}`,
          "credentials:",
          `  example-login: {basic: {username: example_ry, password: ${DEMO_LOGINS.example.password}}}`,
          `  test-login: {basic: {username: test_ry, password_env: SIGHUP_TEST_PASSWORD}}`,
          `targets: ${targets}`,
          `collectors: ${collectors}`,
          "",
        ].join("\n"),
      );
    await write("[{tld: example, credentials: example-login}]");

    let stderr = "";
    const records = (): Record<string, unknown>[] =>
      stderr
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    let stop!: (signal: string) => void;
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const reloadSignals = new EventEmitter();
    const exit = run(
      ["--config.file", file, "--web.listen-address", "127.0.0.1:0", "--log.format", "json"],
      { SIGHUP_TEST_PASSWORD: DEMO_LOGINS.test.password },
      {
        stdout: { write: () => true },
        stderr: { write: (text: string) => (stderr += text) },
        stopSignal,
        reloadSignals,
        onListening: listening,
      },
    );
    try {
      const base = await url;
      const metric = async (name: string, labels: Record<string, string> = {}) =>
        sampleValue((await fetchText(agent, `${base}/metrics`)).body, name, labels);
      await waitFor(async () => (await metric("mosapi_up", { tld: "example" })) === 1, {
        what: "example up",
      });
      const loadedAt = await metric("mosapi_exporter_config_last_reload_success_timestamp_seconds");

      await write("[{tld: example, credentials: no-such-login}]");
      reloadSignals.emit("SIGHUP");
      await waitFor(() => records().some((r) => r["level"] === "error"), {
        what: "the error log line",
      });
      const failure = records().find((r) => r["level"] === "error");
      expect(failure).toMatchObject({
        code: "CONFIG_INVALID",
        file,
        keys: ["targets[0].credentials"],
      });
      expect(String(failure?.["msg"])).toMatch(
        /^reload failed, keeping the last good configuration: .*config\.yml: targets\[0\]\.credentials/,
      );
      // POST /-/reload with the same file logs the very same line, once, at error level.
      const reply = await agent.request({ origin: base, path: "/-/reload", method: "POST" });
      expect(reply.statusCode).toBe(400);
      await reply.body.text();
      await waitFor(() => records().filter((r) => r["level"] === "error").length === 2, {
        what: "the second error log line",
      });
      const [bySignal, byHttp] = records()
        .filter((r) => r["level"] === "error")
        .map(({ time: _time, ...rest }) => rest);
      expect(byHttp).toEqual(bySignal);
      expect(bySignal).not.toHaveProperty("err");
      expect(JSON.stringify(bySignal)).not.toMatch(/ZodError|stack|\\n\s+at /);
      expect(
        records().filter((r) => /reload/.test(String(r["msg"])) && r["level"] === "warn"),
      ).toEqual([]);
      expect(await metric("mosapi_exporter_config_last_reload_successful")).toBe(0);
      expect(await metric("mosapi_exporter_config_last_reload_success_timestamp_seconds")).toBe(
        loadedAt,
      );

      await write(
        "[{tld: example, credentials: example-login}, {tld: test, credentials: test-login}]",
      );
      reloadSignals.emit("SIGHUP");
      await waitFor(async () => (await metric("mosapi_up", { tld: "test" })) === 1, {
        what: "test up after the reload",
      });
      expect(await metric("mosapi_exporter_config_last_reload_successful")).toBe(1);
      expect(records().filter((r) => r["msg"] === "reloading the configuration")).toHaveLength(2);
      expect(records().filter((r) => r["msg"] === "configuration reloaded")).toHaveLength(1);
      // Issue 16: example kept its session through both reloads; test logged in once.
      const stats = sim.stats();
      expect(stats.logins).toEqual({
        example_ry: { ok: 1, failed: 0 },
        test_ry: { ok: 1, failed: 0 },
      });
      expect(stats.requests.byEndpoint["logout"]).toBeUndefined();

      // An unchanged file: no login, no logout, and the loops run on with their sessions.
      const states = stats.requests.byEndpoint["state"] ?? 0;
      reloadSignals.emit("SIGHUP");
      await waitFor(
        () => records().filter((r) => r["msg"] === "configuration reloaded").length === 2,
        { what: "the second reload" },
      );
      await waitFor(() => (sim.stats().requests.byEndpoint["state"] ?? 0) >= states + 2, {
        what: "state refreshes after the reload",
      });
      expect(sim.stats().logins).toEqual(stats.logins);
      expect(sim.stats().requests.byEndpoint["logout"]).toBeUndefined();
    } finally {
      stop("SIGTERM");
      expect(await exit).toBe(0);
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    }
    // After the shutdown run() no longer listens for reloads.
    expect(reloadSignals.listenerCount("SIGHUP")).toBe(0);
  });
});
