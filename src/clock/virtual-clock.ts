// A discrete-event scheduler with virtual time: events run in (time, actor, actor's count)
// order, and time jumps straight to the next event, so a simulation runs as fast as the
// CPU allows and the same inputs always give the same order of events.
import type { Clock, TimerHandle } from './clock.js';
import { ClockEvent } from './clock-event.js';
import { EventHeap, precedes, runsBefore } from './event-heap.js';
import { SlotHeap } from './slot-heap.js';
import { grown } from '../util/grown.js';

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
  /**
   * Whose code runs now: a simulated node's number (its port), or 0 for everything else
   * (tests, a driver). Each event runs as the actor that scheduled it unless its code
   * says otherwise (a datagram runs as its receiver: MemoryNetwork sets it), and what an
   * actor schedules is keyed by its own count: see precedes.
   */
  actor = 0;
  /** Events each actor has scheduled so far. */
  private counts = new Float64Array(64);
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

  /** Runs `event` after `delayMs` of virtual time (events the same actor set for one time run in schedule order). */
  schedule(event: ClockEvent, delayMs: number): void {
    this.scheduleAt(event, this.time + Math.max(0, delayMs), this.actor, this.stamp());
  }

  /**
   * Runs `event` at time `at` (not before now) with the key (at, actor, seq) given: for
   * events made elsewhere (another thread's datagram, a driver's order), whose key was
   * drawn there with stamp().
   */
  scheduleAt(event: ClockEvent, at: number, actor: number, seq: number): void {
    event.at = Math.max(at, this.time);
    event.actor = actor;
    event.seq = seq;
    (event.at - this.time <= SOON_MS ? this.soon : this.later).push(event);
    this.pending++;
  }

  /** The current actor's next count: the last part of the key of what it schedules. */
  stamp(): number {
    const actor = this.actor;
    if (actor >= this.counts.length) this.counts = grown(this.counts, Math.max(actor + 1, this.counts.length * 2));
    return this.counts[actor]++;
  }

  /** A sink's number, for scheduleSlot. */
  addSink(sink: SlotSink): number {
    this.sinks.push(sink);
    return this.sinks.length - 1;
  }

  /** Runs sinks[sink].runSlot(slot) after `delayMs` of virtual time, in order with every other event. */
  scheduleSlot(sink: number, slot: number, delayMs: number): void {
    this.scheduleSlotAt(sink, slot, this.time + Math.max(0, delayMs), this.actor, this.stamp());
  }

  /** scheduleSlot with the key given (see scheduleAt). */
  scheduleSlotAt(sink: number, slot: number, at: number, actor: number, seq: number): void {
    this.slotted.push(Math.max(at, this.time), actor, seq, sink, slot);
    this.pending++;
  }

  /** When the next event is due (Infinity when none is left). */
  nextAt(): number {
    const soon = liveHead(this.soon);
    const later = liveHead(this.later);
    let at = Math.min(soon?.at ?? Infinity, later?.at ?? Infinity);
    if (this.slotted.size > 0) at = Math.min(at, this.slotted.headAt);
    return at;
  }

  /**
   * Runs every event due before time `end` (absolute, not included), then sets the time to
   * `end` and the actor to 0: one window of a simulation split over threads.
   */
  runBefore(end: number): number {
    let events = 0;
    while (this.runNext(end, false)) events++;
    if (this.time < end) this.time = end;
    this.actor = 0;
    return events;
  }

  /** Runs the next event, advancing time to it; false when none is left. */
  step(): boolean {
    return this.runNext(Infinity, true);
  }

  /** Runs events up to and including time `until` (absolute), then sets the time to it. */
  runUntil(until: number, maxEvents = Infinity): number {
    let events = 0;
    while (events < maxEvents && this.runNext(until, true)) events++;
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

  /** Runs the earliest event if it is due by `until` (or before it, when not `inclusive`), advancing time to it; false if none is. */
  private runNext(until: number, inclusive: boolean): boolean {
    let heap = this.soon;
    let event = liveHead(heap);
    const later = liveHead(this.later);
    if (later !== undefined && (event === undefined || runsBefore(later, event))) {
      heap = this.later;
      event = later;
    }
    const slotted = this.slotted;
    if (
      slotted.size > 0 &&
      (event === undefined || precedes(slotted.headAt, slotted.headActor, slotted.headSeq, event.at, event.actor, event.seq))
    ) {
      const at = slotted.headAt;
      if (at > until || (!inclusive && at === until)) return false;
      const sink = slotted.headSink;
      const slot = slotted.headSlot;
      this.actor = slotted.headActor;
      slotted.pop();
      this.pending--;
      this.time = at;
      this.sinks[sink].runSlot(slot);
      return true;
    }
    if (event === undefined || event.at > until || (!inclusive && event.at === until)) return false;
    heap.pop();
    event.live = false;
    this.pending--;
    this.time = event.at;
    this.actor = event.actor;
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
