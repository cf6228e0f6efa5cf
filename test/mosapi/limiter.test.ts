import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/mosapi/limiter.js";

describe("Semaphore", () => {
  it("grants up to the limit, then first come first served", async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire();
    await semaphore.acquire();
    const order: string[] = [];
    const c = semaphore.acquire().then((release) => {
      order.push("c");
      return release;
    });
    const d = semaphore.acquire().then(() => order.push("d"));
    expect(semaphore.inFlight).toBe(2);
    expect(semaphore.waiting).toBe(2);
    a();
    a(); // idempotent: does not free a second slot
    (await c)();
    await d;
    expect(order).toEqual(["c", "d"]);
    expect(semaphore.inFlight).toBe(2);
  });

  it("drops a waiter whose signal aborts", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    const reason = new Error("gone");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(semaphore.waiting).toBe(0);
    release();
    expect(semaphore.inFlight).toBe(0);
    await expect(semaphore.acquire(controller.signal)).rejects.toBe(reason);
  });

  it("hands a freed slot to the most urgent waiter, first come first served among equals", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const order: string[] = [];
    const wait = (name: string, priority?: number) =>
      semaphore.acquire(undefined, priority).then((next) => {
        order.push(name);
        next();
      });
    const all = [wait("alarmed-1", 2), wait("other"), wait("alarmed-2", 2), wait("state", 0)];
    expect(semaphore.waiting).toBe(4);
    release();
    await Promise.all(all);
    expect(order).toEqual(["state", "alarmed-1", "alarmed-2", "other"]);
    expect(semaphore.inFlight).toBe(0);
  });

  it.each([0, -1, 1.5])("rejects the limit %d", (limit) => {
    expect(() => new Semaphore(limit)).toThrow(RangeError);
  });
});
