/**
 * `run()` with `--web.config.file`, end to end against the in-process simulator: HTTPS with a
 * throwaway CA, Basic auth on everything but /-/healthy, and no secret in any output.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/main.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator } from "../../src/simulator/server.js";
import { createTestPki, type TestPki } from "../helpers/pki.js";
import { httpsGet } from "./https-get.js";

const PASSWORD = "scrape-Pa55word";
const HASH = bcrypt.hashSync(PASSWORD, 4);
const MOSAPI_PASSWORD = "demo-example";

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

let pki: TestPki;
let dir: string;

beforeAll(async () => {
  pki = await createTestPki();
  dir = mkdtempSync(join(tmpdir(), "mosapi-web-main-"));
  // Relative paths in the web config resolve against its own directory, not the cwd.
  copyFileSync(pki.server.certFile, join(dir, "server.crt"));
  copyFileSync(pki.server.keyFile, join(dir, "server.key"));
  writeFileSync(
    join(dir, "web.yml"),
    [
      "tls_server_config:",
      "  cert_file: server.crt",
      "  key_file: server.key",
      "  min_version: TLS12",
      "basic_auth_users:",
      `  prometheus: ${HASH}`,
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pki.cleanup();
});

describe("run() --web.config.file", () => {
  it("serves HTTPS with Basic auth, /-/healthy open, and no secret in any output", async () => {
    const sim = await startSimulator({ scenario: getScenario("healthy") });
    const config = join(dir, "config.yml");
    writeFileSync(
      config,
      [
        `mosapi: {url: "${sim.url}"}`,
        "credentials:",
        `  example-login: {basic: {username: example_ry, password: ${MOSAPI_PASSWORD}}}`,
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
      [
        "--config.file",
        config,
        "--web.config.file",
        join(dir, "web.yml"),
        "--web.listen-address",
        "127.0.0.1:0",
        "--log.level",
        "debug",
      ],
      {},
      { ...c.io, stopSignal, onListening: listening },
    );
    try {
      const base = await url;
      expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = pki.ca.cert;
      expect((await httpsGet(`${base}/-/healthy`, { ca })).status).toBe(200);
      const denied = await httpsGet(`${base}/metrics`, { ca });
      expect(denied.status).toBe(401);
      expect(denied.headers["www-authenticate"]).toBe('Basic realm="mosapi-exporter"');
      expect((await httpsGet(`${base}/metrics`, { ca, auth: "prometheus:wrong" })).status).toBe(
        401,
      );
      const metrics = await httpsGet(`${base}/metrics`, { ca, auth: `prometheus:${PASSWORD}` });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain("mosapi_");
      const landing = await httpsGet(`${base}/`, { ca, auth: `prometheus:${PASSWORD}` });
      expect(landing.status).toBe(200);

      const shown = [c.out(), c.err(), metrics.body, landing.body].join("\n");
      expect(shown).toContain('"msg":"web configuration applied"');
      for (const secret of [PASSWORD, HASH, MOSAPI_PASSWORD, "PRIVATE KEY"]) {
        expect(shown).not.toContain(secret);
      }
      expect(shown).not.toContain(pki.server.key.split("\n")[1]);
    } finally {
      stop("SIGTERM");
      expect(await exit).toBe(0);
      await sim.close();
    }
  });

  it("an invalid web config exits 1 with the key path and file, before anything starts", async () => {
    const c = capture();
    const file = "test/fixtures/web/invalid-verify-without-client-ca.yml";
    const code = await run(
      ["--config.file", "test/fixtures/config/minimal.yml", "--web.config.file", file],
      {},
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err()).toBe(
      `${file}: tls_server_config.client_ca_file: missing required key; client_auth_type RequireAndVerifyClientCert verifies client certificates against this CA\n`,
    );
  });

  it("an unreadable web config file exits 1 naming it", async () => {
    const c = capture();
    const code = await run(
      ["--config.file", "test/fixtures/config/minimal.yml", "--web.config.file", "nope/web.yml"],
      {},
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err()).toBe(
      "nope/web.yml: cannot read the file: ENOENT (no such file or directory)\n",
    );
  });

  it("--config.check validates the web config too", async () => {
    const c = capture();
    const code = await run(
      [
        "--config.check",
        "--config.file",
        "test/fixtures/config/minimal.yml",
        "--web.config.file",
        "test/fixtures/web/invalid-bcrypt-hash.yml",
      ],
      {},
      c.io,
    );
    expect(code).toBe(1);
    expect(c.err()).toContain("basic_auth_users.prometheus: invalid bcrypt hash");
    expect(c.err()).not.toContain("tooShortToBeAHash");
  });
});
