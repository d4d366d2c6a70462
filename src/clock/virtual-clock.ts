// A discrete-event scheduler with virtual time: timers run in (time, insertion) order,
// and time jumps straight to the next event, so a simulation runs as fast as the CPU
// allows and the same inputs always give the same order of events.
import type { Clock, TimerHandle } from './clock.js';

interface Timer {
  at: number;
  seq: number;
  callback: (() => void) | null; // null once cancelled
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private pending = 0;

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pendingTimers(): number {
    return this.pending;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, callback };
    this.push(timer);
    this.pending++;
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as Timer;
    if (timer.callback) {
      timer.callback = null;
      this.pending--;
    }
  }

  /** Runs the next event, advancing time to it; false when none is left. */
  step(): boolean {
    for (;;) {
      const timer = this.pop();
      if (!timer) return false;
      if (!timer.callback) continue;
      const callback = timer.callback;
      timer.callback = null;
      this.pending--;
      this.time = timer.at;
      callback();
      return true;
    }
  }

  /** Runs events up to and including time `until` (absolute), then sets the time to it. */
  runUntil(until: number, maxEvents = Infinity): number {
    let events = 0;
    while (events < maxEvents && this.heap.length > 0 && this.heap[0].at <= until) {
      if (this.step()) events++;
    }
    if (this.time < until && events < maxEvents) this.time = until;
    return events;
  }

  /** Runs events until `done()` holds or no event is left; returns the number run. */
  runWhile(notDone: () => boolean, maxEvents = Infinity): number {
    let events = 0;
    while (events < maxEvents && notDone() && this.step()) events++;
    return events;
  }

  /** Advances time by `ms`, running every event due on the way. */
  advance(ms: number): number {
    return this.runUntil(this.time + ms);
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l], heap[m])) m = l;
        if (r < heap.length && this.less(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  }
}
