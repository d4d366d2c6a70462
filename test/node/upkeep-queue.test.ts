// The upkeep queue: at most `concurrency` operations in flight, in the order they came,
// whether they finish at once, later, twice or by throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpkeepQueue } from '../../src/node/upkeep-queue.js';

test('runs at most `concurrency` operations at a time, in order', () => {
  const queue = new UpkeepQueue(2);
  const started: number[] = [];
  const finish: Array<() => void> = [];
  for (let i = 0; i < 5; i++) {
    queue.add((done) => {
      started.push(i);
      finish.push(done);
    });
  }
  assert.deepEqual(started, [0, 1]);
  assert.equal(queue.inFlight, 2);
  assert.equal(queue.queued, 3);
  finish[1]();
  assert.deepEqual(started, [0, 1, 2], 'a finished operation frees its slot for the next');
  finish[0]();
  finish[2]();
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.ok(queue.busy);
  finish[3]();
  finish[4]();
  assert.equal(queue.busy, false);
  assert.equal(queue.inFlight, 0);
});

test('operations that finish at once run through the whole queue without recursion', () => {
  const queue = new UpkeepQueue(1);
  let ran = 0;
  // deep enough that a done() -> pump() -> task() -> done() chain would overflow the stack
  for (let i = 0; i < 100_000; i++) queue.add((done) => (ran++, done()));
  assert.equal(ran, 100_000);
  assert.equal(queue.busy, false);
});

test('a second done() frees no second slot', () => {
  const queue = new UpkeepQueue(1);
  const started: number[] = [];
  let first: () => void = () => {};
  queue.add((done) => ((first = done), started.push(0)));
  queue.add(() => started.push(1)); // never finishes
  queue.add(() => started.push(2));
  first();
  first();
  assert.deepEqual(started, [0, 1], 'the third waits for the second');
  assert.equal(queue.inFlight, 1);
});

test('an operation that throws is counted and frees its slot', () => {
  const queue = new UpkeepQueue(1);
  let after = false;
  queue.add(() => {
    throw new Error('bug');
  });
  queue.add((done) => ((after = true), done()));
  assert.ok(after);
  assert.equal(queue.errors, 1);
  assert.equal(queue.busy, false);
});

test('the owner hears of each operation that throws, with what it threw', () => {
  const heard: unknown[] = [];
  const queue = new UpkeepQueue(2, (error) => heard.push(error));
  const bug = new Error('bug');
  queue.add(() => {
    throw bug;
  });
  queue.add((done) => done());
  assert.deepEqual(heard, [bug]);
  assert.equal(queue.errors, 1);
});

test('clear() drops what waits; what is in flight still finishes', () => {
  const queue = new UpkeepQueue(1);
  let finish: () => void = () => {};
  let laterRan = false;
  queue.add((done) => (finish = done));
  queue.add((done) => ((laterRan = true), done()));
  queue.clear();
  assert.equal(queue.queued, 0);
  assert.ok(queue.busy, 'the first is still in flight');
  finish();
  assert.equal(laterRan, false);
  assert.equal(queue.busy, false);
});

test('concurrency must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new UpkeepQueue(bad), RangeError);
});
