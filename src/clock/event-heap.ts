// A binary min-heap of clock events on (at, actor, seq): the earliest first, ties by the
// actor that scheduled them, then in the order that actor did. Sifts with a hole instead of swaps.
import type { ClockEvent } from './clock-event.js';

/**
 * Whether an event keyed (at, actor, seq) runs before one keyed (otherAt, otherActor,
 * otherSeq): the clock's one order. Every part of the key is the scheduling actor's own
 * (its time, its number, its count), never a count shared by the process: so the order
 * does not depend on which other actors share the clock (a simulation split over threads
 * runs each node's events in the same order as one thread does).
 */
export function precedes(at: number, actor: number, seq: number, otherAt: number, otherActor: number, otherSeq: number): boolean {
  return at < otherAt || (at === otherAt && (actor < otherActor || (actor === otherActor && seq < otherSeq)));
}

/** Whether a runs before b. */
export function runsBefore(a: ClockEvent, b: ClockEvent): boolean {
  return precedes(a.at, a.actor, a.seq, b.at, b.actor, b.seq);
}

export class EventHeap {
  private readonly items: ClockEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The earliest event, left in place; undefined when empty. */
  peek(): ClockEvent | undefined {
    return this.items[0];
  }

  push(event: ClockEvent): void {
    const items = this.items;
    let i = items.length;
    items.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (runsBefore(p, event)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = event;
  }

  pop(): ClockEvent | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && runsBefore(items[right], items[child])) child = right;
        const c = items[child];
        if (runsBefore(last, c)) break;
        items[i] = c;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
