/**
 * bcrypt comparisons on worker threads. A comparison is deliberately slow (about 70 ms of CPU
 * at cost 10); run on the event loop, a few dozen wrong passwords arriving at once would hold up
 * every other request, a correct and cached scrape included. The workers run bcryptjs's
 * synchronous compare, one comparison at a time each; the event loop only passes messages.
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The worker: CommonJS (an `eval` worker, so it needs no file of its own next to the compiled
 * or the TypeScript sources), loading bcryptjs from the path the pool resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptjs);
parentPort.on("message", ({ id, password, hash }) => {
  let matches = false;
  try {
    matches = bcrypt.compareSync(password, hash);
  } catch {
    matches = false;
  }
  parentPort.postMessage({ id, matches });
});
`;

/** Worker threads to start: one core is left to the event loop when there are two or more. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, (matches: boolean) => void>;
}

/** A small pool of worker threads comparing passwords with bcrypt hashes. */
export class BcryptPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  #nextId = 0;
  #closed = false;

  /** @param size worker threads, started on the first comparison ({@link defaultPoolSize}) */
  constructor(size: number = defaultPoolSize()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("pool size must be ≥ 1");
    this.#size = size;
  }

  /**
   * Whether `password` hashes to `hash`, computed on a worker (the least busy one). Resolves
   * false when the hash is malformed or the worker dies; never rejects.
   */
  compare(password: string, hash: string): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    const slot = this.#slot();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      slot.pending.set(id, resolve);
      // Ref'd while a comparison is pending; idle workers never keep the process alive.
      if (slot.pending.size === 1) slot.worker.ref();
      slot.worker.postMessage({ id, password, hash });
    });
  }

  /** Stops the workers; pending comparisons resolve false. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #slot(): Slot {
    if (this.#slots.length < this.#size) {
      const idle = this.#slots.find((slot) => slot.pending.size === 0);
      if (idle !== undefined) return idle;
      const slot = this.#start();
      this.#slots.push(slot);
      return slot;
    }
    return this.#slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  #start(): Slot {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptjs: createRequire(import.meta.url).resolve("bcryptjs") },
    });
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    worker.on("message", ({ id, matches }: { id: number; matches: boolean }) => {
      const resolve = slot.pending.get(id);
      slot.pending.delete(id);
      if (slot.pending.size === 0) worker.unref();
      resolve?.(matches);
    });
    const fail = () => {
      // A dead worker answers nothing: its comparisons fail closed, the next one starts anew.
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      for (const resolve of slot.pending.values()) resolve(false);
      slot.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", fail);
    return slot;
  }
}
