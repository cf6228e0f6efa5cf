/**
 * The reloadable part of the exporter: the current config and its {@link Pipeline}. A reload
 * (SIGHUP or `POST /-/reload`, both through {@link Runtime.reload}) loads and validates the new
 * config first; only a valid one replaces the running pipeline:
 *
 * 1. keep the MoSAPI client when its settings are unchanged (see `sameClientSettings`), else
 *    build a new one (nothing is sent yet);
 * 2. stop the old refresh loops;
 * 3. switch the snapshot to the new target list in one step: unchanged targets keep their last
 *    good data (see carry-over.ts), removed ones vanish, added ones start empty;
 * 4. a kept client takes the new credentials and targets over: unchanged credentials keep their
 *    sessions, so an unchanged file costs ICANN no login and no logout, an added target one
 *    login, a removed one its logout, a changed password its credential's targets only. A
 *    replaced client logs out of all its sessions. Either way the logouts come before the new
 *    logins, so an account never holds two sessions for one target (a new login may evict an
 *    older one);
 * 5. start the new refresh loops.
 *
 * Reloads are serialised (see serial.ts). A failed reload changes nothing but the
 * `mosapi_exporter_config_last_reload_successful` gauge.
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import { ConfigError } from "../config/errors.js";
import type { Config } from "../config/load.js";
import type { Logger } from "../log/logger.js";
import { targetKey } from "../mosapi/target.js";
import { carryOver, sameClientSettings } from "./carry-over.js";
import { Pipeline, createClient, type PipelineDependencies } from "./pipeline.js";
import { SerialTask } from "./serial.js";

/** What a runtime needs beyond the pipeline's dependencies. */
export interface RuntimeOptions extends PipelineDependencies {
  /** Loads and validates the config again (re-reading secret files). */
  readonly loadConfig: () => Promise<Config>;
}

/** Owns the running pipeline and replaces it on reload. */
export class Runtime {
  readonly #options: RuntimeOptions;
  #current: Pipeline;
  #closed = false;
  readonly #serial = new SerialTask(() => this.#reload());

  /**
   * Starts refreshing with `config` and records it as a successful load.
   *
   * @throws what {@link Pipeline}'s constructor throws.
   */
  constructor(config: Config, options: RuntimeOptions) {
    this.#options = options;
    this.#current = new Pipeline(config, options, createClient(config, options));
    this.#recordSuccess(config);
    this.#start(this.#current);
  }

  /** The config in force. */
  get config(): Config {
    return this.#current.config;
  }

  /**
   * Reloads the config; a reload asked for while another runs waits for it, then runs once
   * (shared with every other request that arrived meanwhile).
   *
   * @throws ConfigError when the new config is invalid or unreadable (the old one stays in
   *   force); a plain Error when the exporter is shutting down.
   */
  reload(): Promise<void> {
    return this.#serial.run();
  }

  /** Waits for a running reload, then stops refreshing and logs out. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#serial.idle();
    await this.#current.close();
  }

  async #reload(): Promise<void> {
    const { logger, metrics, clock, store } = this.#options;
    const previous = this.#current;
    let next: Pipeline;
    let keepClient: boolean;
    try {
      const config = await this.#options.loadConfig();
      if (this.#closed) throw new Error("the exporter is shutting down");
      keepClient = sameClientSettings(previous.config, config);
      const client = keepClient ? previous.client : createClient(config, this.#options);
      next = new Pipeline(config, this.#options, client);
    } catch (error) {
      metrics.onConfigLoad(false, clock.now());
      logReloadFailure(logger, error);
      throw error;
    }
    const before = previous.config;
    const after = next.config;
    await previous.stopRefreshing();
    const keep = carryOver(before, after);
    const kept: string[] = [];
    store.retarget(after.targets, (target, entry) => {
      const carried = keep(target, entry);
      if (carried !== undefined) kept.push(targetKey(target));
      return carried;
    });
    this.#current = next;
    const wanted = new Set(after.targets.map(targetKey));
    const removed = before.targets.filter((t) => !wanted.has(targetKey(t)));
    for (const target of removed) metrics.forgetTarget(target);
    this.#recordSuccess(after);
    const had = new Set(before.targets.map(targetKey));
    logger.info(
      {
        file: after.file,
        targets: after.targets.length,
        added: after.targets.filter((t) => !had.has(targetKey(t))).map(targetKey),
        removed: removed.map(targetKey),
        kept: kept.length,
      },
      "configuration reloaded",
    );
    for (const warning of after.warnings) logger.warn({ file: after.file }, warning);
    try {
      if (keepClient) await next.client.reconfigure(after.credentials, after.targets);
      else await previous.close();
    } finally {
      this.#start(next);
    }
  }

  #start(pipeline: Pipeline): void {
    const { config } = pipeline;
    pipeline.start();
    const disabled = COLLECTOR_NAMES.filter((name) => config.collectors[name] === 0);
    this.#options.logger.info(
      { targets: config.targets.length, url: config.mosapi.url, disabled_collectors: disabled },
      "refreshing MoSAPI in the background",
    );
  }

  #recordSuccess(config: Config): void {
    const { metrics, clock } = this.#options;
    metrics.onConfigLoad(true, clock.now());
    metrics.declareCredentials(
      [...config.credentials].filter(([, c]) => c.kind === "basic").map(([name]) => name),
    );
  }
}

/**
 * The one log line of a failed reload, the same whether SIGHUP or `POST /-/reload` asked for
 * it (both come here): error level, the error's `code`, the file and the key paths of every
 * problem, and the problems in the message, joined on one line. No stack, no dump of the
 * validation error: the message is what a person needs, and it names no secret.
 */
export function logReloadFailure(logger: Logger, error: unknown): void {
  const prefix = "reload failed, keeping the last good configuration";
  if (error instanceof ConfigError) {
    logger.error(
      { code: error.code, file: error.file, keys: error.problems.map((p) => p.path) },
      `${prefix}: ${error.message.split("\n").join("; ")}`,
    );
    return;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  logger.error(
    { code: typeof code === "string" ? code : "RELOAD_FAILED" },
    `${prefix}: ${error instanceof Error ? error.message : String(error)}`,
  );
}
