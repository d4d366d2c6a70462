// A discrete-event scheduler with virtual time: timers run in (time, insertion) order,
// and time jumps straight to the next event, so a simulation runs as fast as the CPU
// allows and the same inputs always give the same order of events.
import type { Clock, TimerHandle } from './clock.js';
import { ClockEvent } from './clock-event.js';
import { EventHeap, runsBefore } from './event-heap.js';

/**
 * Events due within this many ms (datagrams in flight) go to a heap of their own, apart
 * from timers due later (request deadlines and maintenance: one or two per node, so
 * hundreds of thousands in a large simulation). The soon heap holds only what is in
 * flight, small enough to stay in cache, and it is the one nearly every step pops. Order
 * is unchanged: a step runs the earlier of the two heads.
 */
export const SOON_MS = 100;

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
  private readonly soon = new EventHeap();
  private readonly later = new EventHeap();
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
    const delay = Math.max(0, delayMs);
    event.at = this.time + delay;
    event.seq = this.seq++;
    (delay <= SOON_MS ? this.soon : this.later).push(event);
    this.pending++;
  }

  /** Runs the next event, advancing time to it; false when none is left. */
  step(): boolean {
    const heap = this.liveHeap();
    if (!heap) return false;
    this.runHead(heap);
    return true;
  }

  /** Runs events up to and including time `until` (absolute), then sets the time to it. */
  runUntil(until: number, maxEvents = Infinity): number {
    let events = 0;
    for (let heap = this.liveHeap(); events < maxEvents && heap !== null && heap.peek()!.at <= until; heap = this.liveHeap()) {
      this.runHead(heap);
      events++;
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

  /** Takes the live event at the head of `heap` and runs it, advancing time to it. */
  private runHead(heap: EventHeap): void {
    const event = heap.pop()!;
    event.live = false;
    this.pending--;
    this.time = event.at;
    event.run();
  }

  /**
   * The heap whose head runs next, once cancelled events ahead of it are dropped; null
   * when no live event is left.
   */
  private liveHeap(): EventHeap | null {
    for (;;) {
      const soon = this.soon.peek();
      const later = this.later.peek();
      if (soon === undefined && later === undefined) return null;
      const heap = later === undefined || (soon !== undefined && runsBefore(soon, later)) ? this.soon : this.later;
      if (heap.peek()!.live) return heap;
      heap.pop();
    }
  }
}
