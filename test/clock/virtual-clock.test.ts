import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SOON_MS, VirtualClock } from '../../src/clock/virtual-clock.js';
import { ClockEvent } from '../../src/clock/clock-event.js';

test('timers run in time order, ties in the order they were set', () => {
  const clock = new VirtualClock(100);
  const order: string[] = [];
  clock.setTimeout(() => order.push('b30'), 30);
  clock.setTimeout(() => order.push('a10'), 10);
  clock.setTimeout(() => order.push('c30'), 30);
  clock.setTimeout(() => {
    order.push('d10');
    clock.setTimeout(() => order.push('e-nested'), 0);
  }, 10);
  assert.equal(clock.advance(20), 3);
  assert.deepEqual(order, ['a10', 'd10', 'e-nested']);
  assert.equal(clock.now(), 120);
  clock.advance(100);
  assert.deepEqual(order, ['a10', 'd10', 'e-nested', 'b30', 'c30']);
  assert.equal(clock.now(), 220);
});

test('cancelled timers never run; time jumps straight to the next event', () => {
  const clock = new VirtualClock();
  let ran = 0;
  const t = clock.setTimeout(() => ran++, 5);
  clock.setTimeout(() => ran++, 1_000_000);
  clock.clearTimeout(t);
  clock.clearTimeout(t);
  assert.equal(clock.pendingTimers, 1);
  assert.equal(clock.step(), true);
  assert.equal(clock.now(), 1_000_000);
  assert.equal(ran, 1);
  assert.equal(clock.step(), false);
});

test('runWhile stops when the condition is met', () => {
  const clock = new VirtualClock();
  let count = 0;
  const tick = () => {
    count++;
    clock.setTimeout(tick, 10);
  };
  tick();
  clock.runWhile(() => count < 50);
  assert.equal(count, 50);
  assert.equal(clock.now(), 490);
});

test('events near and far run in one (time, order) sequence', () => {
  // datagram-like delays land in the soon heap, timer-like ones in the later heap
  const clock = new VirtualClock();
  const order: number[] = [];
  const delays = [SOON_MS + 50, 20, SOON_MS, SOON_MS + 1, 20, 0, 5 * SOON_MS, SOON_MS + 50];
  delays.forEach((delay, i) => clock.setTimeout(() => order.push(i), delay));
  // scheduled from inside a run: the far timer set at 50 becomes due at 50 + SOON_MS + 50
  clock.setTimeout(() => clock.setTimeout(() => order.push(100), SOON_MS + 50), 50);
  clock.setTimeout(() => clock.setTimeout(() => order.push(101), SOON_MS), 50);
  clock.advance(10 * SOON_MS);
  assert.deepEqual(order, [5, 1, 4, 2, 3, 0, 7, 101, 100, 6]);
});

test('runUntil never runs an event past its bound, even behind a cancelled one', () => {
  const clock = new VirtualClock();
  let ran = 0;
  const cancelled = clock.setTimeout(() => ran++, 10);
  clock.setTimeout(() => ran++, 30);
  clock.clearTimeout(cancelled);
  assert.equal(clock.runUntil(20), 0);
  assert.equal(ran, 0);
  assert.equal(clock.now(), 20);
  assert.equal(clock.runUntil(30), 1);
  assert.equal(ran, 1);
});

test('slot events (a sink keeping its own records) run in one (time, order) sequence with timers', () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  const sink = clock.addSink({ runSlot: (slot) => order.push(`slot${slot}`) });
  const other = clock.addSink({ runSlot: (slot) => order.push(`other${slot}`) });
  clock.setTimeout(() => order.push('timer10a'), 10);
  clock.scheduleSlot(sink, 1, 10);
  clock.setTimeout(() => order.push('timer10b'), 10);
  clock.scheduleSlot(other, 2, 5);
  const cancelled = clock.setTimeout(() => order.push('cancelled'), 3);
  clock.scheduleSlot(sink, 3, SOON_MS + 20);
  clock.setTimeout(() => order.push('far'), SOON_MS + 10);
  clock.clearTimeout(cancelled);
  assert.equal(clock.pendingTimers, 6);
  assert.equal(clock.runUntil(10), 4);
  assert.deepEqual(order, ['other2', 'timer10a', 'slot1', 'timer10b']);
  assert.equal(clock.runUntil(SOON_MS + 15), 1, 'a slot past the bound waits');
  assert.equal(clock.now(), SOON_MS + 15);
  assert.equal(clock.step(), true);
  assert.deepEqual(order.slice(4), ['far', 'slot3']);
  assert.equal(clock.now(), SOON_MS + 20);
  assert.equal(clock.pendingTimers, 0);
  assert.equal(clock.step(), false);
});

test('ties run by actor, then in the order each actor scheduled them, whatever the order of scheduling', () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  const as = (actor: number, name: string) => {
    clock.actor = actor;
    clock.setTimeout(() => order.push(`${name}@${clock.actor}`), 10);
  };
  as(7, 'x');
  as(2, 'y');
  as(7, 'z');
  as(0, 'w');
  clock.actor = 0;
  clock.advance(10);
  // each runs as the actor that scheduled it
  assert.deepEqual(order, ['w@0', 'y@2', 'x@7', 'z@7']);
});

test('keyed events from elsewhere take their place in the order; runBefore stops short of its end', () => {
  const clock = new VirtualClock();
  const order: string[] = [];
  const sink = clock.addSink({ runSlot: (slot) => order.push(`slot${slot}`) });
  clock.actor = 5;
  clock.setTimeout(() => order.push('own'), 20); // key (20, 5, 0)
  clock.actor = 0;
  clock.scheduleSlotAt(sink, 1, 20, 5, 3); // after it: same actor, later count
  clock.scheduleSlotAt(sink, 2, 20, 4, 9); // before it: lower actor
  clock.scheduleAt(
    new (class extends ClockEvent {
      run() {
        order.push('keyed');
      }
    })(),
    30,
    1,
    0,
  );
  assert.equal(clock.nextAt(), 20);
  assert.equal(clock.runBefore(20), 0, 'an event at the end belongs to the next window');
  assert.equal(clock.now(), 20);
  assert.equal(clock.runBefore(30), 3);
  assert.deepEqual(order, ['slot2', 'own', 'slot1']);
  assert.equal(clock.actor, 0, 'a window leaves no actor behind');
  assert.equal(clock.nextAt(), 30);
  clock.runBefore(31);
  assert.deepEqual(order.slice(3), ['keyed']);
  assert.equal(clock.nextAt(), Infinity);
});
