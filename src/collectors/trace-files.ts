/**
 * Trace files shared by every target of a pipeline. SLAM links one trace file into the tree of
 * every TLD the traced IP serves (docs/mosapi.md#probe-network-trees), under the same name: a file is downloaded
 * once, by whichever target asks first, and reused by the others. A file stays while some
 * target still holds it as its newest trace of a probe × IP, so memory follows the number of
 * traced paths, not the number of files seen.
 */
import type { TraceSummary } from "../mosapi/probe-network.js";

/** A parsed trace, or `null` for a file that could not be read (not downloaded again). */
export type TraceFileResult = TraceSummary | null;

/** The shared trace-file cache of one pipeline. */
export class TraceFiles {
  readonly #files = new Map<string, TraceFileResult>();
  readonly #pending = new Map<string, Promise<TraceFileResult>>();
  /** Files each target currently holds, by target key, and how many targets hold each file. */
  readonly #held = new Map<string, ReadonlySet<string>>();
  readonly #holders = new Map<string, number>();

  /**
   * The file's result: from the cache, from a download already under way for another target,
   * or from `download` (called at most once per file while the file is held).
   */
  get(file: string, download: () => Promise<TraceFileResult>): Promise<TraceFileResult> {
    const known = this.#files.get(file);
    if (known !== undefined) return Promise.resolve(known);
    const pending = this.#pending.get(file);
    if (pending !== undefined) return pending;
    const tracked = download()
      .then((result) => {
        this.#files.set(file, result);
        return result;
      })
      .finally(() => this.#pending.delete(file));
    this.#pending.set(file, tracked);
    return tracked;
  }

  /**
   * Records the files `target` now holds, with the results its round got for them; files no
   * target holds any more are forgotten. A held file missing from the cache is put back: another
   * target may have let it go while this target's round was reading it, and it must not be
   * downloaded again.
   */
  hold(target: string, held: ReadonlyMap<string, TraceFileResult>): void {
    const before = this.#held.get(target) ?? new Set<string>();
    const after = new Set(held.keys());
    if (after.size === 0) this.#held.delete(target);
    else this.#held.set(target, after);
    for (const [file, result] of held) {
      if (!before.has(file)) this.#holders.set(file, (this.#holders.get(file) ?? 0) + 1);
      if (!this.#files.has(file)) this.#files.set(file, result);
    }
    for (const file of before) {
      if (after.has(file)) continue;
      const holders = (this.#holders.get(file) ?? 1) - 1;
      if (holders > 0) {
        this.#holders.set(file, holders);
      } else {
        this.#holders.delete(file);
        this.#files.delete(file);
      }
    }
  }

  /** How many files are cached (for tests and benchmarks). */
  get size(): number {
    return this.#files.size;
  }
}
