import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContactArena, contacts } from '../../src/routing/contact-arena.js';
import { seededBytes } from '../helpers/reference.js';

test('interning returns one index per (id, host, port)', () => {
  const arena = new ContactArena(2);
  const id = seededBytes('a', 20);
  const a = arena.intern(id, '127.0.0.1', 8080);
  assert.equal(arena.intern(id.slice(), '127.0.0.1', 8080), a);
  const b = arena.intern(id, '127.0.0.1', 8081);
  const c = arena.intern(id, '::1', 8080);
  assert.deepEqual([a, b, c], [0, 1, 2]);
  assert.equal(arena.count, 3);
  assert.equal(arena.address(a), '127.0.0.1:8080');
  assert.equal(arena.address(c), '[::1]:8080');
  assert.deepEqual(arena.id(b), id);
});

test('the arena grows and keeps every id and address', () => {
  const arena = new ContactArena(1);
  const ids = Array.from({ length: 1000 }, (_, i) => seededBytes(`g${i}`, 20));
  ids.forEach((id, i) => assert.equal(arena.intern(id, `10.0.0.${i % 7}`, 70000 + i), i));
  ids.forEach((id, i) => {
    assert.deepEqual(arena.id(i), id);
    assert.equal(arena.port(i), 70000 + i);
    assert.equal(arena.host(i), `10.0.0.${i % 7}`);
  });
  assert.ok(arena.byteLength >= 1000 * 28);
});

test('bad input is refused with a clear error', () => {
  const arena = new ContactArena();
  assert.throws(() => arena.intern(new Uint8Array(5), 'h', 1), { message: 'id must be 20 bytes (got 5)' });
  assert.throws(() => arena.intern(new Uint8Array(20), 'h', -1), RangeError);
  assert.throws(() => arena.id(0), { message: 'unknown contact 0' });
  assert.ok(contacts instanceof ContactArena, 'a process-wide arena is exported');
});

test('freed slots are reused and the old key no longer maps to them', () => {
  const arena = new ContactArena(2);
  const a = arena.intern(seededBytes('r-a', 20), 'h', 1);
  arena.retain(a);
  const b = arena.intern(seededBytes('r-b', 20), 'h', 2);
  arena.dropIfUnused(b);
  assert.equal(arena.count, 1);
  const c = arena.intern(seededBytes('r-c', 20), 'h', 3);
  assert.equal(c, b, 'slot reused');
  assert.deepEqual(arena.id(c), seededBytes('r-c', 20));
  assert.notEqual(arena.intern(seededBytes('r-b', 20), 'h', 2), c, 'the freed contact is a new one now');
  arena.dropIfUnused(a); // still held: stays
  assert.equal(arena.references(a), 1);
  arena.release(a);
  assert.throws(() => arena.id(a), /unknown contact/);
  assert.throws(() => arena.release(c), /released more often than retained/);
});

test('randomized interning and freeing agrees with a reference map', () => {
  const arena = new ContactArena(4);
  const reference = new Map<string, number>();
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let step = 0; step < 20_000; step++) {
    const n = next() % 500; // a small id space, so hits, frees and reuse all happen
    const id = seededBytes(`rand-${n}`, 20);
    const port = 1 + (n % 7); // several contacts share ids and ports
    const key = `${n}:${port}`;
    if (next() % 3 === 0 && reference.has(key)) {
      arena.dropIfUnused(reference.get(key)!);
      reference.delete(key);
    } else {
      const index = arena.intern(id, n % 2 ? '127.0.0.1' : '::1', port);
      if (reference.has(key)) assert.equal(index, reference.get(key), `step ${step}`);
      reference.set(key, index);
    }
  }
  assert.equal(arena.count, reference.size);
  for (const [key, index] of reference) {
    const n = Number(key.split(':')[0]);
    assert.deepEqual(arena.id(index), seededBytes(`rand-${n}`, 20));
    assert.equal(arena.intern(seededBytes(`rand-${n}`, 20), n % 2 ? '127.0.0.1' : '::1', 1 + (n % 7)), index);
  }
});

test('contacts sharing an id are marked as twins, whichever came first', () => {
  const arena = new ContactArena(4);
  const id = seededBytes('twin', 20);
  const first = arena.intern(id, '127.0.0.1', 7000);
  const other = arena.intern(seededBytes('other', 20), '127.0.0.1', 7000);
  assert.equal(arena.hasTwin(first), false);
  const second = arena.intern(id.slice(), '127.0.0.1', 7001);
  assert.equal(arena.hasTwin(first), true);
  assert.equal(arena.hasTwin(second), true);
  assert.equal(arena.hasTwin(other), false, 'same address, other id: not a twin');
  // once both are gone, the id at a new address starts with no twin
  arena.dropIfUnused(first);
  arena.dropIfUnused(second);
  const third = arena.intern(id, '127.0.0.1', 7002);
  assert.equal(arena.hasTwin(third), false);
  assert.equal(arena.intern(id, '127.0.0.1', 7002), third);
});

test('a shared record stands for its slot only while the slot holds that contact', () => {
  const arena = new ContactArena(4);
  const id = seededBytes('gone', 20);
  const c = arena.intern(id, '127.0.0.1', 9000);
  const record = arena.peer(c);
  assert.equal(arena.peer(c), record, 'one record per slot');
  assert.deepEqual([record.id, record.host, record.port], [id, '127.0.0.1', 9000]);
  assert.equal(arena.internPeer(record), c);
  arena.dropIfUnused(c);
  const other = arena.intern(seededBytes('newcomer', 20), '127.0.0.1', 9001);
  assert.equal(other, c); // the slot is reused...
  assert.notEqual(arena.internPeer(record), other); // ...but the stale record interns its own contact again
  assert.equal(arena.count, 2);
});

test('hostShared: whether another live contact has the host, as contacts come and go', () => {
  const arena = new ContactArena(2);
  const a = arena.intern(seededBytes('h-a', 20), '10.0.0.1', 1);
  assert.equal(arena.hostShared(a), false, 'alone at its host');
  const b = arena.intern(seededBytes('h-b', 20), '10.0.0.1', 2);
  const c = arena.intern(seededBytes('h-c', 20), '10.0.0.2', 1);
  assert.equal(arena.intern(seededBytes('h-b', 20), '10.0.0.1', 2), b, 'interning again adds no one');
  assert.deepEqual([arena.hostShared(a), arena.hostShared(b), arena.hostShared(c)], [true, true, false]);
  arena.dropIfUnused(b);
  assert.equal(arena.hostShared(a), false, 'the other one left');
  const d = arena.intern(seededBytes('h-d', 20), '10.0.0.1', 3); // may reuse b's slot
  assert.equal(arena.hostShared(d), true);
});
