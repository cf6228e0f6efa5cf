import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { loadWebConfig } from "../../src/web/load.js";
import { validateWebConfig } from "../../src/web/schema.js";
import { createTestPki, type TestPki } from "../helpers/pki.js";

const DIR = "test/fixtures/web";
const TLS_KEYS =
  "expected one of cert_file, key_file, client_auth_type, client_ca_file, client_allowed_sans, min_version, max_version";

/** One fixture per rule, with the whole message pinned. */
const INVALID: readonly (readonly [fixture: string, message: string])[] = [
  ["unknown-key", `tls_server_config.cert_fle: unknown key; ${TLS_KEYS}`],
  [
    "unsupported-key",
    `tls_server_config.cipher_suites: not supported by mosapi-exporter; ${TLS_KEYS}`,
  ],
  ["missing-cert-file", "tls_server_config.cert_file: missing required key; expected a file path"],
  [
    "unreadable-file",
    `tls_server_config.cert_file: cannot read "${DIR}/does-not-exist.crt": ENOENT (no such file or directory)\n` +
      `${DIR}/invalid-unreadable-file.yml: tls_server_config.key_file: cannot read "${DIR}/does-not-exist.key": ENOENT (no such file or directory)`,
  ],
  [
    "not-pem",
    `tls_server_config.cert_file: "${DIR}/not-pem.txt" holds no PEM certificate\n` +
      `${DIR}/invalid-not-pem.yml: tls_server_config.key_file: "${DIR}/not-pem.txt" holds no PEM private key`,
  ],
  [
    "client-auth-type",
    'tls_server_config.client_auth_type: invalid value "RequireClientCert"; expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert',
  ],
  [
    "verify-without-client-ca",
    "tls_server_config.client_ca_file: missing required key; client_auth_type RequireAndVerifyClientCert verifies client certificates against this CA",
  ],
  [
    "client-ca-without-client-auth",
    "tls_server_config.client_ca_file: set, but client_auth_type is NoClientCert; set client_auth_type: RequireAndVerifyClientCert to verify clients",
  ],
  [
    "min-version",
    'tls_server_config.min_version: "TLS11" is not supported (TLS 1.0 and 1.1 are obsolete); expected TLS12 or TLS13',
  ],
  ["max-below-min", "tls_server_config.max_version: TLS12 is below min_version TLS13"],
  [
    "bcrypt-hash",
    `basic_auth_users.prometheus: invalid bcrypt hash; expected 60 characters starting with $2y$, $2b$ or $2a$ and a cost from 04 to 31, as printed by htpasswd -nBC 10 "" | tr -d ':\\n'`,
  ],
  ["hash-type", "basic_auth_users.prometheus: expected a bcrypt hash; got a number"],
  [
    "user-name",
    'basic_auth_users["a:…"]: invalid user name; must not be empty or contain ":" or a line break',
  ],
  [
    "rate-limit-burst",
    "rate_limit.burst: must be at least 1; with an interval, a burst of 0 would refuse every request",
  ],
  [
    "rate-limit-interval",
    'rate_limit.interval: invalid duration "1.5s": expected a number with a unit (ms, s, m, h, d), e.g. 90s, 5m, 6h, or 0 to disable',
  ],
  [
    "client-allowed-sans",
    "tls_server_config.client_allowed_sans: needs client_auth_type RequireAndVerifyClientCert or RequireAnyClientCert; with VerifyClientCertIfGiven a client may connect without a certificate, leaving no SAN to match",
  ],
  [
    "header",
    'http_server_config.headers.X-Frame-Options: invalid value "allow"; expected deny or sameorigin\n' +
      `${DIR}/invalid-header.yml: http_server_config.headers.X-Powered-By: unknown key; expected one of Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, Strict-Transport-Security`,
  ],
];

