import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { RoutingTable } from '../../src/routing/routing-table.js';
import { referenceClosest, referencePrefixLength, rng, seededBytes } from '../helpers/reference.js';

/** A deterministic id sharing exactly `b` leading bits with `self`. */
function idInBucket(self: Uint8Array, b: number, seed: string): Uint8Array {
  const id = seededBytes(seed, 20);
  const byte = b >> 3;
  const bit = 0x80 >> (b & 7);
  for (let i = 0; i < byte; i++) id[i] = self[i];
  const before = ~((bit << 1) - 1) & 0xff;
  id[byte] = (self[byte] & before) | (~self[byte] & bit) | (id[byte] & (bit - 1));
  return id;
}

function setup(k = 4, replacementCacheSize = 2) {
  const arena = new ContactArena(2);
  const selfId = seededBytes('self', 20);
  const self = arena.intern(selfId, '127.0.0.1', 4000);
  const table = new RoutingTable(arena, self, { k, replacementCacheSize, now: 0 });
  let port = 5000;
  const contactIn = (b: number, seed = `c${port}`) => arena.intern(idInBucket(selfId, b, seed), '127.0.0.1', port++);
  return { arena, selfId, self, table, contactIn };
}

test('contacts land in the bucket of their common prefix length; our own id is ignored', () => {
  const { table, contactIn, self, selfId, arena } = setup();
  for (const b of [0, 1, 7, 8, 100, 159]) {
    const c = contactIn(b);
    assert.equal(table.observe(c, 1).kind, 'added');
    assert.deepEqual(table.bucket(b), [c]);
    assert.equal(table.bucketIndexOf(arena.id(c)), b);
    assert.equal(referencePrefixLength(selfId, arena.id(c)), b);
  }
  assert.equal(table.observe(self, 1).kind, 'self');
  assert.equal(table.size, 6);
  assert.equal(table.has(self), false);
});

test('a full bucket says when its least-recently-seen contact was last heard from', () => {
  const { table, contactIn } = setup(2, 2);
  const heard = contactIn(1);
  table.observe(heard, 61_500); // heard at 61.5 s: stored to the whole second
  table.observe(contactIn(1), 62_000);
  const newcomer = contactIn(1);
  assert.deepEqual(table.observe(newcomer, 70_000), { kind: 'full', leastRecentlySeen: heard, seenAt: 61_000 });
  table.remove(heard); // the newcomer is promoted from the cache: heard from once, when is not kept
  assert.deepEqual(table.observe(contactIn(1), 80_000).kind, 'full');
  assert.equal(table.bucket(1)[1], newcomer);
  table.observe(table.bucket(1)[0], 90_000);
  assert.deepEqual(
    table.observe(contactIn(1), 95_000),
    { kind: 'full', leastRecentlySeen: newcomer, seenAt: 0 },
    "as if heard at the table's creation",
  );
});

test('a newcomer takes the slot of a contact only named by others, without a ping', () => {
  const { table, contactIn, arena } = setup(2, 2);
  const heard = contactIn(1);
  table.observe(heard, 1_000);
  const named = contactIn(1);
  table.offerUnverified(named); // goes first in line: least recently seen
  const newcomer = contactIn(1);
  assert.deepEqual(table.observe(newcomer, 2_000), { kind: 'replaced', evicted: named });
  assert.deepEqual(table.bucket(1), [heard, newcomer]);
  assert.deepEqual(table.replacements(1), []);
  assert.throws(() => arena.id(named), /unknown contact/, 'the table let it go (nobody else held it)');
  assert.equal(table.observe(contactIn(1), 3_000).kind, 'full', 'verified contacts are not displaced');
});

test('least-recently-seen first: observing a known contact moves it to the tail', () => {
  const { table, contactIn } = setup();
  const [a, b, c] = [contactIn(3), contactIn(3), contactIn(3)];
  for (const x of [a, b, c]) table.observe(x, 1);
  assert.deepEqual(table.bucket(3), [a, b, c]);
  assert.equal(table.observe(a, 2).kind, 'refreshed');
  assert.deepEqual(table.bucket(3), [b, c, a]);
  assert.equal(table.observe(c, 3).kind, 'refreshed');
  assert.deepEqual(table.bucket(3), [b, a, c]);
  assert.equal(table.size, 3);
});

