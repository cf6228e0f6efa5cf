import { describe, expect, it } from "vitest";
import { DueQueue } from "../../src/collectors/due-queue.js";

function drain<T>(queue: DueQueue<T>, now = Infinity): T[] {
  const out: T[] = [];
  for (let item = queue.popDue(now); item !== undefined; item = queue.popDue(now)) out.push(item);
  return out;
}

describe("DueQueue", () => {
  it("pops items in due order, first pushed first among equal due times", () => {
    const queue = new DueQueue<string>();
    queue.push("c", 30);
    queue.push("a1", 10);
    queue.push("b", 20);
    queue.push("a2", 10);
    queue.push("a3", 10);
    expect(queue.size).toBe(5);
    expect(queue.nextDue()).toBe(10);
    expect(drain(queue)).toEqual(["a1", "a2", "a3", "b", "c"]);
    expect(queue.size).toBe(0);
    expect(queue.nextDue()).toBeUndefined();
  });

  it("pops only what is due by `now`", () => {
    const queue = new DueQueue<number>();
    for (const due of [50, 10, 40, 20, 30]) queue.push(due, due);
    expect(queue.popDue(5)).toBeUndefined();
    expect(drain(queue, 30)).toEqual([10, 20, 30]);
    expect(queue.nextDue()).toBe(40);
    expect(drain(queue)).toEqual([40, 50]);
  });

  it("matches a stable sort by due time for thousands of pushes and pops interleaved", () => {
    const queue = new DueQueue<number>();
    const reference: { id: number; due: number }[] = [];
    let seed = 1;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const popped: number[] = [];
    const expected: number[] = [];
    for (let id = 0; id < 5000; id++) {
      // Few distinct due times, so ties are common.
      const due = Math.floor(random() * 100);
      queue.push(id, due);
      reference.push({ id, due });
      if (random() < 0.4) {
        const item = queue.popDue(Infinity);
        if (item !== undefined) popped.push(item);
        reference.sort((a, b) => a.due - b.due || a.id - b.id);
        const first = reference.shift();
        if (first !== undefined) expected.push(first.id);
      }
    }
    popped.push(...drain(queue));
    reference.sort((a, b) => a.due - b.due || a.id - b.id);
    expected.push(...reference.map((r) => r.id));
    expect(popped).toEqual(expected);
  });

  it("clear() drops every item", () => {
    const queue = new DueQueue<string>();
    queue.push("a", 1);
    queue.push("b", 2);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.popDue(Infinity)).toBeUndefined();
  });
});
