// Where a split simulation puts its nodes: each exactly once, node 0 in thread 0, and
// thread 0 lighter by the share it leaves to the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRY_THREAD_SHEDS, Placement } from '../../src/stress/sim-placement.js';

test('every node has one thread and a dense place in it', () => {
  for (const [nodes, threads] of [
    [1, 1],
    [10, 3],
    [1000, 2],
    [10_000, 4],
  ]) {
    const placement = new Placement(nodes, threads);
    assert.equal(placement.thread(0), 0);
    const seen = Array.from({ length: threads }, () => new Set<number>());
    for (let i = 0; i < nodes; i++) {
      const t = placement.thread(i);
      assert.ok(t >= 0 && t < threads);
      assert.ok(!seen[t].has(placement.index(i)), 'places are unique');
      seen[t].add(placement.index(i));
    }
    seen.forEach((places, t) => {
      assert.equal(places.size, placement.counts[t]);
      assert.equal(Math.max(-1, ...places), places.size - 1, 'places are 0..count-1');
    });
  }
});

test('thread 0 takes its weight, the others an even share', () => {
  const nodes = 100_000;
  const placement = new Placement(nodes, 2);
  const expected = (nodes * (1 - ENTRY_THREAD_SHEDS)) / (2 - ENTRY_THREAD_SHEDS);
  assert.ok(Math.abs(placement.counts[0] - expected) < nodes * 0.001, `${placement.counts[0]} vs ${expected}`);
  const one = new Placement(1000, 1);
  assert.deepEqual(one.counts, [1000]);
});
