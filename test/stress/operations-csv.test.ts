// --csv: a header, then one row per operation in the order given, times to the microsecond.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { operationsCsv } from '../../src/stress/operations-csv.js';

test('a header and one row per operation, read back by a CSV parser as written', () => {
  const csv = operationsCsv([
    { kind: 'lookup', node: 3, key: 'ab'.repeat(20), start: 1000.1234567, latency: 87.5, hops: 2, messages: 9, outcome: 'found' },
    { kind: 'leave', node: 4, key: '', start: 2000, latency: 0, hops: 0, messages: 0, outcome: 'left' },
  ]);
  assert.equal(csv.split('\n')[0], 'kind,node,key,start_ms,latency_ms,hops,messages,outcome');
  const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(rows[0], {
    kind: 'lookup',
    node: '3',
    key: 'ab'.repeat(20),
    start_ms: '1000.123',
    latency_ms: '87.5',
    hops: '2',
    messages: '9',
    outcome: 'found',
  });
  assert.equal(rows[1].kind, 'leave');
  assert.equal(rows.length, 2);
  assert.equal(operationsCsv([]), 'kind,node,key,start_ms,latency_ms,hops,messages,outcome\n');
});
