import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Storage } from '../../src/node/storage.js';
import { seededBytes } from '../helpers/reference.js';

const k = (i: number) => seededBytes(`k${i}`, 20);
const v = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

test('values live until their expiry and are swept after it', () => {
  const s = new Storage();
  assert.deepEqual(s.put(k(1), v(3), 1000, 'a', 0), { ok: true });
  assert.deepEqual(s.get(k(1), 999)?.value, v(3));
  assert.equal(s.get(k(1), 1000), undefined);
  s.put(k(2), v(3), 500, 'a', 0);
  s.put(k(3), v(3), 5000, 'a', 0);
  assert.equal(s.sweep(600), 1, 'k2 expired at 500 (k1 was already dropped by get)');
  assert.equal(s.size, 1);
  assert.deepEqual(s.get(k(3), 600)?.value, v(3));
});

test('re-storing the same item never shortens its life; a newer seq of its owner replaces it, sooner expiry and all', () => {
  const s = new Storage();
  const owner = { publicKey: new Uint8Array(32).fill(1), signature: new Uint8Array(64), salt: null };
  s.put(k(1), v(3), 5000, 'a', 0, { ...owner, seq: 1 });
  s.put(k(1), v(3), 2000, 'b', 100, { ...owner, seq: 1 }); // a replica passing on less TTL
  assert.equal(s.get(k(1), 0)?.expiresAt, 5000);
  s.put(k(1), v(3), 9000, 'b', 100, { ...owner, seq: 1 }); // nor can a replay lengthen an owned value's life
  assert.equal(s.get(k(1), 0)?.expiresAt, 5000);
  assert.ok(s.put(k(1), v(3, 2), 3000, 'b', 200, { ...owner, seq: 2 }).ok);
  assert.deepEqual(s.get(k(1), 0)?.value, v(3, 2));
  assert.equal(s.get(k(1), 0)?.expiresAt, 3000);
  assert.equal(s.get(k(1), 0)?.auth?.seq, 2);
  assert.equal(s.size, 1);
  assert.equal(s.bytes, 3);
  // an immutable item (no auth) lives until the later expiry of its copies
  s.put(k(2), v(4), 1000, 'a', 0);
  s.put(k(2), v(4), 4000, 'a', 0);
  assert.equal(s.get(k(2), 0)?.expiresAt, 4000);
});

test('what a writer may not do is refused with a reason, and the held item stays', () => {
  const s = new Storage();
  const mine = { publicKey: new Uint8Array(32).fill(1), signature: new Uint8Array(64), salt: null, seq: 5 };
  const theirs = { ...mine, publicKey: new Uint8Array(32).fill(2), seq: 99 };
  assert.ok(s.put(k(1), v(3), 5000, 'a', 0, mine).ok);
  const refusals = [
    s.put(k(1), v(9), 5000, 'x', 0, theirs),
    s.put(k(1), v(9), 5000, 'x', 0, { ...mine, seq: 4 }),
    s.put(k(1), v(9), 5000, 'x', 0, { ...mine, seq: 5 }),
    s.put(k(1), v(9), 5000, 'x', 0, { ...mine, seq: 6 }, 4),
  ].map((outcome) => (outcome.ok ? 'stored' : outcome.reason));
  assert.deepEqual(refusals, [
    'the key belongs to another publisher until its value expires',
    'sequence number less than current (5)',
    'same sequence number, different value',
    'cas mismatch: the held seq is 5',
  ]);
  assert.deepEqual(s.get(k(1), 0)?.value, v(3));
  assert.equal(s.get(k(1), 0)?.expiresAt, 5000);
  // a mutable item (salted) at the key displaces a plain value squatting there: its key is derived, a plain one only claimed
  assert.ok(s.put(k(1), v(7), 6000, 'x', 0, { ...theirs, salt: new Uint8Array(0), seq: 1 }).ok);
  assert.deepEqual(s.get(k(1), 0)?.value, v(7));
  const squat = s.put(k(1), v(9), 5000, 'x', 0, { ...mine, seq: 1000 });
  assert.deepEqual(squat, { ok: false, reason: 'the key belongs to an immutable or mutable item' }, 'and no plain value displaces it');
});

