// Randomness helpers: the seeded generator repeats itself; shuffle permutes, evenly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, shuffle } from '../../src/util/random.js';

test('shuffle permutes in place, and the same seed gives the same order', () => {
  const shuffled = (seed: number) => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    shuffle(items, new SeededRandom(seed));
    return items;
  };
  const first = shuffled(3);
  assert.deepEqual(
    [...first].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.notDeepEqual(
    first,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(shuffled(3), first);
  assert.notDeepEqual(shuffled(4), first);
});

test('shuffle puts each item in each place about equally often', () => {
  const random = new SeededRandom(11);
  const counts = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
  const rounds = 40_000;
  for (let r = 0; r < rounds; r++) {
    const items = [0, 1, 2, 3];
    shuffle(items, random);
    items.forEach((item, place) => counts[item][place]++);
  }
  // 10,000 expected per cell; a biased shuffle (e.g. j drawn from the whole range) is off by > 500
  for (const row of counts) for (const n of row) assert.ok(Math.abs(n - rounds / 4) < 400, `${n}`);
});

test('shuffle leaves empty and one-item lists alone', () => {
  const empty: number[] = [];
  shuffle(empty, new SeededRandom(1));
  assert.deepEqual(empty, []);
  const one = [7];
  shuffle(one, new SeededRandom(1));
  assert.deepEqual(one, [7]);
});