test('a full bucket drops nobody: it names the least-recently-seen contact to ping', () => {
  const { table, contactIn } = setup(3, 2);
  const members = [contactIn(1), contactIn(1), contactIn(1)];
  for (const m of members) table.observe(m, 1);
  const newcomer = contactIn(1);
  const result = table.observe(newcomer, 2);
  assert.deepEqual(result, { kind: 'full', leastRecentlySeen: members[0], seenAt: 0 });
  assert.deepEqual(table.bucket(1), members, 'bucket unchanged until the ping fails');
  assert.deepEqual(table.replacements(1), [newcomer]);

  // the ping answered: the old contact moves to the tail, the newcomer keeps waiting
  assert.equal(table.observe(members[0], 3).kind, 'refreshed');
  assert.deepEqual(table.bucket(1), [members[1], members[2], members[0]]);

  // next time the ping fails: remove() evicts it and promotes the newcomer
  assert.deepEqual(table.observe(newcomer, 4), { kind: 'full', leastRecentlySeen: members[1], seenAt: 0 });
  assert.equal(table.remove(members[1]), true);
  assert.deepEqual(table.bucket(1), [members[2], members[0], newcomer]);
  assert.deepEqual(table.replacements(1), []);
  assert.throws(() => table.remove(members[1]), { message: /unknown contact/ }, 'nobody else held it: freed');
});

test('replacement cache: most recent last, bounded, deduplicated, most recent promoted first', () => {
  const { table, contactIn } = setup(2, 2);
  const members = [contactIn(0), contactIn(0)];
  for (const m of members) table.observe(m, 1);
  const [r1, r2, r3] = [contactIn(0), contactIn(0), contactIn(0)];
  table.observe(r1, 2);
  table.observe(r2, 2);
  table.observe(r1, 3); // seen again: becomes the most recent
  assert.deepEqual(table.replacements(0), [r2, r1]);
  table.observe(r3, 4); // over capacity: the oldest replacement (r2) goes
  assert.deepEqual(table.replacements(0), [r1, r3]);
  table.remove(members[0]);
  assert.deepEqual(table.bucket(0), [members[1], r3]);
  table.remove(members[1]);
  assert.deepEqual(table.bucket(0), [r3, r1]);
  assert.deepEqual(table.replacements(0), []);
  table.remove(r3);
  assert.deepEqual(table.bucket(0), [r1], 'no replacement left: the bucket shrinks');
  // removing a contact that only sits in the cache takes it out of the cache
  table.observe(contactIn(0), 5);
  const waiting = contactIn(0);
  table.observe(waiting, 5);
  assert.deepEqual(table.replacements(0), [waiting]);
  assert.equal(table.remove(waiting), false);
  assert.deepEqual(table.replacements(0), []);
});

test('the same id at a new address is a conflict, not a silent replacement', () => {
  const { table, arena, selfId } = setup();
  const id = idInBucket(selfId, 5, 'moving');
  const old = arena.intern(id, '127.0.0.1', 6000);
  const moved = arena.intern(id, '127.0.0.1', 6001);
  table.observe(old, 1);
  assert.deepEqual(table.observe(moved, 2), { kind: 'conflict', existing: old });
  assert.deepEqual(table.bucket(5), [old]);
  assert.equal(table.has(moved), false);
  table.remove(old); // the old address stopped answering
  assert.equal(table.observe(moved, 3).kind, 'added');
  assert.deepEqual(table.bucket(5), [moved]);
});

