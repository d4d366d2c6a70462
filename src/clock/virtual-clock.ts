// A discrete-event scheduler with virtual time: timers run in (time, insertion) order,
// and time jumps straight to the next event, so a simulation runs as fast as the CPU
// allows and the same inputs always give the same order of events.
import type { Clock, TimerHandle } from './clock.js';
import { ClockEvent } from './clock-event.js';
import { EventHeap, precedes, runsBefore } from './event-heap.js';
import { SlotHeap } from './slot-heap.js';

/**
 * Something that keeps its events as numbered records of its own (a simulated network's
 * datagrams in flight): the clock orders (time, slot) pairs and calls runSlot(slot) when
 * one is due, so scheduling one makes no object.
 */
export interface SlotSink {
  runSlot(slot: number): void;
}

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
  private readonly slotted = new SlotHeap();
  private readonly sinks: SlotSink[] = [];
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

  /** A sink's number, for scheduleSlot. */
  addSink(sink: SlotSink): number {
    this.sinks.push(sink);
    return this.sinks.length - 1;
  }

  /** Runs sinks[sink].runSlot(slot) after `delayMs` of virtual time, in order with every other event. */
  scheduleSlot(sink: number, slot: number, delayMs: number): void {
    this.slotted.push(this.time + Math.max(0, delayMs), this.seq++, sink, slot);
    this.pending++;
  }

  /** Runs the next event, advancing time to it; false when none is left. */
  step(): boolean {
    return this.runNext(Infinity);
  }

  /** Runs events up to and including time `until` (absolute), then sets the time to it. */
  runUntil(until: number, maxEvents = Infinity): number {
    let events = 0;
    while (events < maxEvents && this.runNext(until)) events++;
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

  /** Runs the earliest event if it is due by `until`, advancing time to it; false if none is. */
  private runNext(until: number): boolean {
    let heap = this.soon;
    let event = liveHead(heap);
    const later = liveHead(this.later);
    if (later !== undefined && (event === undefined || runsBefore(later, event))) {
      heap = this.later;
      event = later;
    }
    const slotted = this.slotted;
    if (slotted.size > 0 && (event === undefined || precedes(slotted.headAt, slotted.headSeq, event.at, event.seq))) {
      const at = slotted.headAt;
      if (at > until) return false;
      const sink = slotted.headSink;
      const slot = slotted.headSlot;
      slotted.pop();
      this.pending--;
      this.time = at;
      this.sinks[sink].runSlot(slot);
      return true;
    }
    if (event === undefined || event.at > until) return false;
    heap.pop();
    event.live = false;
    this.pending--;
    this.time = event.at;
    event.run();
    return true;
  }
}

/** The heap's earliest live event, once cancelled ones ahead of it are dropped. */
function liveHead(heap: EventHeap): ClockEvent | undefined {
  for (;;) {
    const event = heap.peek();
    if (event === undefined || event.live) return event;
    heap.pop();
  }
}
