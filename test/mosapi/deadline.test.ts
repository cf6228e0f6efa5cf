import { describe, expect, it } from "vitest";
import {
  DeadlineExceeded,
  SlotWaitExceeded,
  raceAbort,
  startDeadline,
  startOperation,
} from "../../src/mosapi/deadline.js";
import { FakeClock } from "../helpers/fake-clock.js";

describe("startDeadline", () => {
  it("aborts with DeadlineExceeded after timeoutMs on the clock", () => {
    const clock = new FakeClock();
    const deadline = startDeadline(clock, 1000);
    clock.advance(400);
    expect(deadline.remainingMs()).toBe(600);
    clock.advance(600);
    return Promise.resolve().then(() => {
      expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceeded);
      expect(deadline.exceeded()).toBe(true);
      expect(deadline.remainingMs()).toBe(0);
    });
  });

  it("follows the caller's signal, which is not 'exceeded'", () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const deadline = startDeadline(clock, 1000, caller.signal);
    caller.abort(new Error("stop"));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.exceeded()).toBe(false);
    deadline.dispose();
  });

  it("starts aborted for an aborted caller signal, and lets go of the caller's signal on dispose", () => {
    const clock = new FakeClock();
    const stopped = new AbortController();
    const reason = new Error("stopped");
    stopped.abort(reason);
    expect(startDeadline(clock, 1000, stopped.signal).signal.reason).toBe(reason);

    const caller = new AbortController();
    const deadline = startDeadline(clock, 1000, caller.signal);
    deadline.dispose();
    caller.abort(new Error("later"));
    expect(deadline.signal.aborted).toBe(false);
  });

  it("removes its timer on dispose", () => {
    const clock = new FakeClock();
    startDeadline(clock, 1000).dispose();
    expect(clock.pending()).toEqual([]);
  });
});

describe("startOperation", () => {
  const limits = { timeoutMs: 1000, queueTimeoutMs: 5000 };
  /** A wait that ends when the returned function is called. */
  function gate(): { wait: () => Promise<void>; open: () => void } {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    return { wait: () => promise, open };
  }

  it("does not count time in queued() or aside() against timeoutMs", async () => {
    const clock = new FakeClock();
    const deadline = startOperation(clock, limits);
    clock.advance(300);
    const queue = gate();
    const queued = deadline.queued(queue.wait);
    clock.advance(4000);
    queue.open();
    await queued;
    const login = gate();
    const aside = deadline.aside(login.wait);
    clock.advance(60_000);
    login.open();
    await aside;
    expect(deadline.remainingMs()).toBe(700);
    expect(deadline.signal.aborted).toBe(false);
    clock.advance(700);
    await Promise.resolve();
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceeded);
    expect(deadline.signal.reason).not.toBeInstanceOf(SlotWaitExceeded);
    expect(deadline.exceeded()).toBe(true);
  });

  it("keeps one timer across phase changes that run out later than the one it is set for", async () => {
    const clock = new FakeClock();
    const deadline = startOperation(clock, limits);
    expect(clock.pending()).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      const queue = gate();
      const queued = deadline.queued(queue.wait);
      clock.advance(10);
      queue.open();
      await queued;
    }
    // Still the one timer set at the start (for 1,000 ms); when it fires it sets itself again
    // for the 30 ms spent queued, so the work bound passes at 1,030 ms.
    expect(clock.pending()).toHaveLength(1);
    clock.advance(1000 - 1);
    await Promise.resolve();
    expect(deadline.signal.aborted).toBe(false);
    expect(clock.pending()).toHaveLength(1);
    clock.advance(1);
    await Promise.resolve();
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceeded);
    expect(clock.pending()).toEqual([]);
  });

  it("aborts with SlotWaitExceeded once the queue waits add up to queueTimeoutMs", async () => {
    const clock = new FakeClock();
    const deadline = startOperation(clock, limits);
    const first = gate();
    const done = deadline.queued(first.wait);
    clock.advance(3000);
    first.open();
    await done;
    const second = deadline.queued(
      (signal) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            reject(signal.reason as Error);
          });
        }),
    );
    clock.advance(1999);
    expect(deadline.signal.aborted).toBe(false);
    clock.advance(1);
    await expect(second).rejects.toBeInstanceOf(SlotWaitExceeded);
    expect(deadline.exceeded()).toBe(true);
    expect((deadline.signal.reason as SlotWaitExceeded).timeoutMs).toBe(5000);
    deadline.dispose();
    expect(clock.pending()).toEqual([]);
  });

  it("follows the caller's signal in every phase", async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const deadline = startOperation(clock, limits, caller.signal);
    const queued = deadline.queued((signal) =>
      raceAbort(new Promise<void>(() => undefined), signal),
    );
    const reason = new Error("stop");
    caller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(deadline.exceeded()).toBe(false);
    deadline.dispose();
    expect(clock.pending()).toEqual([]);
  });

  it("counts queued() against timeoutMs under a plain startDeadline", async () => {
    const clock = new FakeClock();
    const deadline = startDeadline(clock, 1000);
    const queue = gate();
    const queued = deadline.queued(queue.wait);
    clock.advance(400);
    queue.open();
    await queued;
    expect(deadline.remainingMs()).toBe(600);
    deadline.dispose();
  });
});

describe("raceAbort", () => {
  it("rejects on abort and hands a late value to onAbandoned", async () => {
    const controller = new AbortController();
    let resolve!: (value: string) => void;
    const late = new Promise<string>((r) => {
      resolve = r;
    });
    const abandoned: string[] = [];
    const race = raceAbort(late, controller.signal, (value) => abandoned.push(value));
    controller.abort(new Error("stop"));
    await expect(race).rejects.toThrow("stop");
    resolve("body");
    await late;
    await Promise.resolve();
    expect(abandoned).toEqual(["body"]);
  });

  it("passes values and errors through", async () => {
    const signal = new AbortController().signal;
    await expect(raceAbort(Promise.resolve(1), signal)).resolves.toBe(1);
    await expect(raceAbort(Promise.reject(new Error("x")), signal)).rejects.toThrow("x");
  });

  it("rejects at once for an aborted signal without leaking the late rejection", async () => {
    const controller = new AbortController();
    controller.abort(new Error("already"));
    await expect(raceAbort(Promise.reject(new Error("late")), controller.signal)).rejects.toThrow(
      "already",
    );
  });
});
