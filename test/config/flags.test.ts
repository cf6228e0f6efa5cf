import { describe, expect, it } from "vitest";
import { FlagError, helpText, parseFlags } from "../../src/config/flags.js";
import type { Flags } from "../../src/config/flags.js";

const DEFAULTS: Flags = {
  configFile: "mosapi-exporter.yml",
  configCheck: false,
  listenAddress: ":9745",
  logLevel: "info",
  logFormat: "json",
  disableExporterMetrics: false,
  help: false,
  version: false,
};

function flagError(argv: readonly string[], env: Record<string, string> = {}): FlagError {
  try {
    parseFlags(argv, env);
  } catch (error) {
    if (error instanceof FlagError) return error;
    throw error;
  }
  throw new Error("expected a FlagError");
}

describe("parseFlags", () => {
  it("fills in the defaults", () => {
    expect(parseFlags([], {})).toEqual(DEFAULTS);
  });

  it("reads every flag in both --flag=value and --flag value form", () => {
    const argv = [
      "--config.file=/etc/mosapi/exporter.yml",
      "--config.check",
      "--web.listen-address",
      "127.0.0.1:9745",
      "--web.config.file=web.yml",
      "--web.disable-exporter-metrics",
      "--log.level",
      "debug",
      "--log.format=logfmt",
      "--help",
      "--version",
    ];
    expect(parseFlags(argv, {})).toEqual({
      configFile: "/etc/mosapi/exporter.yml",
      configCheck: true,
      listenAddress: "127.0.0.1:9745",
      webConfigFile: "web.yml",
      logLevel: "debug",
      logFormat: "logfmt",
      disableExporterMetrics: true,
      help: true,
      version: true,
    });
  });

  it("reads MOSAPI_EXPORTER_<FLAG> variables", () => {
    const env = {
      MOSAPI_EXPORTER_CONFIG_FILE: "env.yml",
      MOSAPI_EXPORTER_CONFIG_CHECK: "1",
      MOSAPI_EXPORTER_WEB_LISTEN_ADDRESS: "[::1]:9100",
      MOSAPI_EXPORTER_WEB_CONFIG_FILE: "web.yml",
      MOSAPI_EXPORTER_WEB_DISABLE_EXPORTER_METRICS: "true",
      MOSAPI_EXPORTER_LOG_LEVEL: "warn",
      MOSAPI_EXPORTER_LOG_FORMAT: "logfmt",
    };
    expect(parseFlags([], env)).toEqual({
      ...DEFAULTS,
      configFile: "env.yml",
      configCheck: true,
      listenAddress: "[::1]:9100",
      webConfigFile: "web.yml",
      disableExporterMetrics: true,
      logLevel: "warn",
      logFormat: "logfmt",
    });
  });

  it("lets the command line win over the environment", () => {
    const env = {
      MOSAPI_EXPORTER_CONFIG_FILE: "env.yml",
      MOSAPI_EXPORTER_LOG_LEVEL: "warn",
      MOSAPI_EXPORTER_CONFIG_CHECK: "true",
    };
    const flags = parseFlags(["--config.file=cli.yml", "--config.check=false"], env);
    expect(flags).toMatchObject({ configFile: "cli.yml", configCheck: false, logLevel: "warn" });
  });

  it("treats an empty variable as unset and ignores HELP and VERSION variables", () => {
    const env = {
      MOSAPI_EXPORTER_CONFIG_FILE: "",
      MOSAPI_EXPORTER_HELP: "true",
      MOSAPI_EXPORTER_VERSION: "1",
    };
    expect(parseFlags([], env)).toEqual(DEFAULTS);
  });

  it.each([
    ["0", false],
    ["1", true],
    ["false", false],
    ["true", true],
  ])("reads boolean %s as %s", (value, expected) => {
    expect(parseFlags([], { MOSAPI_EXPORTER_CONFIG_CHECK: value }).configCheck).toBe(expected);
    expect(parseFlags([`--config.check=${value}`], {}).configCheck).toBe(expected);
  });

  it("takes -h for --help", () => {
    expect(parseFlags(["-h"], {}).help).toBe(true);
  });

  it.each([
    [["--foo"], "unknown flag --foo; see --help"],
    [["--config.files=x"], "unknown flag --config.files; did you mean --config.file?"],
    [["-config.file", "x"], "unknown flag -config.file; did you mean --config.file?"],
    [
      ["--log.level=verbose"],
      '--log.level: invalid value "verbose"; expected one of debug, info, warn, error',
    ],
    [["--log.format", "text"], '--log.format: invalid value "text"; expected one of json, logfmt'],
    [["--config.check=yes"], '--config.check: invalid value "yes"; expected true, false, 1 or 0'],
    [["--config.file"], "--config.file: needs a value, e.g. --config.file=FILE"],
    [["--config.file", "--config.check"], "--config.file: needs a value, e.g. --config.file=FILE"],
    [["--config.file="], "--config.file: needs a non-empty value"],
    [["--log.level=debug", "--log.level=info"], "--log.level: given more than once"],
    [["config.yml"], 'unexpected argument "config.yml"; flags start with --'],
    [
      ["--web.listen-address=9745"],
      '--web.listen-address: invalid listen address "9745": no port; expected [host]:port, e.g. :9745, 127.0.0.1:9745 or [::1]:9745',
    ],
  ])("rejects %j", (argv, message) => {
    const error = flagError(argv);
    expect(error.message).toBe(message);
    expect(error.code).toBe("FLAG_INVALID");
    expect(error.name).toBe("FlagError");
  });

  it("names the variable when an environment value is invalid", () => {
    expect(flagError([], { MOSAPI_EXPORTER_LOG_LEVEL: "verbose" }).message).toBe(
      'MOSAPI_EXPORTER_LOG_LEVEL: invalid value "verbose"; expected one of debug, info, warn, error',
    );
    expect(flagError([], { MOSAPI_EXPORTER_WEB_DISABLE_EXPORTER_METRICS: "on" }).message).toBe(
      'MOSAPI_EXPORTER_WEB_DISABLE_EXPORTER_METRICS: invalid value "on"; expected true, false, 1 or 0',
    );
  });

  it("quotes a long invalid value cut, with its length", () => {
    expect(flagError([], { MOSAPI_EXPORTER_LOG_LEVEL: "v".repeat(100_000) }).message).toBe(
      `MOSAPI_EXPORTER_LOG_LEVEL: invalid value "${"v".repeat(80)}"… (100000 characters); expected one of debug, info, warn, error`,
    );
  });

  it("does not let a valid command line hide an invalid environment value", () => {
    expect(() => parseFlags(["--log.level=debug"], { MOSAPI_EXPORTER_LOG_LEVEL: "loud" })).toThrow(
      FlagError,
    );
  });
});

