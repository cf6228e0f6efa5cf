/**
 * Secrets never leave the exporter. One run over HTTPS with every kind of secret (inline,
 * file and environment passwords, a wrong password, a client key) and every kind of failure
 * that could echo one (a 400 body quoting the password, malformed JSON, an evicted session, a
 * rejected login). Everything a person or a log pipeline can see is collected: every log line
 * at debug level, /metrics, the landing page, `--config.check`, and every error message the
 * snapshot held. None may contain a password, its Basic token, a line of the private key, or
 * any session cookie the simulator issued.
 *
 * The cookies are read from undici's `undici:request:headers` diagnostics channel: it sees the
 * exporter's own responses (Set-Cookie included) without replacing its Agents, and is local to
 * this test file's worker.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { afterAll, beforeAll, expect, it } from "vitest";
import { run } from "../../src/main.js";
import type { Scenario } from "../../src/simulator/scenario.js";
import { DEMO_CERTIFICATE_CN } from "../../src/simulator/scenarios/common.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { createTestPki, type PemPair, type TestPki } from "../helpers/pki.js";
import { counterValue, onlyState, sampleValue, startE2e, type E2e } from "../helpers/start-app.js";

const PASSWORDS = {
  inline: "inl1ne-Secret-9a7b",
  file: "f1le-Secret-3c4d",
  env: "env1-Secret-5e6f",
  /** Configured for 9999_rr, which the simulator knows with `right` instead. */
  wrong: "wr0ng-Secret-7a8b",
  right: "r1ght-Secret-0c1d",
};

/** The demo world with our passwords, plus a TLD for the certificate credential. */
const scenario: Scenario = (() => {
  const demo = getScenario("demo");
  const targets = [
    ...demo.targets,
    { entity: "ry" as const, id: "invalid", services: { DNS: {} } },
  ];
  return {
    ...demo,
    name: "secrets",
    accounts: [
      { username: "example_ry", password: PASSWORDS.inline, targets: ["ry/example"] },
      { username: "test_ry", password: PASSWORDS.file, targets: ["ry/test"] },
      { username: "xn--zckzah_ry", password: PASSWORDS.env, targets: ["ry/xn--zckzah"] },
      { username: "9999_rr", password: PASSWORDS.right, targets: ["rr/9999"] },
    ],
    certificates: [{ commonName: DEMO_CERTIFICATE_CN, targets: ["ry/invalid"] }],
    targets,
  };
})();

const ENV = { E2E_XN_PASSWORD: PASSWORDS.env };

let pki: TestPki;
let client: PemPair;
let e2e: E2e;
const issuedCookies = new Set<string>();
const errorMessages = new Set<string>();
let configCheck = "";

function recordCookies(message: unknown): void {
  const headers = (message as { response?: { headers?: unknown } }).response?.headers;
  if (!Array.isArray(headers)) return;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() !== "set-cookie") continue;
    const match = /^id=([^;]*)/.exec(String(headers[i + 1]));
    if (match?.[1]) issuedCookies.add(match[1]);
  }
}

/** Error messages currently in the snapshot. */
function collectErrors(): void {
  for (const entry of e2e.app.store.current().targets) {
    for (const status of Object.values(entry.collectors)) {
      if (status.lastError !== undefined) errorMessages.add(status.lastError.message);
    }
  }
}

beforeAll(async () => {
  diagnosticsChannel.subscribe("undici:request:headers", recordCookies);
  pki = await createTestPki();
  client = await pki.client(DEMO_CERTIFICATE_CN);
  e2e = await startE2e({
    scenario,
    simulator: { tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert } },
    files: { "test.password": `${PASSWORDS.file}\n`, "ca.pem": pki.ca.cert },
    env: ENV,
    config: (sim) => ({
      mosapi: { url: sim.url, timeout: "2s", tls: { ca_file: "ca.pem" } },
      credentials: {
        inline: { basic: { username: "example_ry", password: PASSWORDS.inline } },
        file: { basic: { username: "test_ry", password_file: "test.password" } },
        env: { basic: { username: "xn--zckzah_ry", password_env: "E2E_XN_PASSWORD" } },
        wrong: { basic: { username: "9999_rr", password: PASSWORDS.wrong } },
        cert: { tls_client: { cert_file: client.certFile, key_file: client.keyFile } },
      },
      targets: [
        { tld: "example", credentials: "inline" },
        { tld: "test", credentials: "file" },
        { tld: "xn--zckzah", credentials: "env" },
        { registrar_id: "9999", credentials: "wrong" },
        { tld: "invalid", credentials: "cert" },
      ],
      collectors: onlyState("1s"),
    }),
    beforeStart: (sim) => {
      // MoSAPI quoting the password back in a 400 body; the client quotes 400 bodies.
      sim.addFault({
        kind: "status",
        status: 400,
        body: JSON.stringify({
          resultCode: "2011",
          message: `Bad request for example_ry:${PASSWORDS.inline}`,
          description: `password ${PASSWORDS.inline} rejected`,
        }),
        times: 2,
        match: { target: "ry/example", path: "/monitoring/state" },
      });
      sim.addFault({
        kind: "malformed",
        times: 2,
        match: { target: "ry/xn--zckzah", path: "/monitoring/state" },
      });
      // The first state request of test loses its session: a re-login, a second cookie.
      sim.addFault({ kind: "evict", times: 1, match: { target: "ry/test", path: "/state" } });
    },
  });

  const stdout: string[] = [];
  const code = await run(["--config.check", "--config.file", e2e.configFile], ENV, {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stdout.push(text) },
  });
  expect(code).toBe(0);
  configCheck = stdout.join("");

  await e2e.waitFor(
    async () => {
      collectErrors();
      const text = await e2e.metricsText();
      return (
        counterValue(text, "mosapi_refresh_failures_total", { tld: "example" }) >= 2 &&
        counterValue(text, "mosapi_refresh_failures_total", { tld: "xn--zckzah" }) >= 2 &&
        counterValue(text, "mosapi_refresh_failures_total", { registrar_id: "9999" }) >= 1 &&
        (e2e.sim.stats().logins["test_ry"]?.ok ?? 0) >= 2 &&
        sampleValue(text, "mosapi_up", { tld: "example" }) === 1 &&
        sampleValue(text, "mosapi_up", { tld: "xn--zckzah" }) === 1 &&
        sampleValue(text, "mosapi_up", { tld: "invalid" }) === 1
      );
    },
    { what: "every failure and the recoveries", timeoutMs: 10_000 },
  );
  collectErrors();
});

