import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { formatProblem } from "../../src/config/errors.js";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/load.js";

// Paths as a user would type them from the repository root, so messages (which quote the path
// exactly as given) are the same on every machine.
const FIXTURES = path.relative(
  process.cwd(),
  fileURLToPath(new URL("../fixtures/config/", import.meta.url)),
);
const fixture = (name: string): string => path.join(FIXTURES, name);

const ENV = { MOSAPI_TEST_PASSWORD: "env-secret-5d8e", MOSAPI_TEST_EMPTY: "" };

/** Every secret value that appears in a fixture (files, inline, environment). */
const SECRETS = [
  "example-file-secret-7f3a",
  "inline-secret-91c2",
  "env-secret-5d8e",
  "two-sources-secret-6e2f",
  "block-secret-44d1",
  "731904",
  "url-secret-3a7d",
  "flow-secret-8b1e",
  "many-secret-1f9a",
  "first-line",
  "VGhpcyBpcyBub3QgYSByZWFsIHByaXZhdGUga2V5",
];

async function loadError(file: string, env: Record<string, string> = ENV): Promise<ConfigError> {
  const error: unknown = await loadConfig(file, { env }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ConfigError))
    throw new Error(`expected a ConfigError, got ${inspect(error)}`);
  return error;
}

const goldens = (await readdir(FIXTURES))
  .filter((name) => name.startsWith("invalid-") && name.endsWith(".txt"))
  .sort();

describe("loadConfig rejects each invalid fixture with its exact message", () => {
  it.each(goldens)("%s", async (golden) => {
    const file = fixture(golden.replace(/\.txt$/, ".yml"));
    const expected = await readFile(fixture(golden), "utf8");
    const error = await loadError(file);
    expect(`${error.message}\n`).toBe(expected);
    expect(error.code).toBe(
      golden === "invalid-missing-file.txt" ? "CONFIG_UNREADABLE" : "CONFIG_INVALID",
    );
    expect(error.name).toBe("ConfigError");
    expect(error.file).toBe(file);
    expect(error.problems.map((problem) => formatProblem(file, problem)).join("\n")).toBe(
      error.message,
    );
  });

  it("has a golden for every invalid config and a config for every golden", async () => {
    const names = await readdir(FIXTURES);
    const configs = names.filter((name) => name.startsWith("invalid-") && name.endsWith(".yml"));
    expect(configs.map((name) => name.replace(/\.yml$/, ".txt")).sort()).toEqual(
      goldens.filter((name) => name !== "invalid-missing-file.txt"),
    );
    expect(goldens.length).toBeGreaterThanOrEqual(40);
  });

  it("never shows a secret, in the message, the problems, or the error's causes", async () => {
    for (const golden of goldens) {
      const error = await loadError(fixture(golden.replace(/\.txt$/, ".yml")));
      const dump = `${error.message}\n${JSON.stringify(error.problems)}\n${inspect(error, { depth: 10 })}`;
      for (const secret of SECRETS) expect(dump, golden).not.toContain(secret);
      expect(error.message, golden).not.toMatch(/^\s+at /m);
    }
  });
});

describe("loadConfig with a valid config", () => {
  it("resolves every key and secret of good.yml", async () => {
    const file = fixture("good.yml");
    const config = await loadConfig(file, { env: ENV });
    const pem = (name: string) => readFile(fixture(`secrets/${name}`), "utf8");
    expect(config).toEqual({
      file,
      mosapi: {
        url: "https://mosapi-ote.icann.org",
        version: 2,
        timeoutMs: 20_000,
        maxConcurrency: 2,
        sourceAddress: "192.0.2.10",
        tls: {
          caFile: fixture("secrets/ca.pem"),
          ca: await pem("ca.pem"),
          minVersion: "TLSv1.3",
          insecureSkipVerify: false,
        },
      },
      credentials: new Map([
        [
          "rsp-cert",
          {
            kind: "tls_client",
            certFile: fixture("secrets/client.crt"),
            keyFile: fixture("secrets/client.key"),
            cert: await pem("client.crt"),
            key: await pem("client.key"),
          },
        ],
        [
          "example-login",
          { kind: "basic", username: "example_ry", password: "example-file-secret-7f3a" },
        ],
        ["env-login", { kind: "basic", username: "test_ry", password: "env-secret-5d8e" }],
        ["inline-login", { kind: "basic", username: "9998", password: "inline-secret-91c2" }],
      ]),
      targets: [
        { entity: "ry", id: "example", credentials: "example-login" },
        { entity: "ry", id: "xn--9dbq2a", credentials: "rsp-cert", troubleshooting: "always" },
        { entity: "rr", id: "9999", credentials: "rsp-cert" },
        { entity: "ry", id: "test", credentials: "env-login" },
        { entity: "rr", id: "9998", credentials: "inline-login" },
      ],
      collectors: {
        state: 90_000,
        alarmed: 300_000,
        downtime: 600_000,
        incidents: 150_000,
        metrica: 0,
        measurements: 600_000,
        troubleshooting: 300_000,
      },
      warnings: [],
    } satisfies Config);
  });

  it("fills in every default for minimal.yml", async () => {
    const config = await loadConfig(fixture("minimal.yml"), { env: {} });
    expect(config.mosapi).toEqual({
      url: "https://mosapi.icann.org",
      version: 2,
      timeoutMs: 15_000,
      maxConcurrency: 4,
      tls: { minVersion: "TLSv1.2", insecureSkipVerify: false },
    });
    expect(config.collectors).toEqual({
      state: 60_000,
      alarmed: 300_000,
      downtime: 300_000,
      incidents: 300_000,
      metrica: 21_600_000,
      measurements: 300_000,
      troubleshooting: 0,
    });
    expect(config.warnings).toEqual([]);
  });

  it("returns a deeply frozen config", async () => {
    const config = await loadConfig(fixture("good.yml"), { env: ENV });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.mosapi.tls)).toBe(true);
    expect(Object.isFrozen(config.targets[0])).toBe(true);
    expect(Object.isFrozen(config.collectors)).toBe(true);
    expect(Object.isFrozen(config.credentials.get("rsp-cert"))).toBe(true);
    expect(Object.isFrozen(config.warnings)).toBe(true);
  });

  it("warns about short intervals against ICANN, not against the simulator on loopback", async () => {
    const icann = await loadConfig(fixture("warnings.yml"), { env: ENV });
    expect(icann.warnings).toContain(
      "collectors.state: 10s is below 1m; ICANN regenerates MoSAPI data about once a minute, so shorter intervals only add load on mosapi.icann.org (they are meant for the simulator)",
    );
    const simulator = await loadConfig(fixture("simulator.yml"), { env: {} });
    expect(simulator.collectors.state).toBe(5_000);
    expect(simulator.warnings).toEqual([]);
  });
});

