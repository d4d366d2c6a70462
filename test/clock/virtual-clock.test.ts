import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/virtual-clock.js';

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