test('limits refuse with a reason and keep what is stored', () => {
  const s = new Storage({ maxEntries: 3, maxBytes: 100, maxEntriesPerSender: 2, maxBytesPerSender: 60 });
  assert.ok(s.put(k(1), v(10), 1e9, 'a', 0).ok);
  assert.ok(s.put(k(2), v(10), 1e9, 'a', 0).ok);
  assert.deepEqual(s.put(k(3), v(10), 1e9, 'a', 0), { ok: false, reason: 'sender quota exceeded' });
  assert.ok(s.put(k(2), v(50), 1e9, 'a', 0).ok, 'updating an own entry within quota is fine');
  assert.deepEqual(s.put(k(1), v(11), 1e9, 'a', 0), { ok: false, reason: 'sender quota exceeded' });
  assert.ok(s.put(k(3), v(30), 1e9, 'b', 0).ok);
  assert.deepEqual(s.put(k(4), v(1), 1e9, 'c', 0), { ok: false, reason: 'storage full (3 entries)' });
  assert.deepEqual(s.put(k(3), v(41), 1e9, 'b', 0), { ok: false, reason: 'storage full (100 bytes)' });
  // nothing was lost on the way
  assert.deepEqual(s.get(k(1), 0)?.value, v(10));
  assert.deepEqual(s.get(k(2), 0)?.value, v(50));
  assert.deepEqual(s.get(k(3), 0)?.value, v(30));
  assert.equal(s.size, 3);
  assert.equal(s.bytes, 90);
});

test('sender quotas count entries stored before the store grew big enough to need counting', () => {
  const s = new Storage({ maxEntries: 100, maxBytes: 10_000, maxEntriesPerSender: 3, maxBytesPerSender: 100 });
  assert.ok(s.put(k(1), v(10), 1e9, 'a', 0).ok);
  assert.ok(s.put(k(2), v(10), 1e9, 'b', 0).ok);
  assert.ok(s.put(k(3), v(10), 1e9, 'a', 0).ok, 'three entries in all: no sender can be over 3');
  assert.ok(s.put(k(4), v(10), 1e9, 'a', 0).ok, 'a now holds 3');
  assert.deepEqual(s.put(k(5), v(10), 1e9, 'a', 0), { ok: false, reason: 'sender quota exceeded' });
  assert.ok(s.put(k(5), v(10), 1e9, 'b', 0).ok);
  assert.ok(s.put(k(1), v(10, 2), 1e9, 'b', 0).ok, 'b takes over a key of a: b holds 3, a 2');
  assert.deepEqual(s.put(k(6), v(10), 1e9, 'b', 0), { ok: false, reason: 'sender quota exceeded' });
  assert.ok(s.put(k(6), v(10), 1e9, 'a', 0).ok, 'a is back to 2, so its third fits');
  assert.deepEqual(s.put(k(7), v(10), 1e9, 'c', 0).ok, true);
  assert.deepEqual(s.put(k(7), v(101), 1e9, 'c', 0), { ok: false, reason: 'sender quota exceeded' }, 'bytes count too');
  assert.equal(s.size, 7);
  assert.equal(s.bytes, 70);
});

test('expired entries free their quota', () => {
  const s = new Storage({ maxEntries: 1, maxBytes: 100, maxEntriesPerSender: 1, maxBytesPerSender: 100 });
  s.put(k(1), v(10), 100, 'a', 0);
  assert.equal(s.put(k(2), v(10), 1000, 'a', 50).ok, false);
  assert.ok(s.put(k(2), v(10), 1000, 'a', 100).ok, 'k1 expired at 100');
});

test('replication picks live entries no STORE refreshed for the interval', () => {
  const s = new Storage();
  s.put(k(1), v(1), 10_000, 'a', 0);
  s.put(k(2), v(1), 10_000, 'a', 500);
  s.put(k(3), v(1), 800, 'a', 0);
  assert.deepEqual(
    s.dueForReplication(1000, 1000).map((e) => e.key),
    [k(1)],
  );
  s.touch(k(1), 1000);
  assert.deepEqual(s.dueForReplication(1000, 1000), []);
});
