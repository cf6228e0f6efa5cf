import { describe, expect, it } from "vitest";
import { DeadlineExceeded, raceAbort, startDeadline } from "../../src/mosapi/deadline.js";
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

  it("removes its timer on dispose", () => {
    const clock = new FakeClock();
    startDeadline(clock, 1000).dispose();
    expect(clock.pending()).toEqual([]);
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
