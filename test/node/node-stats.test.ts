// A node's one snapshot of itself, and the doors that replace reaching into its parts:
// contacts(), localValue(), localKeys() and query().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFromString } from '../../src/id/id.js';
import type { StoreResult } from '../../src/node/kademlia-node.js';
import type { ResponseBody } from '../../src/protocol/messages.js';
import { createNetwork, text, untext } from '../helpers/sim.js';

test('stats() agrees with what the node did, and is a copy', () => {
  const sim = createNetwork(40);
  const publisher = sim.nodes[5];
  const key = keyFromString('counted');
  const stored = sim.settle<StoreResult>((done) => publisher.publish(key, text('v'), done));
  const stats = publisher.stats();
  assert.equal(stats.running, true);
  assert.equal(stats.published, 1);
  assert.equal(
    stats.buckets.reduce((a, b) => a + b, 0),
    stats.contacts,
  );
  assert.ok(stats.buckets.length > 0 && stats.buckets[stats.buckets.length - 1] > 0, 'buckets end at the deepest one that holds any');
  assert.equal(stats.contacts, publisher.contacts().length);
  assert.ok(stats.rpc.requestsSent > 0 && stats.rpc.responsesAccepted > 0 && stats.traffic.datagramsIn > 0);
  assert.equal(stats.traffic.lookups >= 1, true);
  assert.equal(stats.exceptionsCaught, 0);
  const holders = sim.nodes.filter((n) => n.stats().stored.entries === 1);
  assert.equal(holders.length, stored.replicas, 'every replica shows in its holder stats');
  assert.ok(holders.every((n) => n.stats().stored.bytes === 1));

  const sentBefore = stats.rpc.requestsSent;
  sim.settle<boolean>((done) => publisher.ping(sim.nodes[0].address, done));
  assert.equal(stats.rpc.requestsSent, sentBefore, 'a snapshot does not move with later traffic');
  assert.equal(publisher.stats().rpc.requestsSent, sentBefore + 1);

  publisher.stop();
  const stopped = publisher.stats();
  assert.equal(stopped.running, false);
  assert.equal(stopped.contacts, 0);
  assert.deepEqual(stopped.buckets, []);
});

test('localValue and localKeys read what a node holds, without a lookup', () => {
  const sim = createNetwork(30);
  const key = keyFromString('held');
  sim.settle<StoreResult>((done) => sim.nodes[3].publish(key, text('here'), done));
  const holder = sim.nodes.find((n) => n.localValue(key))!;
  assert.equal(untext(holder.localValue(key)!.value), 'here');
  const sent = holder.stats().rpc.requestsSent;
  assert.deepEqual(
    holder.localKeys().map((item) => untext(holder.localValue(item.key)!.value)),
    ['here'],
  );
  assert.equal(holder.stats().rpc.requestsSent, sent, 'no traffic');
  assert.equal(holder.localValue(keyFromString('never')), undefined);
  assert.throws(() => holder.localValue(new Uint8Array(3)), /key/);
});

test('query sends one request as given and hands back the raw answer', () => {
  const sim = createNetwork(10);
  const [a, b] = sim.nodes;
  const pong = sim.settle<ResponseBody | null>((done) => a.query(b.address, { type: 'PING' }, done));
  assert.deepEqual(pong, { type: 'PONG' });
  const nodes = sim.settle<ResponseBody | null>((done) => a.query(b.address, { type: 'FIND_NODE', target: keyFromString('t') }, done));
  assert.equal(nodes?.type, 'NODES');
  b.stop();
  const silent = sim.settle<ResponseBody | null>((done) => a.query(b.address, { type: 'PING' }, done));
  assert.equal(silent, null, 'a stopped node times out');
});
