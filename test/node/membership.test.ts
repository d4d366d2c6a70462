import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { Membership } from '../../src/node/membership.js';
import type { LookupResult } from '../../src/node/lookup.js';
import { nodeLookupResult } from '../helpers/lookup-result.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { RoutingTable } from '../../src/routing/routing-table.js';
import { SeededRandom } from '../../src/util/random.js';

interface Lookup {
  target: Uint8Array;
  alpha?: number;
  done: (result: LookupResult) => void;
}

function setup(alive: boolean, refreshOnJoin = true) {
  const arena = new ContactArena(2);
  const id = new Uint8Array(20);
  const table = new RoutingTable(arena, arena.intern(id, '10.0.0.1', 1), { k: 2, now: 0 });
  const clock = new VirtualClock();
  const lookups: Lookup[] = [];
  let running = true;
  const membership = new Membership({
    id,
    table,
    arena,
    clock,
    random: new SeededRandom(1),
    settings: { k: 2, refreshOnJoin, refreshMs: 60_000 },
    ping: (_to, done) => done(alive),
    findNode: (target, done, _enough, alpha) => lookups.push({ target, alpha, done }),
    isRunning: () => running,
  });
  return { arena, id, table, clock, lookups, membership, stop: () => (running = false) };
}

test('a join through a node that does not answer fails with the reason, and looks nothing up', () => {
  const { membership, lookups } = setup(false);
  let result;
  membership.join({ host: '10.0.0.9', port: 9 }, (r) => (result = r));
  assert.deepEqual(result, { ok: false, reason: 'no answer from 10.0.0.9:9', contacts: 0 });
  assert.equal(lookups.length, 0);
});

test('a join looks up our own id, then refreshes each bucket farther than our nearest neighbour, one request at a time', () => {
  const { membership, lookups, id, table, arena } = setup(true);
  let result: { ok: boolean } | undefined;
  membership.join({ host: '10.0.0.9', port: 9 }, (r) => (result = r));
  assert.equal(lookups.length, 1);
  assert.deepEqual(lookups[0].target, id);
  // the lookup found one neighbour sharing 3 bits with us: buckets 0, 1 and 2 get refreshed
  const neighbour = new Uint8Array(20);
  neighbour[0] = 0x10;
  table.observe(arena.intern(neighbour, '10.0.0.2', 2), 0);
  lookups[0].done(nodeLookupResult());
  assert.equal(result, undefined, 'not joined before the refreshes end');
  const refreshes = lookups.slice(1);
  assert.deepEqual(
    refreshes.map((l) => table.bucketIndexOf(l.target)),
    [0, 1, 2],
  );
  assert.ok(refreshes.every((l) => l.alpha === 1));
  for (const l of refreshes) l.done(nodeLookupResult());
  assert.deepEqual(result, { ok: true, reason: '', contacts: 1 });
});

test('without refreshOnJoin the join ends with the lookup of our own id', () => {
  const { membership, lookups } = setup(true, false);
  let result: { ok: boolean } | undefined;
  membership.join({ host: '10.0.0.9', port: 9 }, (r) => (result = r));
  lookups[0].done(nodeLookupResult());
  assert.equal(lookups.length, 1);
  assert.equal(result?.ok, true);
});

test('an idle bucket is refreshed once it has been idle for refreshMs, and not when a lookup went through it since', () => {
  const { membership, lookups, clock, table, arena, stop } = setup(true);
  const contact = new Uint8Array(20);
  contact[0] = 0x40; // shares 1 bit with us: buckets 0 and 1 are in use
  table.observe(arena.intern(contact, '10.0.0.2', 2), 0);
  assert.deepEqual(membership.idleBuckets(clock.now()), []);
  clock.advance(60_000);
  assert.deepEqual(membership.idleBuckets(clock.now()), [0, 1]);
  let done = 0;
  membership.refreshIdleBucket(0, () => done++);
  assert.equal(lookups.length, 1);
  assert.equal(table.bucketIndexOf(lookups[0].target), 0);
  lookups[0].done(nodeLookupResult());
  // touched by that refresh: not idle now, so a second queued refresh does nothing
  membership.refreshIdleBucket(0, () => done++);
  assert.equal(lookups.length, 1);
  assert.equal(done, 2);
  clock.advance(60_000);
  stop();
  membership.refreshIdleBucket(0, () => done++);
  assert.equal(lookups.length, 1, 'a stopped node refreshes nothing');
});
