// The typed-array heap behind a virtual clock's slot events: the clock's (time, actor, seq) order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlotHeap } from '../../src/clock/slot-heap.js';
import { rng } from '../helpers/reference.js';

test('pops in (time, actor, seq) order through growth and interleaved pushes, as a sorted list does', () => {
  const random = rng(31);
  const heap = new SlotHeap();
  const model: Array<[number, number, number, number, number]> = [];
  const counts = [0, 0, 0, 0];
  for (let step = 0; step < 5000; step++) {
    if (random() < 0.6 || heap.size === 0) {
      // few distinct times and actors, so ties on both are common
      const actor = Math.floor(random() * counts.length);
      const entry: [number, number, number, number, number] = [Math.floor(random() * 40), actor, counts[actor]++, step % 3, step];
      heap.push(...entry);
      model.push(entry);
    } else {
      model.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      const [at, actor, s, sink, slot] = model.shift()!;
      assert.deepEqual([heap.headAt, heap.headActor, heap.headSeq, heap.headSink, heap.headSlot], [at, actor, s, sink, slot]);
      heap.pop();
    }
    assert.equal(heap.size, model.length);
  }
});
