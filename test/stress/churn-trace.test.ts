// Churn traces: rows in time order, nodes numbered as they first appear, and one clear
// error naming the row for anything a replay could not follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChurnTrace } from '../../src/stress/churn-trace.js';

test('rows are read in time order, with or without a header, comments and blank lines skipped', () => {
  const trace = parseChurnTrace('time,node,event\n# a comment\n5.5,b,join\n\n1,a,join\n7,a,leave\n7,b,leave\n');
  assert.deepEqual(trace.labels, ['a', 'b']);
  assert.deepEqual(trace.events, [
    { timeMs: 1000, node: 0, join: true },
    { timeMs: 5500, node: 1, join: true },
    { timeMs: 7000, node: 0, join: false },
    { timeMs: 7000, node: 1, join: false },
  ]);
  assert.equal(parseChurnTrace('0,x,join').events.length, 1);
  assert.deepEqual(parseChurnTrace('').events, []);
});

test('a node must join before it leaves, and alternate', () => {
  assert.throws(() => parseChurnTrace('time,node,event\n1,a,leave'), /trace row 2: node a leaves while it is down/);
  assert.throws(() => parseChurnTrace('1,a,join\n2,a,join', 'f.csv'), /f\.csv row 2: node a joins while it is up/);
});

test('bad fields are named', () => {
  assert.throws(() => parseChurnTrace('1,a'), /row 1: expected time,node,event \(got 2 fields\)/);
  assert.throws(() => parseChurnTrace('soon,a,join'), /row 1: time must be seconds >= 0 \(got "soon"\)/);
  assert.throws(() => parseChurnTrace('-1,a,join'), /time must be seconds >= 0/);
  assert.throws(() => parseChurnTrace('1,,join'), /row 1: the node is empty/);
  assert.throws(() => parseChurnTrace('1,a,crash'), /row 1: event must be join or leave \(got "crash"\)/);
  assert.throws(() => parseChurnTrace('1,"a,join'), /^Error: trace: /);
});
