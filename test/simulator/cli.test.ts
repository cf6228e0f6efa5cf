import { describe, expect, it } from "vitest";
import { Agent } from "undici";
import { banner, parseCli, run, usage } from "../../src/simulator/cli.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { fetchText } from "./support.js";

/** Collects what `run` writes; `stop()` ends the run. */
function io() {
  const out: string[] = [];
  const err: string[] = [];
  let stop: (reason: string) => void = () => undefined;
  let listening: (url: string) => void = () => undefined;
  return {
    out,
    err,
    stop: (reason: string) => {
      stop(reason);
    },
    listening: new Promise<string>((resolve) => (listening = resolve)),
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      stop: new Promise<string>((resolve) => (stop = resolve)),
      onListening: (url: string) => {
        listening(url);
      },
    },
  };
}

describe("parseCli", () => {
  it("defaults to the demo scenario on 127.0.0.1:9746 without TLS", () => {
    expect(parseCli([])).toEqual({ host: "127.0.0.1", port: 9746, scenario: getScenario("demo") });
  });

  it("reads every flag", () => {
    const cli = parseCli([
      "--port=0",
      "--host",
      "::1",
      "--scenario",
      "dns-down",
      "--tls-cert",
      "c.pem",
      "--tls-key",
      "k.pem",
      "--tls-client-ca",
      "ca.pem",
    ]);
    expect(cli).toEqual({
      host: "::1",
      port: 0,
      scenario: getScenario("dns-down"),
      tls: { certFile: "c.pem", keyFile: "k.pem", clientCaFile: "ca.pem" },
    });
    expect(parseCli(["--help"])).toBe("help");
  });

  it.each([
    [["--port", "http"], /--port must be a port number/],
    [["--port", "70000"], /--port must be a port number/],
    [["--scenario", "nope"], /unknown scenario "nope"; one of: demo/],
    [["--tls-cert", "c.pem"], /--tls-cert and --tls-key go together/],
    [["--tls-client-ca", "ca.pem"], /--tls-client-ca needs --tls-cert and --tls-key/],
    [["--verbose"], /Unknown option '--verbose'/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe("banner and usage", () => {
  it("show the URL, accounts, certificate identities and scenarios", () => {
    const text = banner("http://127.0.0.1:9746", getScenario("demo"));
    expect(text).toContain("MoSAPI simulator listening on http://127.0.0.1:9746\n");
    expect(text).toContain("  example_ry / demo-example  (ry/example)\n");
    expect(text).toContain("  9999_rr / demo-9999  (rr/9999)\n");
    expect(text).toContain(
      "  CN=rsp.demo.invalid  (ry/example, ry/test, ry/xn--zckzah, rr/9999)\n",
    );
    expect(usage()).toContain("  maintenance     example: SLAM maintenance");
  });
});

describe("run", () => {
  it("serves the scenario until stopped, logging requests", async () => {
    const t = io();
    const exit = run(["--port", "0", "--scenario", "healthy"], t.io);
    const url = await t.listening;
    const agent = new Agent();
    try {
      expect((await fetchText(agent, `${url}/ry/example/login`)).status).toBe(401);
    } finally {
      await agent.close();
    }
    t.stop("SIGTERM");
    expect(await exit).toBe(0);
    const text = t.out.join("");
    expect(text).toContain(`MoSAPI simulator listening on ${url}\nScenario healthy:`);
    expect(text).toMatch(/GET \/ry\/example\/login 401 \d+ms \(anonymous\)\n/);
    expect(text).toMatch(/Received SIGTERM, shutting down\n$/);
  });

  it("prints usage for --help and exits 0", async () => {
    const t = io();
    expect(await run(["--help"], t.io)).toBe(0);
    expect(t.out.join("")).toBe(usage());
  });

  it("exits 2 with the reason and usage for a bad command line", async () => {
    const t = io();
    expect(await run(["--scenario", "nope"], t.io)).toBe(2);
    expect(t.err.join("")).toMatch(/^mosapi-simulator: unknown scenario "nope"; .*\n\nUsage: /s);
  });

  it("exits 1 when it cannot start", async () => {
    const t = io();
    const missing = [
      "--port",
      "0",
      "--tls-cert",
      "/nonexistent/c.pem",
      "--tls-key",
      "/nonexistent/k.pem",
    ];
    expect(await run(missing, t.io)).toBe(1);
    expect(t.err.join("")).toMatch(/^mosapi-simulator: cannot start: ENOENT/);
  });
});
