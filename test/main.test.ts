import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getScenario } from "../src/simulator/scenarios/index.js";
import { startSimulator } from "../src/simulator/server.js";
import { run } from "../src/main.js";
import { packageVersion } from "../src/version.js";
import { fixtureText } from "./helpers/fixtures.js";

function capture() {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    },
    out: () => out,
    err: () => err,
  };
}

describe("run()", () => {
  it("--config.check prints the redacted summary and exits 0", async () => {
    const c = capture();
    const code = await run(
      ["--config.check", "--config.file", "test/fixtures/config/minimal.yml"],
      {},
      c.io,
    );
    expect(code).toBe(0);
    expect(c.out()).toBe(fixtureText("config/minimal.check.txt"));
    expect(c.err()).toBe("");
  });

  it("an invalid config exits 1 with the golden message on stderr, never a stack trace", async () => {
    const c = capture();
    const file = "test/fixtures/config/invalid-bad-duration.yml";
    const code = await run(["--config.file", file], {}, c.io);
    expect(code).toBe(1);
    expect(c.err()).toBe(fixtureText("config/invalid-bad-duration.txt"));
    expect(c.err()).not.toMatch(/\n\s+at /);
  });

  it("reads the config file from MOSAPI_EXPORTER_CONFIG_FILE", async () => {
    const c = capture();
    const code = await run(
      ["--config.check"],
      { MOSAPI_EXPORTER_CONFIG_FILE: "test/fixtures/config/minimal.yml" },
      c.io,
    );
    expect(code).toBe(0);
    expect(c.out()).toContain("configuration test/fixtures/config/minimal.yml is valid");
  });

  it("an unknown flag exits 1 naming the flag", async () => {
    const c = capture();
    expect(await run(["--web.listen-adress=:1"], {}, c.io)).toBe(1);
    expect(c.err()).toContain("--web.listen-adress");
    expect(c.err()).toContain("Try --help.");
  });

  it("an unreadable --web.config.file exits 1 naming the file", async () => {
    const c = capture();
    const argv = [
      "--config.file",
      "test/fixtures/config/minimal.yml",
      "--web.config.file",
      "web.yml",
    ];
    expect(await run(argv, {}, c.io)).toBe(1);
    expect(c.err()).toBe("web.yml: cannot read the file: ENOENT (no such file or directory)\n");
  });

  it("--help and --version exit 0", async () => {
    const help = capture();
    expect(await run(["--help"], {}, help.io)).toBe(0);
    expect(help.out()).toContain("--config.file");
    const version = capture();
    expect(await run(["--version"], {}, version.io)).toBe(0);
    expect(version.out()).toBe(`mosapi-exporter ${packageVersion()} (node ${process.version})\n`);
  });

  it("runs the exporter until the stop signal, then shuts down cleanly with exit 0", async () => {
    const sim = await startSimulator({ scenario: getScenario("healthy") });
    const config = join(mkdtempSync(join(tmpdir(), "mosapi-main-")), "config.yml");
    writeFileSync(
      config,
      [
        `mosapi: {url: "${sim.url}"}`,
        "credentials:",
        "  example-login: {basic: {username: example_ry, password: demo-example}}",
        "targets: [{tld: example, credentials: example-login}]",
        "",
      ].join("\n"),
    );
    const c = capture();
    let stop!: (signal: string) => void;
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    let listening!: (url: string) => void;
    const url = new Promise<string>((resolve) => (listening = resolve));
    const exit = run(
      ["--config.file", config, "--web.listen-address", "127.0.0.1:0", "--log.format", "logfmt"],
      {},
      { ...c.io, stopSignal, onListening: listening },
    );
    const base = await url;
    const healthy = await fetch(`${base}/-/healthy`);
    expect(healthy.status).toBe(200);
    stop("SIGTERM");
    expect(await exit).toBe(0);
    expect(c.err()).toMatch(/level=info msg="shutting down" signal=SIGTERM/);
    expect(c.err()).toMatch(/msg=stopped/);
    await sim.close();
  });
});