describe("loadConfig and files", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function tempConfig(files: Record<string, string>): Promise<string> {
    dir = await mkdtemp(path.join(os.tmpdir(), "mosapi-exporter-config-"));
    for (const [name, content] of Object.entries(files)) {
      await writeFile(path.join(dir, name), content);
    }
    return path.join(dir, "config.yml");
  }

  const config = (passwordFile: string) =>
    `credentials:\n  login:\n    basic: {username: u, password_file: ${JSON.stringify(passwordFile)}}\n` +
    "targets:\n  - {tld: example, credentials: login}\n";

  it("strips exactly one trailing LF or CRLF from a password file", async () => {
    const cases = { "lf.txt": "pw-lf\n", "crlf.txt": "pw-crlf\r\n", "none.txt": "pw-none" };
    for (const [name, content] of Object.entries(cases)) {
      const file = await tempConfig({ "config.yml": config(name), [name]: content });
      const loaded = await loadConfig(file, { env: {} });
      expect(loaded.credentials.get("login")).toEqual({
        kind: "basic",
        username: "u",
        password: content.replace(/\r?\n$/, ""),
      });
    }
  });

  it("reads secret files again on every load (reload picks up a rotated password)", async () => {
    const file = await tempConfig({ "config.yml": config("pw.txt"), "pw.txt": "old-pw\n" });
    const first = await loadConfig(file, { env: {} });
    await writeFile(path.join(path.dirname(file), "pw.txt"), "new-pw\n");
    const second = await loadConfig(file, { env: {} });
    expect(first.credentials.get("login")).toMatchObject({ password: "old-pw" });
    expect(second.credentials.get("login")).toMatchObject({ password: "new-pw" });
  });

  it("takes an absolute secret path as it is and quotes the config path as given", async () => {
    const file = await tempConfig({ "config.yml": config("/no/such/dir/pw.txt") });
    const error = await loadError(file);
    expect(error.message).toBe(
      `${file}: credentials.login.basic.password_file: cannot read "/no/such/dir/pw.txt": ENOENT (no such file or directory)`,
    );
  });

  it("reports an unreadable config file as CONFIG_UNREADABLE", async () => {
    const file = await tempConfig({ "config.yml": "" });
    const error = await loadError(path.dirname(file));
    expect(error.code).toBe("CONFIG_UNREADABLE");
    expect(error.message).toBe(
      `${path.dirname(file)}: cannot read the file: EISDIR (illegal operation on a directory)`,
    );
  });

  it("reports an unresolved YAML alias", async () => {
    const file = await tempConfig({ "config.yml": "targets: *nowhere\n" });
    const error = await loadError(file);
    expect(error.message).toBe(
      `${file}: invalid YAML: Unresolved alias (the anchor must be set before the alias): nowhere`,
    );
  });

  it("does not echo a secret on a YAML syntax error in its line", async () => {
    const file = await tempConfig({
      "config.yml": 'credentials:\n  x:\n    basic: {username: u, password: "quote-secret-5e0b}\n',
    });
    const error = await loadError(file);
    expect(error.message).toMatch(/invalid YAML at line \d+, column \d+: /);
    expect(inspect(error, { depth: 10 })).not.toContain("quote-secret-5e0b");
  });
});