async function loadError(file: string): Promise<ConfigError> {
  const error: unknown = await loadWebConfig(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("loadWebConfig: invalid files", () => {
  it.each(INVALID)("invalid-%s.yml", async (name, message) => {
    const file = `${DIR}/invalid-${name}.yml`;
    const error = await loadError(file);
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.message).toBe(`${file}: ${message}`);
  });

  it("a missing file is CONFIG_UNREADABLE, naming the file", async () => {
    const error = await loadError(`${DIR}/nope.yml`);
    expect(error.code).toBe("CONFIG_UNREADABLE");
    expect(error.message).toBe(
      `${DIR}/nope.yml: cannot read the file: ENOENT (no such file or directory)`,
    );
  });

  it("a malformed bcrypt hash appears neither in the message nor in the cause", async () => {
    const error = await loadError(`${DIR}/invalid-bcrypt-hash.yml`);
    expect(inspect(error, { depth: 20 })).not.toContain("tooShortToBeAHash");
  });
});

describe("loadWebConfig: TLS files", () => {
  let pki: TestPki;
  let other: TestPki;
  let dir: string;

  beforeAll(async () => {
    [pki, other] = await Promise.all([createTestPki(), createTestPki("other CA")]);
    dir = mkdtempSync(join(tmpdir(), "mosapi-web-load-"));
    writeFileSync(join(dir, "server.crt"), pki.server.cert);
    writeFileSync(join(dir, "server.key"), pki.server.key);
    writeFileSync(join(dir, "other.key"), other.server.key);
    writeFileSync(join(dir, "ca.crt"), pki.ca.cert);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([pki.cleanup(), other.cleanup()]);
  });

  function write(name: string, text: string): string {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  it("resolves relative paths against the web config's directory and applies defaults", async () => {
    const file = write(
      "good.yml",
      [
        "tls_server_config:",
        "  cert_file: server.crt",
        "  key_file: server.key",
        "  client_auth_type: RequireAndVerifyClientCert",
        "  client_ca_file: ca.crt",
        "http_server_config:",
        "  http2: false",
        "  headers: {X-Content-Type-Options: nosniff, X-Frame-Options: ''}",
        "basic_auth_users:",
        "  prometheus: $2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG",
        "",
      ].join("\n"),
    );
    const web = await loadWebConfig(file);
    expect(web.tls).toEqual({
      certFile: join(dir, "server.crt"),
      keyFile: join(dir, "server.key"),
      clientAuthType: "RequireAndVerifyClientCert",
      clientCaFile: join(dir, "ca.crt"),
      minVersion: "TLS12",
      maxVersion: "TLS13",
    });
    expect(web.headers).toEqual({ "X-Content-Type-Options": "nosniff" });
    expect([...web.basicAuthUsers.keys()]).toEqual(["prometheus"]);
    expect(Object.isFrozen(web)).toBe(true);
  });

  it("client-allowed-sans.yml: the SANs allowed, as listed", async () => {
    const file = join(dir, "client-allowed-sans.yml");
    copyFileSync(`${DIR}/client-allowed-sans.yml`, file);
    const web = await loadWebConfig(file);
    expect(web.tls?.clientAllowedSans).toEqual(["prometheus.monitoring.svc", "10.0.0.7"]);
  });

  it("an empty file means plain HTTP without authentication", async () => {
    const web = await loadWebConfig(write("empty.yml", "# nothing yet\n"));
    expect(web.tls).toBeUndefined();
    expect(web.basicAuthUsers.size).toBe(0);
  });

  it("a key that does not match the certificate is named by OpenSSL's reason, never shown", async () => {
    const file = write(
      "mismatch.yml",
      "tls_server_config: {cert_file: server.crt, key_file: other.key}\n",
    );
    const error = await loadError(file);
    expect(error.message).toMatch(
      new RegExp(
        `^${file}: tls_server_config: cannot use cert_file and key_file: .*key values mismatch`,
      ),
    );
    const shown = inspect(error, { depth: 20 });
    expect(shown).not.toContain("PRIVATE KEY");
    expect(shown).not.toContain(other.server.key.split("\n")[1]);
  });
});

describe("loadWebConfig: exporter-toolkit keys without files", () => {
  it("rate-limit.yml: a token bucket of one request per interval, burst at once", async () => {
    const web = await loadWebConfig(`${DIR}/rate-limit.yml`);
    expect(web.rateLimit).toEqual({ intervalMs: 1000, burst: 5 });
  });

  it("rate_limit with interval 0 is off, as in exporter-toolkit", async () => {
    expect(validateWebConfig({ rate_limit: { interval: 0, burst: 0 } })).toMatchObject({
      ok: true,
    });
    const dir = mkdtempSync(join(tmpdir(), "mosapi-web-rate-"));
    const file = join(dir, "off.yml");
    writeFileSync(file, "rate_limit: {interval: 0}\n");
    expect((await loadWebConfig(file)).rateLimit).toBeUndefined();
  });

  it("headers.yml: every header exporter-toolkit allows, with its value", async () => {
    const web = await loadWebConfig(`${DIR}/headers.yml`);
    expect(web.headers).toEqual({
      "Content-Security-Policy": "default-src 'none'",
      "X-Frame-Options": "sameorigin",
      "X-Content-Type-Options": "nosniff",
      "X-XSS-Protection": "1; mode=block",
      "Strict-Transport-Security": "max-age=31536000",
    });
  });
});
