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
  assert.throws(() => resolveNodeOptions({ goodForMs: -1 }), {
    name: 'RangeError',
    message: /^goodForMs must be an integer from 0 to \d+ \(got -1\)$/,
  });
});

test('a mistake in the options is refused by name: unknown keys, wrong types, values out of range', () => {
  const refuse = (options: object, error: { name: string; message: RegExp }) =>
    assert.throws(() => resolveNodeOptions(options as never), error);
  refuse({ kk: 3 }, { name: 'TypeError', message: /^unknown node option "kk" \(known: id, k, alpha, / });
  refuse({ storage: { maxEntrys: 5 } }, { name: 'TypeError', message: /^unknown storage limit "maxEntrys"/ });
  refuse({ k: '20' }, { name: 'TypeError', message: /^k must be a number \(got string\)$/ });
  refuse({ alpha: 0 }, { name: 'RangeError', message: /^alpha must be an integer from 1 to 64 \(got 0\)$/ });
  refuse({ requestTimeoutMs: 2 ** 31 }, { name: 'RangeError', message: /^requestTimeoutMs must be an integer from 1 to 2147483647/ });
  refuse({ maintenanceMs: 1.5 }, { name: 'RangeError', message: /^maintenanceMs must be an integer/ });
  refuse({ storage: { maxBytes: 0 } }, { name: 'RangeError', message: /^storage.maxBytes must be an integer from 1 to / });
  refuse({ storage: 5 }, { name: 'TypeError', message: /^storage must be an object of limits$/ });
  refuse({ replacementCacheSize: -1 }, { name: 'RangeError', message: /^replacementCacheSize must be an integer from 0 to 1024/ });
  refuse({ refreshOnJoin: 'yes' }, { name: 'TypeError', message: /^refreshOnJoin must be a boolean \(got string\)$/ });
  refuse({ id: new Uint8Array(19) }, { name: 'RangeError', message: /^id must be 20 bytes \(got 19\)$/ });
  refuse({ arena: {} }, { name: 'TypeError', message: /^arena must be a ContactArena$/ });
  refuse({ random: { float: () => 0.5 } }, { name: 'TypeError', message: /^random must have bytes\(n\) and float\(\) methods$/ });
  // the limits not given keep their defaults
  assert.equal(resolveNodeOptions({ storage: { maxEntries: 5 } }).storage.maxBytesPerSender, 32 * 1024 * 1024);
});

test('a node refuses bad options when it is made, before it touches the network', () => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock);
  assert.throws(() => new KademliaNode(network.createTransport(), clock, { kk: 3 } as never), {
    name: 'TypeError',
    message: /unknown node option "kk"/,
  });
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
