import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveNodeOptions } from '../../src/node/options.js';
import { KademliaNode } from '../../src/node/kademlia-node.js';
import { MemoryNetwork } from '../../src/net/memory-network.js';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { ContactArena } from '../../src/routing/contact-arena.js';

test('options resolve to every default, checked, and frozen', () => {
  const resolved = resolveNodeOptions({ k: 8 });
  assert.equal(resolved.k, 8);
  assert.equal(resolved.alpha, 3);
  assert.equal(resolved.ttlMs, 3_600_000);
  assert.equal(resolved.republishMs, 3_240_000, '0.9 x the TTL');
  assert.ok(Object.isFrozen(resolved) && Object.isFrozen(resolved.storage));
  assert.throws(() => resolveNodeOptions({ k: 0 }), /k must be an integer from 1 to 64/);
  assert.throws(() => resolveNodeOptions({ goodForMs: -1 }), /goodForMs must be a non-negative integer/);
});

test('nodes given resolved options share them; nodes given a plain object resolve their own', () => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock);
  const arena = new ContactArena();
  const shared = resolveNodeOptions({ k: 5, arena });
  assert.equal(resolveNodeOptions(shared), shared, 'resolving twice gives the same object');
  const a = new KademliaNode(network.createTransport(), clock, shared);
  const b = new KademliaNode(network.createTransport(), clock, shared);
  assert.equal(a.options, shared);
  assert.equal(b.options, shared);
  assert.notDeepEqual(a.id, b.id, 'each node still draws its own id');
  const plain = { k: 5, arena };
  const c = new KademliaNode(network.createTransport(), clock, plain);
  plain.k = 7; // a plain object is read when the node is made, and never again
  assert.notEqual(c.options, plain);
  assert.equal(c.options.k, 5);
  assert.equal(new KademliaNode(network.createTransport(), clock, plain).options.k, 7);
});