test('closestContacts equals a brute-force sort of the table, for random tables and targets', () => {
  const random = rng(99);
  for (let round = 0; round < 25; round++) {
    const arena = new ContactArena(1);
    const selfId = seededBytes(`rt-self-${round}`, 20);
    const self = arena.intern(selfId, 'h', 1);
    const k = [1, 2, 5, 20, 30][round % 5];
    const table = new RoutingTable(arena, self, { k });
    const n = Math.floor(random() * 500);
    for (let i = 0; i < n; i++) {
      const b = random() < 0.5 ? Math.floor(random() * 4) : Math.floor(random() * 40);
      table.observe(arena.intern(idInBucket(selfId, b, `rt-${round}-${i}`), 'h', i + 2), i);
    }
    const members = table.all();
    const ids = members.map((c) => arena.id(c));
    for (let q = 0; q < 15; q++) {
      let target = seededBytes(`rt-t-${round}-${q}`, 20);
      if (q === 0) target = selfId.slice();
      if (q === 1 && members.length > 0) target = ids[0].slice();
      if (q === 2) target = idInBucket(selfId, 2, `deep-${round}`);
      for (const count of [1, 3, 20, 64, 1000]) {
        const expected = referenceClosest(target, ids, count).map((i) => members[i]);
        assert.deepEqual(Array.from(table.closestContacts(target, count)), expected, `round ${round} q ${q} count ${count}`);
      }
      const out = new Uint32Array(7);
      const written = table.closestContactsInto(target, out);
      assert.equal(written, Math.min(7, members.length));
      assert.deepEqual(
        Array.from(out.subarray(0, written)),
        referenceClosest(target, ids, 7).map((i) => members[i]),
      );
    }
  }
});

test('closestContacts defaults to k and handles an empty table', () => {
  const { table, contactIn, selfId } = setup(4);
  assert.equal(table.closestContacts(selfId).length, 0);
  for (let i = 0; i < 10; i++) table.observe(contactIn(i % 3), 1);
  assert.equal(table.closestContacts(selfId).length, 4);
  assert.throws(() => table.closestContacts(new Uint8Array(3)), { name: 'RangeError', message: 'target must be 20 bytes (got 3)' });
  assert.throws(() => table.closestContacts(selfId, -2), RangeError);
});

test('tables grow past their first allocation and stay consistent', () => {
  const { table, contactIn } = setup(20, 0);
  const added: number[] = [];
  for (let b = 0; b < 30; b++)
    for (let i = 0; i < 20; i++) {
      const c = contactIn(b);
      assert.equal(table.observe(c, 1).kind, 'added');
      added.push(c);
    }
  assert.equal(table.size, 600);
  assert.deepEqual(table.all(), added, 'bucket order, then insertion order');
  assert.deepEqual(table.bucket(17), added.slice(17 * 20, 18 * 20));
  assert.equal(table.observe(contactIn(4), 1).kind, 'full');
  assert.deepEqual(table.replacements(4), [], 'cache size 0 keeps nothing');
});

test('per-bucket last-touched time drives refresh', () => {
  const { table, contactIn } = setup();
  table.observe(contactIn(0), 100);
  table.observe(contactIn(2), 5000);
  assert.equal(table.lastTouchedAt(0), 100);
  assert.equal(table.lastTouchedAt(1), 0);
  assert.equal(table.deepestBucket(), 2);
  assert.deepEqual(table.bucketsIdleSince(3000, 1000), [0, 1]);
  table.touchBucket(1, 2500);
  assert.deepEqual(table.bucketsIdleSince(3000, 1000), [0]);
  assert.deepEqual(table.bucketsIdleSince(10_000, 1000), [0, 1, 2]);
  table.touchBucket(1, 10); // an older time never moves it back
  assert.equal(table.lastTouchedAt(1), 2500);
});

test('randomIdInBucket gives ids in that bucket', () => {
  const { table } = setup();
  for (const b of [0, 1, 6, 7, 8, 9, 80, 158, 159]) {
    for (let i = 0; i < 5; i++) assert.equal(table.bucketIndexOf(table.randomIdInBucket(b)), b);
  }
  assert.throws(() => table.randomIdInBucket(160), RangeError);
});

test('bad arguments throw clear errors', () => {
  const { arena, self, table } = setup();
  assert.throws(() => new RoutingTable(arena, self, { k: 0 }), { message: 'k must be an integer from 1 to 255 (got 0)' });
  assert.throws(() => new RoutingTable(arena, self, { k: 256 }), RangeError);
  assert.throws(() => new RoutingTable(arena, 99), { message: 'unknown contact 99' });
  assert.throws(() => table.observe(12345, 1), { message: 'unknown contact 12345' });
  assert.throws(() => table.bucket(-1), RangeError);
});

