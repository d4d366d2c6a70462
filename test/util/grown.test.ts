import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grown } from '../../src/util/grown.js';

test('grown copies a column into a bigger one of the same kind, the new entries zero', () => {
  const column = Float64Array.of(1.5, -2);
  const bigger = grown(column, 4);
  assert.ok(bigger instanceof Float64Array);
  assert.deepEqual([...bigger], [1.5, -2, 0, 0]);
  assert.notEqual(bigger.buffer, column.buffer, 'a copy: the old column is left as it was');
  assert.deepEqual([...grown(Uint16Array.of(7), 2)], [7, 0]);
});

test('grown fills the new entries with `fill` when given one, leaving the copied ones as they were', () => {
  assert.deepEqual([...grown(Int32Array.of(5, 0), 4, -1)], [5, 0, -1, -1]);
});
