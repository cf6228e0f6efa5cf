import { describe, expect, it } from "vitest";
import { SerialTask } from "../../src/app/serial.js";

/** A task whose runs finish only when the test says so, recording overlap. */
function gatedTask() {
  const gates: (() => void)[] = [];
  const fails: ((error: Error) => void)[] = [];
  let running = 0;
  let peak = 0;
  let runs = 0;
  const task = new SerialTask(async () => {
    runs += 1;
    running += 1;
    peak = Math.max(peak, running);
    try {
      await new Promise<void>((resolve, reject) => {
        gates.push(resolve);
        fails.push(reject);
      });
    } finally {
      running -= 1;
    }
  });
  const settle = async (): Promise<void> => {
    // Lets queued continuations run (no timers: the gates are the only asynchrony).
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    task,
    runs: () => runs,
    peak: () => peak,
    finish: async (index: number) => {
      gates[index]?.();
      await settle();
    },
    fail: async (index: number, error: Error) => {
      fails[index]?.(error);
      await settle();
    },
    settle,
  };
}

describe("SerialTask", () => {
  it("runs at once when idle", async () => {
    const t = gatedTask();
    const first = t.task.run();
    expect(t.runs()).toBe(1);
    await t.finish(0);
    await expect(first).resolves.toBeUndefined();
  });

  it("makes a call during a run wait for it, then run once more; later waiters share that run", async () => {
    const t = gatedTask();
    const first = t.task.run();
    const second = t.task.run();
    const third = t.task.run();
    expect(second).toBe(third);
    await t.settle();
    expect(t.runs()).toBe(1);
    await t.finish(0);
    await first;
    expect(t.runs()).toBe(2);
    // A call now waits for the second run and gets a third.
    const fourth = t.task.run();
    expect(fourth).not.toBe(second);
    await t.finish(1);
    await second;
    expect(t.runs()).toBe(3);
    await t.finish(2);
    await fourth;
    expect(t.peak()).toBe(1);
  });

  it("passes each run's failure to its callers only, and keeps going", async () => {
    const t = gatedTask();
    const first = t.task.run();
    const second = t.task.run();
    await t.fail(0, new Error("bad config"));
    await expect(first).rejects.toThrow("bad config");
    await t.finish(1);
    await expect(second).resolves.toBeUndefined();
  });

  it("idle() resolves once nothing runs or waits, whatever the outcomes", async () => {
    const t = gatedTask();
    void t.task.run().catch(() => {});
    void t.task.run();
    let idle = false;
    const waiting = t.task.idle().then(() => (idle = true));
    await t.fail(0, new Error("x"));
    expect(idle).toBe(false);
    await t.finish(1);
    await waiting;
    expect(idle).toBe(true);
    await t.task.idle();
  });
});