test('closestContacts stays exact when distances share their first 56+ bits', () => {
  const arena = new ContactArena(1);
  const selfId = seededBytes('near-self', 20);
  const self = arena.intern(selfId, 'h', 1);
  const table = new RoutingTable(arena, self, { k: 20 });
  // 40 contacts in bucket 3 whose ids agree on bytes 0..7 (and some on 0..9): only the
  // tail bytes decide their order, which defeats any shortcut on the leading bits.
  const base = idInBucket(selfId, 3, 'near-base');
  const members: number[] = [];
  for (let i = 0; i < 40; i++) {
    const id = base.slice();
    const tail = seededBytes(`near-${i}`, 20);
    for (let j = i % 2 === 0 ? 8 : 10; j < 20; j++) id[j] = tail[j];
    id[7] = i % 3 === 0 ? base[7] ^ 1 : base[7];
    members.push(arena.intern(id, 'h', 2 + i));
  }
  for (const c of members) table.observe(c, 1);
  const inTable = table.all();
  const ids = inTable.map((c) => arena.id(c));
  for (let q = 0; q < 10; q++) {
    const target = q < 5 ? base.slice() : seededBytes(`near-t-${q}`, 20);
    if (q > 0 && q < 5) target[12] ^= q;
    for (const count of [1, 5, 20]) {
      const expected = referenceClosest(target, ids, count).map((i) => inTable[i]);
      assert.deepEqual(Array.from(table.closestContacts(target, count)), expected, `q ${q} count ${count}`);
    }
  }
});

test('a flood of new contacts cannot grow the arena: the table holds only what it keeps', () => {
  const { arena, table, selfId } = setup(20, 5);
  for (let i = 0; i < 5000; i++) {
    const c = arena.intern(idInBucket(selfId, i % 3, `flood-${i}`), '127.0.0.1', 9000 + i);
    table.observe(c, i);
    arena.dropIfUnused(c); // what a node does after handling a datagram
  }
  // 3 full buckets of 20, 3 replacement caches of 5, and our own contact
  assert.equal(table.size, 60);
  assert.equal(arena.count, 60 + 15 + 1);
  for (const c of table.all()) assert.equal(arena.references(c), 1);
});

test('tables sharing an arena each hold their own reference', () => {
  const arena = new ContactArena(4);
  const a = arena.intern(seededBytes('share-a', 20), 'h', 1);
  const b = arena.intern(seededBytes('share-b', 20), 'h', 2);
  const c = arena.intern(seededBytes('share-c', 20), 'h', 3);
  arena.retain(a); // the nodes' own contacts are held by their nodes
  arena.retain(b);
  const ta = new RoutingTable(arena, a);
  const tb = new RoutingTable(arena, b);
  ta.observe(c, 1);
  tb.observe(c, 1);
  assert.equal(arena.references(c), 2);
  ta.remove(c);
  assert.equal(arena.references(c), 1);
  assert.deepEqual(tb.all(), [c]);
  tb.remove(c);
  assert.throws(() => arena.references(c), /unknown contact/);
  assert.equal(arena.count, 2);
});

test('unverified contacts only fill free slots, at the least-recently-seen end', () => {
  const { table, contactIn, arena } = setup(3, 2);
  const seen = contactIn(2);
  table.observe(seen, 1);
  const heard = contactIn(2);
  assert.equal(table.offerUnverified(heard), true);
  assert.deepEqual(table.bucket(2), [heard, seen], 'first in line to be pinged');
  assert.equal(table.offerUnverified(heard), false, 'already there');
  assert.equal(table.offerUnverified(contactIn(2)), true);
  const extra = contactIn(2);
  assert.equal(table.offerUnverified(extra), false, 'a full bucket displaces nobody');
  assert.deepEqual(table.replacements(2), [], 'and an unverified contact is not a replacement either');
  const impostor = arena.intern(arena.id(table.self).slice(), '127.0.0.9', 9);
  assert.equal(table.offerUnverified(impostor), false, 'our own id, wherever it claims to be, is never offered a slot');
  assert.equal(table.has(impostor), false);
  arena.dropIfUnused(extra);
  assert.throws(() => arena.id(extra), /unknown contact/, 'not held: freed');
  assert.equal(table.observe(heard, 5).kind, 'refreshed', 'hearing from it makes it seen');
  assert.equal(table.bucket(2).at(-1), heard);
});