describe("helpText", () => {
  it("lists every flag with its variable and default", () => {
    const text = helpText();
    for (const flag of [
      "--config.file=FILE",
      "--config.check",
      "--web.listen-address=[HOST]:PORT",
      "--web.config.file=FILE",
      "--web.disable-exporter-metrics",
      "--log.level=LEVEL",
      "--log.format=FORMAT",
      "-h, --help",
      "--version",
    ]) {
      expect(text).toContain(flag);
    }
    for (const variable of [
      "MOSAPI_EXPORTER_CONFIG_FILE",
      "MOSAPI_EXPORTER_CONFIG_CHECK",
      "MOSAPI_EXPORTER_WEB_LISTEN_ADDRESS",
      "MOSAPI_EXPORTER_WEB_CONFIG_FILE",
      "MOSAPI_EXPORTER_WEB_DISABLE_EXPORTER_METRICS",
      "MOSAPI_EXPORTER_LOG_LEVEL",
      "MOSAPI_EXPORTER_LOG_FORMAT",
    ]) {
      expect(text).toContain(`env: ${variable}`);
    }
    expect(text).toContain("default: mosapi-exporter.yml");
    expect(text).toContain("default: :9745");
    expect(text).not.toContain("MOSAPI_EXPORTER_HELP");
  });
});
