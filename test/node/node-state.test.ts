// A node restarted from its saved state: same identity, saved contacts trusted only once
// they answer a ping, and what it published published again (a plain value with the
// next seq, signed by the same key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFromString } from '../../src/id/id.js';
import type { Address } from '../../src/net/transport.js';
import type { GetResult, StoreResult } from '../../src/node/kademlia-node.js';
import { Ed25519Key } from '../../src/node/security/crypto-suite.js';
import { createNetwork, text, untext } from '../helpers/sim.js';

test('a restarted node keeps its identity, pings its saved contacts before trusting them, and republishes', () => {
  const sim = createNetwork(30);
  const before = sim.nodes[5];
  const key = keyFromString('kept');
  assert.ok(sim.settle<StoreResult>((done) => before.publish(key, text('across restarts'), done)).replicas > 0);
  const itemKey = before.publishImmutable(text('an item'), () => {});
  sim.clock.advance(1000);
  const state = before.savedState();
  assert.equal(state.published.length, 2);
  assert.ok(state.contacts.length >= 20, `${state.contacts.length} contacts saved`);
  assert.ok(state.keySeed !== null);
  const oldSeq = before.localValue(key)?.auth?.seq ?? sim.nodes.find((n) => n.localValue(key))!.localValue(key)!.auth!.seq;
  before.stop();

  // three of its contacts go away meanwhile
  const gone = new Set(state.contacts.slice(0, 3).map((c) => c.port));
  for (const node of sim.nodes) if (gone.has(node.address.port)) node.stop();

  const after = sim.addNode({ id: state.id, key: Ed25519Key.fromSeed(state.keySeed!) });
  assert.deepEqual(after.id, before.id);
  assert.deepEqual(after.key.publicKey, before.key.publicKey);
  assert.equal(after.stats().contacts, 0, 'nothing trusted before it answers');
  const answered = sim.settle<Address[]>((done) => after.resume(state, done));
  assert.equal(answered.length, state.contacts.length - 3);
  assert.ok(answered.every((a) => !gone.has(a.port)));
  assert.equal(after.stats().contacts, answered.length, 'exactly the contacts that answered');
  assert.equal(after.stats().published, 2);

  // the next upkeep pass stores them again: the plain value with the next seq, by the same key
  sim.clock.advance(after.options.maintenanceMs * 2);
  sim.clock.runWhile(() => after.stats().upkeep.inFlight > 0);
  const reader = sim.nodes[20];
  const got = sim.settle<GetResult>((done) => reader.findValue(key, done));
  assert.equal(untext(got.value), 'across restarts');
  assert.deepEqual(got.auth?.publicKey, before.key.publicKey);
  assert.equal(got.auth?.seq, oldSeq + 1);
  assert.equal(untext(sim.settle<GetResult>((done) => reader.findValue(itemKey, done)).value), 'an item');
});
