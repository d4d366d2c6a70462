// A discrete-event scheduler with virtual time: timers run in (time, insertion) order,
// and time jumps straight to the next event, so a simulation runs as fast as the CPU
// allows and the same inputs always give the same order of events.
import type { Clock, TimerHandle } from './clock.js';

/**
 * Something the clock runs at a virtual time. A subclass carries its own data, so a
 * scheduled event costs one object, where a timer costs a timer plus its closure (the
 * simulated network schedules one per datagram).
 */
export abstract class ClockEvent {
  at = 0;
  seq = 0;
  /** Until it runs or is cancelled. */
  live = true;
  abstract run(): void;
}

const NOTHING = () => {};

/** setTimeout's event: the handle it returns. */
class Timer extends ClockEvent {
  constructor(public callback: () => void) {
    super();
  }

  run(): void {
    this.callback();
  }
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: ClockEvent[] = [];
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
    const timer = new Timer(callback);
    this.schedule(timer, delayMs);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as Timer;
    if (timer.live) {
      timer.live = false;
      timer.callback = NOTHING; // let what it holds go before the heap reaches it
      this.pending--;
    }
  }

  /** Runs `event` after `delayMs` of virtual time (events that share a time run in schedule order). */
  schedule(event: ClockEvent, delayMs: number): void {
    event.at = this.time + Math.max(0, delayMs);
    event.seq = this.seq++;
    this.push(event);
    this.pending++;
  }

  /** Runs the next event, advancing time to it; false when none is left. */
  step(): boolean {
    for (;;) {
      const event = this.pop();
      if (!event) return false;
      if (!event.live) continue;
      event.live = false;
      this.pending--;
      this.time = event.at;
      event.run();
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

  // Binary min-heap on (at, seq), sifting with a hole instead of swaps.
  private push(timer: ClockEvent): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (p.at < timer.at || (p.at === timer.at && p.seq < timer.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): ClockEvent | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    const n = heap.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && (heap[right].at < heap[child].at || (heap[right].at === heap[child].at && heap[right].seq < heap[child].seq))) child = right;
        const c = heap[child];
        if (last.at < c.at || (last.at === c.at && last.seq < c.seq)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
