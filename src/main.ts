#!/usr/bin/env node
/**
 * Process entry point: flags and environment in, exit code out. No logic beyond choosing
 * what to run; {@link run} is what tests call.
 */
import { fs } from "./util/builtins.js";
import { fileURLToPath } from "node:url";
import { startApp } from "./app/start.js";
import { ConfigError } from "./config/errors.js";
import {
  DEFAULT_CONFIG_FILE,
  FlagError,
  helpText,
  parseFlags,
  parseListenAddress,
} from "./config/flags.js";
import { formatConfigCheck } from "./config/redact.js";
import { loadConfig } from "./config/load.js";
import { ListenError } from "./http/server.js";
import { createLogger } from "./log/logger.js";
import { loadWebConfig } from "./web/load.js";
import { packageVersion } from "./version.js";

/** Where `run` writes and what stops it. Defaults are the real process. */
export interface RunIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT by default). */
  readonly stopSignal?: Promise<string>;
  /** Emits `SIGHUP` when the config should be reloaded; default the process itself. */
  readonly reloadSignals?: ReloadSignals;
  /** Called once the exporter is listening (tests, demo). */
  readonly onListening?: (url: string) => void;
}

/** Where reload requests come from: the process, or an EventEmitter in tests. */
export interface ReloadSignals {
  on(event: "SIGHUP", listener: () => void): unknown;
  off(event: "SIGHUP", listener: () => void): unknown;
}

/** Upper bound for an orderly shutdown before we give up and exit non-zero. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

function processStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ["SIGTERM", "SIGINT"] as const)
      process.once(signal, () => {
        resolve(signal);
      });
  });
}

/**
 * Runs the exporter (or `--config.check`, `--help`, `--version`) and resolves with the exit
 * code: 0 on success or orderly shutdown, 1 on invalid flags or config or a failed shutdown.
 */
export async function run(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: RunIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv, env);
  } catch (error) {
    if (error instanceof FlagError) {
      io.stderr.write(`mosapi-exporter: ${error.message}\nTry --help.\n`);
      return 1;
    }
    throw error;
  }
  const version = packageVersion();
  if (flags.help) {
    io.stdout.write(helpText());
    return 0;
  }
  if (flags.version) {
    io.stdout.write(`mosapi-exporter ${version} (node ${process.version})\n`);
    return 0;
  }

  // Checked with the config (and by --config.check): an unusable web config must stop us before
  // anything starts, rather than serve plain HTTP to someone who asked for TLS.
  let web;
  try {
    web = flags.webConfigFile === undefined ? undefined : await loadWebConfig(flags.webConfigFile);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  let config;
  try {
    config = await loadConfig(flags.configFile, { env });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      if (error.code === "CONFIG_UNREADABLE" && flags.configFile === DEFAULT_CONFIG_FILE) {
        io.stderr.write(
          `mosapi-exporter: ${DEFAULT_CONFIG_FILE} (in the current directory) is the default; ` +
            "name your file with --config.file=FILE or MOSAPI_EXPORTER_CONFIG_FILE. Try --help.\n",
        );
      }
      return 1;
    }
    throw error;
  }
  if (flags.configCheck) {
    io.stdout.write(formatConfigCheck(config));
    return 0;
  }

  const logger = createLogger({
    level: flags.logLevel,
    format: flags.logFormat,
    destination: io.stderr,
  });
  for (const warning of config.warnings) logger.warn({ file: config.file }, warning);
  const stopSignal = io.stopSignal ?? processStopSignal();
  let app;
  try {
    app = await startApp({
      config,
      listen: parseListenAddress(flags.listenAddress),
      web,
      logger,
      build: {
        version,
        revision: env["MOSAPI_EXPORTER_REVISION"] ?? "unknown",
        nodeVersion: process.version,
      },
      defaultMetrics: !flags.disableExporterMetrics,
      env,
    });
  } catch (error) {
    if (error instanceof ListenError) {
      io.stderr.write(
        `mosapi-exporter: --web.listen-address=${flags.listenAddress}: ${error.reason}\n`,
      );
      return 1;
    }
    throw error;
  }
  io.onListening?.(app.url);

  // A SIGHUP listener also replaces Node's default of exiting on SIGHUP.
  const reloadSignals = io.reloadSignals ?? process;
  const onReload = (): void => {
    logger.info({ signal: "SIGHUP" }, "reloading the configuration");
    // The reload logs its own failure, as for POST /-/reload.
    app.reload().catch(() => undefined);
  };
  reloadSignals.on("SIGHUP", onReload);

  const signal = await stopSignal;
  reloadSignals.off("SIGHUP", onReload);
  logger.info({ signal }, "shutting down");
  const timedOut = Symbol("timeout");
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    app.close().then(() => undefined),
    new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => {
        resolve(timedOut);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  if (outcome === timedOut) {
    logger.error({ timeout_ms: SHUTDOWN_TIMEOUT_MS }, "shutdown did not finish in time");
    return 1;
  }
  return 0;
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return fs.realpathSync(entry) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await run(process.argv.slice(2), process.env);
}