afterAll(async () => {
  diagnosticsChannel.unsubscribe("undici:request:headers", recordCookies);
  await e2e.close();
  await pki.cleanup();
});

/** Everything that must not leak, with a name for the failure message. */
function secrets(): [string, string][] {
  const keyLines = client.key
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("-----"));
  return [
    ...Object.entries(PASSWORDS).map(([name, value]): [string, string] => [
      `password ${name}`,
      value,
    ]),
    ...[
      ["example_ry", PASSWORDS.inline],
      ["test_ry", PASSWORDS.file],
      ["xn--zckzah_ry", PASSWORDS.env],
      ["9999_rr", PASSWORDS.wrong],
    ].map(([user, pw]): [string, string] => [
      `Basic token of ${user}`,
      Buffer.from(`${user}:${pw}`).toString("base64"),
    ]),
    ...keyLines.map((line, i): [string, string] => [`private key line ${i + 1}`, line]),
    ...[...issuedCookies].map((cookie, i): [string, string] => [`session cookie ${i + 1}`, cookie]),
  ];
}

function expectClean(what: string, text: string): void {
  for (const [name, secret] of secrets()) {
    expect(text.includes(secret), `${what} contains ${name}`).toBe(false);
  }
}

it("saw the secrets in use (the checks below are not vacuous)", () => {
  // example, test (twice: evicted), xn--zckzah; 9999 never got one.
  expect(issuedCookies.size).toBe(4);
  expect([...issuedCookies].every((c) => /^[0-9a-f]{40}$/.test(c))).toBe(true);
  expect(client.key).toContain("PRIVATE KEY");
  expect(e2e.sim.stats().logins).toMatchObject({
    example_ry: { ok: 1, failed: 0 },
    test_ry: { ok: 2, failed: 0 },
    "xn--zckzah_ry": { ok: 1, failed: 0 },
    "9999_rr": { ok: 0, failed: 1 },
  });
  expect([...errorMessages].some((m) => m.includes("resultCode 2011"))).toBe(true);
  expect([...errorMessages].some((m) => m.includes("not valid JSON"))).toBe(true);
  expect([...errorMessages].some((m) => m.includes('credentials "wrong" rejected'))).toBe(true);
});

it("keeps them out of the 400 error that quoted the password", () => {
  const quoted = [...errorMessages].find((m) => m.includes("resultCode 2011"));
  expect(quoted).toContain("Bad request for example_ry:<secret>");
});

it("keeps them out of every error message of the snapshot", () => {
  expect(errorMessages.size).toBeGreaterThanOrEqual(3);
  for (const message of errorMessages)
    expectClean(`error message ${JSON.stringify(message)}`, message);
});

it("keeps them out of /metrics and the landing page", async () => {
  expectClean("/metrics", await e2e.metricsText());
  expectClean("the landing page", (await e2e.get("/")).body);
});

it("keeps them out of --config.check", () => {
  expect(configCheck).toContain("password: <secret>");
  expect(configCheck).toContain("password_file: ");
  expectClean("--config.check", configCheck);
});

it("keeps them out of every log line, shutdown included", async () => {
  await e2e.close();
  const lines = e2e.logs.lines();
  expect(lines.some((l) => l.includes("MoSAPI session rejected"))).toBe(true);
  expect(lines.at(-1)).toContain('"msg":"stopped"');
  expect(e2e.sim.stats().sessions.closed).toBe(3);
  for (const line of lines) expectClean(`log line ${line}`, line);
});