test('an unknown or out-of-range table option is refused by name', () => {
  const arena = new ContactArena();
  const self = arena.intern(new Uint8Array(20), '127.0.0.1', 1);
  assert.throws(() => new RoutingTable(arena, self, { kk: 3 } as never), {
    name: 'TypeError',
    message: /^unknown routing table option "kk" \(known: k, replacementCacheSize, now, engine, maxContactsPerIp\)$/,
  });
  assert.throws(() => new RoutingTable(arena, self, { k: 0 }), {
    name: 'RangeError',
    message: 'k must be an integer from 1 to 255 (got 0)',
  });
});

test('one ip:port is one contact: another id there is a conflict until the one we have is removed', () => {
  const { arena, selfId, table } = setup(4, 2);
  const first = arena.intern(idInBucket(selfId, 3, 'first'), '203.0.113.1', 7000);
  const second = arena.intern(idInBucket(selfId, 9, 'second'), '203.0.113.1', 7000);
  assert.equal(table.observe(first, 1).kind, 'added');
  assert.deepEqual(table.observe(second, 2), { kind: 'conflict', existing: first }, 'even in another bucket');
  assert.equal(table.offerUnverified(second), false);
  assert.equal(table.has(second), false);
  table.remove(first); // its ping failed
  assert.equal(table.observe(second, 3).kind, 'added');
});

test('at most maxContactsPerIp contacts per IP, whatever their ports and buckets; other IPs are not held back', () => {
  const arena = new ContactArena(2);
  const selfId = seededBytes('self-ip', 20);
  const table = new RoutingTable(arena, arena.intern(selfId, '127.0.0.1', 1), { k: 8, maxContactsPerIp: 3 });
  const kinds = Array.from(
    { length: 6 },
    (_, i) => table.observe(arena.intern(idInBucket(selfId, i, `sybil${i}`), '198.51.100.7', 100 + i), 1).kind,
  );
  assert.deepEqual(kinds, ['added', 'added', 'added', 'ip-full', 'ip-full', 'ip-full']);
  assert.equal(table.offerUnverified(arena.intern(idInBucket(selfId, 7, 'sybil7'), '198.51.100.7', 200)), false);
  assert.equal(table.observe(arena.intern(idInBucket(selfId, 4, 'other'), '198.51.100.8', 100), 1).kind, 'added');
  assert.throws(() => new RoutingTable(arena, 0, { maxContactsPerIp: 0 }), /maxContactsPerIp must be a positive integer or Infinity/);
});

test('a replacement that may not come in (its address or IP is taken) is skipped when a slot frees', () => {
  const arena = new ContactArena(2);
  const selfId = seededBytes('self-r', 20);
  const table = new RoutingTable(arena, arena.intern(selfId, '127.0.0.1', 1), { k: 1, replacementCacheSize: 3, maxContactsPerIp: 1 });
  const held = arena.intern(idInBucket(selfId, 0, 'held'), '192.0.2.1', 1);
  const sameIp = arena.intern(idInBucket(selfId, 5, 'same-ip'), '192.0.2.9', 1);
  const waiting = arena.intern(idInBucket(selfId, 0, 'waiting'), '192.0.2.2', 1);
  const blocked = arena.intern(idInBucket(selfId, 0, 'blocked'), '192.0.2.9', 2);
  table.observe(held, 1);
  table.observe(sameIp, 1);
  assert.equal(table.observe(waiting, 2).kind, 'full');
  assert.equal(table.observe(blocked, 3).kind, 'full', 'the newest in the cache, but its IP already has its one contact');
  table.remove(held);
  assert.deepEqual(table.bucket(0), [waiting]);
});
