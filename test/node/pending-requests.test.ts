// The process-wide pool of pending requests: a hash from (owner, request key) to record
// that stays exact through growth and deletions, checked against a Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingRequests } from '../../src/node/pending-requests.js';
import { rng } from '../helpers/reference.js';

const NONE = -1;

test('records are found by owner and key, never by another owner with the same key', () => {
  const pool = new PendingRequests(2);
  const a = pool.newOwner();
  const b = pool.newOwner();
  const ra = pool.add(a, 12345, 7, '10.0.0.1', 5, 3, 0, 100, null, null, 1);
  const rb = pool.add(b, 12345, 9, '10.0.0.2', 6, 1, 0, 100, null, null, 2);
  assert.notEqual(ra, rb);
  assert.equal(pool.find(a, 12345), ra);
  assert.equal(pool.find(b, 12345), rb);
  assert.equal(pool.find(a, 54321), NONE);
  assert.ok(pool.matches(ra, 7, '10.0.0.1', 5, 3));
  assert.ok(!pool.matches(ra, 7, '10.0.0.1', 5, 1), 'another response type');
  assert.ok(!pool.matches(ra, 7, '10.0.0.9', 5, 3), 'another source');
  assert.ok(!pool.matches(ra, 8, '10.0.0.1', 5, 3), 'another id tail');
  pool.settle(ra);
  assert.equal(pool.find(a, 12345), NONE, 'settled: no longer found');
  assert.equal(pool.find(b, 12345), rb);
  assert.ok(pool.isSettled(ra));
});

test('settle lets go of the waiter; free gives the record back for reuse', () => {
  const pool = new PendingRequests(1);
  const owner = pool.newOwner();
  const handler = { answered: () => {} };
  const r = pool.add(owner, 1, 0, 'h', 1, 1, 5, 10, null, handler, 42);
  assert.equal(pool.handler(r), handler);
  assert.equal(pool.tag(r), 42);
  pool.settle(r);
  assert.equal(pool.handler(r), null);
  assert.equal(pool.used, 1, 'settled records stay until freed');
  pool.free(r);
  assert.equal(pool.used, 0);
  assert.equal(pool.add(owner, 2, 0, 'h', 1, 1, 5, 10, null, null, 0), r, 'reused');
});

test('through growth, settles and frees in random order, the hash answers as a Map does', () => {
  const random = rng(23);
  const pool = new PendingRequests(4);
  const owners = [pool.newOwner(), pool.newOwner(), pool.newOwner()];
  const model = new Map<string, number>(); // owner/key -> record
  const settled: number[] = [];
  for (let step = 0; step < 20_000; step++) {
    const roll = random();
    if (roll < 0.5 || model.size === 0) {
      const owner = owners[Math.floor(random() * owners.length)];
      // keys from a small range, so probe runs collide and wrap often
      const key = Math.floor(random() * 3000) * 2 ** 21 + Math.floor(random() * 8);
      if (model.has(`${owner}/${key}`)) continue;
      model.set(`${owner}/${key}`, pool.add(owner, key, 0, 'h', 1, 1, step, step, null, null, step));
    } else if (roll < 0.85) {
      const names = [...model.keys()];
      const name = names[Math.floor(random() * names.length)];
      pool.settle(model.get(name)!);
      settled.push(model.get(name)!);
      model.delete(name);
    } else if (settled.length > 0) {
      pool.free(settled.splice(Math.floor(random() * settled.length), 1)[0]);
    }
    if (step % 997 === 0) {
      for (const [name, record] of model) {
        const [owner, key] = name.split('/').map(Number);
        assert.equal(pool.find(owner, key), record, `step ${step}: ${name}`);
      }
      assert.equal(pool.used, model.size + settled.length);
    }
  }
  for (const [name] of model) {
    const [owner, key] = name.split('/').map(Number);
    pool.settle(pool.find(owner, key));
    assert.equal(pool.find(owner, key), NONE);
  }
});
