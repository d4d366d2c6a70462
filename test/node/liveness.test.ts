import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { Liveness } from '../../src/node/liveness.js';
import type { Address } from '../../src/net/transport.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { RoutingTable } from '../../src/routing/routing-table.js';
import { seededBytes } from '../helpers/reference.js';

/** A table with k = 2 and ids that all fall in bucket 0 (first bit differs from ours). */
function setup(options: { admit?: boolean } = {}) {
  const arena = new ContactArena(2);
  const selfId = new Uint8Array(20);
  const self = arena.intern(selfId, '10.0.0.1', 1);
  const clock = new VirtualClock();
  const table = new RoutingTable(arena, self, { k: 2, replacementCacheSize: 2, now: 0 });
  const pings: Array<{ to: Address; done: (alive: boolean) => void }> = [];
  let running = true;
  const liveness = new Liveness({
    table,
    arena,
    clock,
    settings: { goodForMs: 1000, failuresBeforeEviction: 2 },
    admits: () => options.admit ?? true,
    ping: (to, done) => pings.push({ to, done }),
    isRunning: () => running,
  });
  const far = (seed: string) => {
    const id = seededBytes(seed, 20);
    id[0] |= 0x80;
    return id;
  };
  const stop = () => (running = false);
  return { arena, table, clock, liveness, pings, far, stop };
}

const contactsOf = (table: RoutingTable, arena: ContactArena) => table.bucket(0).map((c) => `${arena.host(c)}:${arena.port(c)}`);

test('a full bucket keeps a contact that answers the ping, and drops one that does not', () => {
  const { arena, table, clock, liveness, pings, far } = setup();
  liveness.heardFrom(far('a'), { host: '10.0.0.2', port: 2 });
  liveness.heardFrom(far('b'), { host: '10.0.0.3', port: 3 });
  // a newcomer while the oldest was heard from just now: no ping
  liveness.heardFrom(far('c'), { host: '10.0.0.4', port: 4 });
  assert.equal(pings.length, 0);
  clock.advance(2000);
  liveness.heardFrom(far('c'), { host: '10.0.0.4', port: 4 });
  assert.equal(pings.length, 1);
  assert.deepEqual(pings[0].to, { host: '10.0.0.2', port: 2 }, 'the least-recently-seen contact is pinged');
  // asked again while that ping is out: no second ping
  liveness.heardFrom(far('d'), { host: '10.0.0.5', port: 5 });
  assert.equal(pings.length, 1);
  pings[0].done(true);
  assert.deepEqual(contactsOf(table, arena), ['10.0.0.2:2', '10.0.0.3:3']);
  clock.advance(2000);
  liveness.heardFrom(far('c'), { host: '10.0.0.4', port: 4 });
  assert.equal(pings.length, 2);
  pings[1].done(false);
  assert.ok(!contactsOf(table, arena).includes(pings[1].to.host + ':' + pings[1].to.port), 'the silent contact left');
  assert.equal(table.size, 2, 'a waiting newcomer took its place');
});

test('a contact leaves after failuresBeforeEviction failed requests in a row, and a message in between resets the count', () => {
  const { arena, table, liveness, far } = setup();
  const id = far('a');
  const peer = { id, host: '10.0.0.2', port: 2 };
  liveness.heardFrom(id, peer);
  liveness.failed(peer);
  liveness.heardFrom(id, peer); // it spoke again: the count starts over
  liveness.failed(peer);
  assert.equal(table.size, 1);
  liveness.failed(peer);
  assert.equal(table.size, 0);
  assert.deepEqual(contactsOf(table, arena), []);
});

test('contacts named by others fill free slots only; refused addresses and a stopped node change nothing', () => {
  const named = setup();
  named.liveness.learn({ id: named.far('a'), host: '10.0.0.2', port: 2 });
  assert.equal(named.table.size, 1);

  const refused = setup({ admit: false });
  refused.liveness.heardFrom(refused.far('a'), { host: '10.0.0.2', port: 2 });
  assert.equal(refused.table.size, 0);

  const stopped = setup();
  const peer = { id: stopped.far('a'), host: '10.0.0.2', port: 2 };
  stopped.liveness.heardFrom(peer.id, peer);
  stopped.stop();
  stopped.liveness.failed(peer);
  stopped.liveness.failed(peer);
  assert.equal(stopped.table.size, 1);
});
