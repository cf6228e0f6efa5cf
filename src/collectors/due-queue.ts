/**
 * Items waiting for a due time, as a binary min-heap: push and pop cost O(log n), the earliest
 * due time is read in O(1). Items due at the same time come out in the order they were pushed,
 * so a scheduler built on it is deterministic under a fake clock. Each waiting item costs one
 * small record (item, due time, sequence number) and an array slot: nothing that keeps a timer,
 * a promise or a listener alive.
 */

interface Slot<T> {
  readonly item: T;
  readonly due: number;
  /** Push order: breaks ties between equal due times, first pushed first. */
  readonly seq: number;
}

/** A min-heap of items keyed by due time (ms), first pushed first among equals. */
export class DueQueue<T> {
  #heap: Slot<T>[] = [];
  #seq = 0;

  /** Items waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** Queues `item` for `due`. */
  push(item: T, due: number): void {
    const heap = this.#heap;
    heap.push({ item, due, seq: this.#seq++ });
    let i = heap.length - 1;
    const slot = heap[i] as Slot<T>;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as Slot<T>;
      if (!before(slot, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = slot;
  }

  /** The earliest due time, or undefined when nothing waits. */
  nextDue(): number | undefined {
    return this.#heap[0]?.due;
  }

  /** Removes and returns the earliest item if it is due at `now` or before; else undefined. */
  popDue(now: number): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.due > now) return undefined;
    const last = heap.pop() as Slot<T>;
    if (heap.length > 0) this.#siftDown(last);
    return top.item;
  }

  /** Drops every waiting item. */
  clear(): void {
    this.#heap = [];
  }

  /** Places `slot` at the root and moves it down to where it belongs. */
  #siftDown(slot: Slot<T>): void {
    const heap = this.#heap;
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let smaller = heap[left] as Slot<T>;
      const rightSlot = heap[right];
      if (rightSlot !== undefined && before(rightSlot, smaller)) {
        child = right;
        smaller = rightSlot;
      }
      if (!before(smaller, slot)) break;
      heap[i] = smaller;
      i = child;
    }
    heap[i] = slot;
  }
}

function before<T>(a: Slot<T>, b: Slot<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
