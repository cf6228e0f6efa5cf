import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

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

  it("without a config names the default file and how to name another", async () => {
    const c = capture();
    expect(await run([], {}, c.io)).toBe(1);
    expect(c.err()).toBe(
      "mosapi-exporter.yml: cannot read the file: ENOENT (no such file or directory)\n" +
        "mosapi-exporter: mosapi-exporter.yml (in the current directory) is the default; name " +
        "your file with --config.file=FILE or MOSAPI_EXPORTER_CONFIG_FILE. Try --help.\n",
    );
    const named = capture();
    expect(await run(["--config.file", "nope.yml"], {}, named.io)).toBe(1);
    expect(named.err()).toBe(
      "nope.yml: cannot read the file: ENOENT (no such file or directory)\n",
    );
  });

  it("a busy listen address exits 1 with one line naming the flag, never a stack trace", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const c = capture();
      const argv = ["--config.file", "test/fixtures/config/minimal.yml"];
      expect(await run([...argv, `--web.listen-address=127.0.0.1:${port}`], {}, c.io)).toBe(1);
      expect(
        c
          .err()
          .split("\n")
          .filter((l) => !l.startsWith("{")),
      ).toEqual([
        `mosapi-exporter: --web.listen-address=127.0.0.1:${port}: the address is already in use (another exporter or demo running?)`,
        "",
      ]);
      // TEST-NET-1 (RFC 5737) is on no interface of this machine.
      const absent = capture();
      expect(await run([...argv, "--web.listen-address=192.0.2.1:0"], {}, absent.io)).toBe(1);
      expect(absent.err()).toContain(
        "mosapi-exporter: --web.listen-address=192.0.2.1:0: no network interface of this machine has that address\n",
      );
      expect(c.err() + absent.err()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
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
    const dir = mkdtempSync(join(tmpdir(), "mosapi-main-"));
    dirs.push(dir);
    const config = join(dir, "config.yml");
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
