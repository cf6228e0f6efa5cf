/**
 * Runs one async task at a time. A call while the task runs waits for it and then runs it once
 * more (so every caller gets a run that started after its request); calls arriving while that
 * next run is still waiting share it, so a burst of requests costs at most two runs.
 */

const ignore = (): void => {};

/** Serialises and coalesces calls of one task (the config reload). */
export class SerialTask {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  readonly #task: () => Promise<void>;

  constructor(task: () => Promise<void>) {
    this.#task = task;
  }

  /**
   * Runs the task now, or after the running one finishes (sharing a run already queued).
   * Resolves or rejects with the outcome of the run this call got.
   */
  run(): Promise<void> {
    if (this.#queued !== undefined) return this.#queued;
    const running = this.#running;
    if (running === undefined) return this.#start();
    const queued = running.then(ignore, ignore).then(() => {
      this.#queued = undefined;
      return this.#start();
    });
    this.#queued = queued;
    return queued;
  }

  /** Resolves once nothing runs or waits to run (outcomes ignored). */
  async idle(): Promise<void> {
    while (this.#queued !== undefined || this.#running !== undefined) {
      await (this.#queued ?? this.#running)?.then(ignore, ignore);
    }
  }

  #start(): Promise<void> {
    const run = this.#task();
    this.#running = run;
    const settled = (): void => {
      if (this.#running === run) this.#running = undefined;
    };
    run.then(settled, settled);
    return run;
  }
}
