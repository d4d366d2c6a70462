// The node core on the simulated network (virtual time): joins, stores and gets,
// expiry, republish, replication, ping-before-evict, response matching, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idsEqual, keyFromString } from '../../src/id/id.js';
import type { GetResult, JoinResult, StoreResult } from '../../src/node/kademlia-node.js';
import type { ResponseBody } from '../../src/protocol/messages.js';
import { decodeMessage, encodeMessage, MAX_VALUE_BYTES } from '../../src/protocol/codec.js';
import { referenceClosest, referencePrefixLength, seededBytes } from '../helpers/reference.js';
import { createNetwork, createSim, text, untext } from '../helpers/sim.js';

const get = (sim: ReturnType<typeof createSim>, node: (typeof sim.nodes)[number], key: string) =>
  sim.settle<GetResult>((done) => node.findValue(keyFromString(key), done));
const put = (sim: ReturnType<typeof createSim>, node: (typeof sim.nodes)[number], key: string, value: string) =>
  sim.settle<StoreResult>((done) => node.publish(keyFromString(key), text(value), done));

test('every stored value is found from any node; missing keys are not', () => {
  const sim = createNetwork(80);
  for (let i = 1; i < 80; i++) {
    const stored = put(sim, sim.nodes[i], `key${i}`, `value${i}`);
    assert.equal(stored.replicas, 20, `key${i} replicas`);
    assert.equal(stored.attempted, 20);
  }
  for (let i = 1; i < 80; i++) {
    assert.equal(untext(get(sim, sim.nodes[0], `key${i}`).value), `value${i}`);
    assert.equal(untext(get(sim, sim.nodes[(i * 7) % 80], `key${i}`).value), `value${i}`);
  }
  const start = sim.clock.now();
  const miss = get(sim, sim.nodes[0], 'never-stored');
  assert.equal(miss.value, null);
  assert.ok(miss.queried <= 40, `a miss costs about one node lookup (asked ${miss.queried})`);
  assert.ok(sim.clock.now() - start < 2000, 'and ends without waiting on timeouts');
  for (const node of sim.nodes) assert.equal(node.stats().traffic.internalErrors, 0);
});

test('values sit on the k nodes closest to their key', () => {
  const sim = createNetwork(60);
  put(sim, sim.nodes[5], 'placed', 'here');
  const key = keyFromString('placed');
  const holders = sim.nodes.filter((n) => n.localValue(key)).map((n) => n.address.port);
  const expected = referenceClosest(
    key,
    sim.nodes.map((n) => n.id),
    20,
  ).map((i) => sim.nodes[i].address.port);
  assert.deepEqual(
    holders.sort((a, b) => a - b),
    expected.sort((a, b) => a - b),
  );
});

test('a found value is cached at the closest node on the path that lacked it', () => {
  const sim = createNetwork(120, { node: { k: 5 } });
  put(sim, sim.nodes[1], 'cached', 'v');
  const key = keyFromString('cached');
  const before = sim.nodes.filter((n) => n.localValue(key)).length;
  const asker = sim.nodes.find((n) => !n.localValue(key))!;
  const result = get(sim, asker, 'cached');
  assert.equal(untext(result.value), 'v');
  sim.clock.advance(1000);
  const after = sim.nodes.filter((n) => n.localValue(key)).length;
  if (result.hops > 1) assert.equal(after, before + 1);
  else assert.ok(after >= before);
});

test('values expire after their TTL once nobody republishes them', () => {
  const sim = createNetwork(30, { node: { ttlMs: 10_000, maintenanceMs: 1000 } });
  put(sim, sim.nodes[3], 'ephemeral', 'soon gone');
  sim.nodes[3].stop(); // the publisher leaves: no republish
  assert.equal(untext(get(sim, sim.nodes[0], 'ephemeral').value), 'soon gone');
  sim.clock.advance(11_000);
  assert.equal(get(sim, sim.nodes[0], 'ephemeral').value, null);
  const key = keyFromString('ephemeral');
  assert.ok(sim.nodes.every((n) => !n.localValue(key)));
});

test('the publisher republishes before expiry, keeping its value alive', () => {
  const sim = createNetwork(30, { node: { ttlMs: 10_000, maintenanceMs: 1000 } }); // republish every 9 s
  put(sim, sim.nodes[3], 'durable', 'still here');
  sim.clock.advance(60_000);
  assert.equal(untext(get(sim, sim.nodes[0], 'durable').value), 'still here');
});

test('holders replicate values to the k closest without extending their life', () => {
  const sim = createNetwork(40, { node: { ttlMs: 100_000, replicateMs: 5000, maintenanceMs: 1000 } });
  put(sim, sim.nodes[2], 'replicated', 'v');
  sim.nodes[2].stop();
  const key = keyFromString('replicated');
  const holders = sim.nodes.filter((n) => n.isRunning && n.localValue(key));
  // each holder's clock started when the publisher's STORE reached it
  const expiresAt = Math.max(...holders.map((h) => h['storage'].get(key, sim.clock.now())!.expiresAt));
  // one holder loses its copy; replication by the others restores it
  const forgetful = holders[holders.length - 1];
  forgetful['storage'].sweep(Infinity);
  assert.equal(forgetful.localValue(key), undefined);
  sim.clock.advance(8000);
  const restored = forgetful['storage'].get(key, sim.clock.now());
  assert.ok(restored, 'replication restored the lost copy');
  // a relative TTL gains the one-way transit time (<= 50 ms here) and nothing more
  assert.ok(restored.expiresAt <= expiresAt + 51, `without extending the TTL (${restored.expiresAt} vs ${expiresAt})`);
});

/**
 * 40 nodes holding 30 values, where only node 0 replicates (every 10 s; the others every
 * hour) and publishes nothing: every value it holds is one it replicates, all due together.
 */
function replicatingNetwork(latencyMs: [number, number] = [10, 50]) {
  const sim = createSim({
    network: { latencyMs },
    node: { ttlMs: 3_600_000, replicateMs: 3_600_000, refreshMs: 3_600_000, maintenanceMs: 1000, requestTimeoutMs: 10_000 },
  });
  const holder = sim.addNode({ replicateMs: 10_000 });
  for (let i = 1; i < 40; i++) {
    const node = sim.addNode();
    assert.ok(sim.settle<JoinResult>((done) => node.join(holder.address, done)).ok);
  }
  const keys = Array.from({ length: 30 }, (_, i) => `upkeep${i}`);
  keys.forEach((key, i) => put(sim, sim.nodes[1 + (i % 39)], key, `v${i}`));
  const held = keys.map(keyFromString).filter((key) => holder.localValue(key));
  assert.ok(held.length >= 5, `node 0 holds ${held.length} values`);
  sim.clock.runWhile(() => holder['upkeep'].busy, 1_000_000); // node 0 has been replicating while the values went in
  assert.equal(holder['upkeep'].busy, false, 'the upkeep caught up');
  for (const key of held) holder['storage'].touch(key, sim.clock.now());
  return { sim, holder, held };
}

test('upkeep keeps one operation in flight, not a whole pass', () => {
  const { sim, holder, held } = replicatingNetwork();
  const lookups = holder.stats().traffic.lookups;
  let most = 0;
  const until = sim.clock.now() + 30_000;
  sim.clock.runWhile(() => {
    most = Math.max(most, holder.stats().requestsInFlight);
    return sim.clock.now() < until;
  });
  assert.ok(holder.stats().traffic.lookups > lookups, 'node 0 replicated');
  assert.ok(
    held.every((key) => holder['storage'].get(key, sim.clock.now())!.storedAt > until - 30_000),
    'every value was refreshed',
  );
  // one lookup (alpha = 3 requests) or one round of k = 20 STOREs at a time; a whole pass
  // started at once would put every value's lookup in flight together
  assert.ok(most > 0 && most <= 20, `at most ${most} requests in flight`);
});

test('an upkeep operation skips its value if a STORE refreshed it while it waited', () => {
  const { sim, holder, held } = replicatingNetwork();
  const lookups = holder.stats().traffic.lookups;
  sim.clock.runWhile(() => holder.stats().traffic.lookups === lookups); // the pass has started its first replication
  assert.equal(holder.stats().upkeep.inFlight, 1);
  assert.equal(holder.stats().upkeep.queued, held.length - 1);
  // another holder's STORE reaches node 0 for every value: nothing is left to replicate
  for (const key of held) {
    const entry = holder['storage'].get(key, sim.clock.now())!;
    assert.ok(holder['storage'].put(key, entry.value, entry.expiresAt, 'sim:1', sim.clock.now()).ok);
  }
  sim.clock.runWhile(() => holder['upkeep'].busy);
  assert.equal(holder.stats().traffic.lookups, lookups + 1, 'only the replication already under way ran');
});

test('a pass replicates its values in a random order, not the order they arrived in', () => {
  // Holders of the same values hold them in the same order: walked in that order, one at a
  // time, holders fall into step and replicate each value together.
  const { sim, holder, held } = replicatingNetwork();
  const arrival = held.map((key) => Buffer.from(key).toString('hex'));
  const order: string[] = [];
  // the node's parts run their lookups through one wiring object: watch the lookups of held keys there
  const parts = (holder as unknown as { parts: { findWriteTargets: (target: Uint8Array, ...rest: unknown[]) => void } }).parts;
  const findNode = parts.findWriteTargets.bind(parts);
  parts.findWriteTargets = (target, ...rest) => {
    const name = Buffer.from(target).toString('hex');
    if (arrival.includes(name)) order.push(name);
    findNode(target, ...rest);
  };
  const lookups = holder.stats().traffic.lookups;
  sim.clock.runWhile(() => holder.stats().traffic.lookups === lookups);
  sim.clock.runWhile(() => holder['upkeep'].busy);
  assert.deepEqual([...order].sort(), [...arrival].sort(), 'each held value replicated once');
  assert.notDeepEqual(order, arrival);
});

test('a maintenance tick adds nothing while the last pass is still at work', () => {
  // 2 s each way: one replication (a lookup, then STOREs) outlasts several 1 s ticks
  const { sim, holder, held } = replicatingNetwork([2000, 2000]);
  const lookups = holder.stats().traffic.lookups;
  sim.clock.runWhile(() => holder.stats().traffic.lookups === lookups);
  let most = 0;
  sim.clock.runWhile(() => {
    most = Math.max(most, holder.stats().upkeep.queued + holder.stats().upkeep.inFlight);
    return holder['upkeep'].busy;
  });
  assert.equal(most, held.length, 'each value queued once');
  assert.ok(holder.stats().traffic.lookups - lookups >= held.length - 1, 'and replicated');
});

test('a full bucket pings its least-recently-seen contact and evicts it only if dead', () => {
  const sim = createSim();
  const hub = sim.addNode({ k: 2, replacementCacheSize: 2, goodForMs: 0 }); // the paper's basic scheme: always ping
  // craft ids so that a, b, c all land in the hub's bucket 0
  const flip = (seed: string) => {
    const id = seededBytes(seed, 20);
    id[0] = (hub.id[0] ^ 0x80) & 0xff;
    return id;
  };
  const a = sim.addNode({ id: flip('a') });
  const b = sim.addNode({ id: flip('b') });
  sim.settle((done) => a.ping(hub.address, done));
  sim.settle((done) => b.ping(hub.address, done));
  assert.deepEqual(
    hub['table'].bucket(0).map((c) => hub['arena'].port(c)),
    [a.address.port, b.address.port],
  );

  const c = sim.addNode({ id: flip('c') });
  sim.settle((done) => c.ping(hub.address, done)); // a answers the hub's ping: a stays
  sim.clock.advance(3000);
  assert.deepEqual(
    hub['table']
      .bucket(0)
      .map((x) => hub['arena'].port(x))
      .sort(),
    [a.address.port, b.address.port].sort(),
  );
  assert.deepEqual(
    hub['table'].replacements(0).map((x) => hub['arena'].port(x)),
    [c.address.port],
  );

  b.stop(); // b is now the least-recently-seen and dead
  const d = sim.addNode({ id: flip('d') });
  sim.settle((done) => d.ping(hub.address, done));
  sim.clock.advance(3000); // the hub's ping to b times out
  const ports = hub['table'].bucket(0).map((x) => hub['arena'].port(x));
  assert.ok(!ports.includes(b.address.port), 'dead b evicted');
  assert.ok(ports.includes(a.address.port));
  assert.equal(ports.length, 2, 'its slot went to the newest replacement');
});

test('good contacts (heard from lately) are not pinged for a newcomer; stale ones are', () => {
  const sim = createSim({ network: { latencyMs: [10, 10] } });
  const hub = sim.addNode({ k: 2, replacementCacheSize: 2 }); // goodForMs: 15 min
  const flip = (seed: string) => {
    const id = seededBytes(seed, 20);
    id[0] = (hub.id[0] ^ 0x80) & 0xff;
    return id;
  };
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((seed) => sim.addNode({ id: flip(seed) }));
  sim.settle((done) => a.ping(hub.address, done));
  sim.settle((done) => b.ping(hub.address, done));
  const sent = () => hub.stats().rpc.requestsSent;
  const before = sent();
  sim.settle((done) => c.ping(hub.address, done));
  assert.equal(sent(), before, 'a was heard from just now: no ping');
  assert.deepEqual(
    hub['table'].replacements(0).map((x) => hub['arena'].port(x)),
    [c.address.port],
  );

  sim.clock.advance(16 * 60_000);
  a.stop();
  sim.settle((done) => d.ping(hub.address, done));
  assert.equal(sent(), before + 1, 'a has been quiet for 16 min: pinged');
  sim.clock.advance(3000);
  const ports = hub['table'].bucket(0).map((x) => hub['arena'].port(x));
  assert.ok(!ports.includes(a.address.port), 'and evicted when the ping failed');
  assert.ok(ports.includes(b.address.port));
  assert.equal(ports.length, 2);
});

test('responses must match request id, source address and type', () => {
  const sim = createSim({ network: { latencyMs: [10, 10] } });
  const a = sim.addNode();
  const b = sim.addNode();
  const mallory = sim.network.createTransport();
  // mallory sees a's requests on the wire (the worst case for spoofing)
  const sentIds: Uint8Array[] = [];
  const send = a.transport.send.bind(a.transport);
  a.transport.send = (to, datagram) => {
    const decoded = decodeMessage(datagram);
    if (decoded.ok) sentIds.push(decoded.message.requestId);
    send(to, datagram);
  };
  // a pings b; while it waits, mallory answers from the wrong address
  let answered: boolean | undefined;
  a.ping(b.address, (alive) => (answered = alive));
  const requestId = sentIds[0];
  const forged = encodeMessage({ requestId, sender: seededBytes('mallory', 20), body: { type: 'PONG' } });
  mallory.send(a.address, forged);
  sim.clock.advance(15); // the forgery has arrived (10 ms); b's answer has not (20 ms)
  assert.equal(answered, undefined);
  assert.equal(a.stats().rpc.unmatchedResponses, 1);
  sim.clock.advance(100);
  assert.equal(answered, true);
  // the same answer again is a duplicate
  const replay = encodeMessage({ requestId, sender: b.id, body: { type: 'PONG' } });
  sim.network.createTransport(); // unrelated endpoint, keeps ports distinct
  (b.transport as unknown as { send: (to: unknown, d: Uint8Array) => void }).send(a.address, replay);
  sim.clock.advance(100);
  assert.equal(a.stats().rpc.duplicateResponses, 1);
  // an answer after the timeout is late
  const c = sim.addNode();
  c.stop();
  let late: boolean | undefined;
  a.ping(c.address, (alive) => (late = alive));
  const lateId = sentIds[sentIds.length - 1];
  sim.clock.advance(2000);
  assert.equal(late, false);
  const lateReply = encodeMessage({ requestId: lateId, sender: c.id, body: { type: 'PONG' } });
  mallory.send(a.address, lateReply);
  sim.clock.advance(100);
  assert.equal(a.stats().rpc.lateResponses, 1);
});

test('bad datagrams are counted and dropped; the node keeps working', () => {
  const sim = createNetwork(10, { node: { rateLimit: false } }); // this test is about the decoder
  const victim = sim.nodes[4];
  const attacker = sim.network.createTransport();
  for (let i = 0; i < 2000; i++) attacker.send(victim.address, seededBytes(`junk-${i}`, 1 + (i % 300)));
  sim.clock.advance(1000);
  assert.equal(victim.stats().traffic.malformed, 2000);
  assert.equal(victim.stats().traffic.internalErrors, 0);
  put(sim, sim.nodes[1], 'after-junk', 'ok');
  assert.equal(untext(get(sim, victim, 'after-junk').value), 'ok');
});

test('stores over a limit are refused with a reason, and nothing stored is lost', () => {
  const sim = createNetwork(5, { node: { storage: { maxEntries: 1 } } });
  const first = put(sim, sim.nodes[1], 'first', 'kept');
  assert.equal(first.replicas, 5);
  const second = put(sim, sim.nodes[2], 'second', 'refused');
  assert.equal(second.replicas, 0);
  assert.ok(second.refusals.length > 0 && second.refusals.every((r) => r === 'storage full (1 entries)'), second.refusals.join());
  for (const n of sim.nodes) assert.equal(untext(n.localValue(keyFromString('first'))?.value ?? null), 'kept');
});

test('a value too large for one datagram is refused up front', () => {
  const sim = createSim();
  const node = sim.addNode();
  assert.throws(() => node.publish(keyFromString('big'), new Uint8Array(MAX_VALUE_BYTES + 1), () => {}), {
    name: 'RangeError',
    message: `value too large (${MAX_VALUE_BYTES + 1} bytes; the limit is ${MAX_VALUE_BYTES})`,
  });
  const ok = sim.settle<StoreResult>((done) => node.publish(keyFromString('fits'), new Uint8Array(MAX_VALUE_BYTES), done));
  assert.equal(ok.replicas, 1, 'alone, the node keeps it itself');
});

test('joining an address where nobody answers fails cleanly', () => {
  const sim = createSim();
  const node = sim.addNode();
  const result = sim.settle<JoinResult>((done) => node.join({ host: '10.0.3.231', port: 999 }, done));
  assert.equal(result.ok, false);
  assert.equal(result.reason, 'no answer from 10.0.3.231:999');
});

test('bad arguments to the operations are refused at once, by name, and the node goes on', async () => {
  const sim = createSim();
  const node = sim.addNode();
  assert.throws(() => node.publish(new Uint8Array(19), text('v'), () => {}), {
    name: 'RangeError',
    message: 'key must be 20 bytes (got 19)',
  });
  assert.throws(() => node.publish(keyFromString('k'), 'v' as never, () => {}), {
    name: 'TypeError',
    message: 'value must be a Uint8Array',
  });
  assert.throws(() => node.findValue('key1' as never, () => {}), { name: 'TypeError', message: 'key must be a Uint8Array' });
  assert.throws(() => node.join({ host: 'localhost', port: 8080 }, () => {}), {
    name: 'RangeError',
    message: /^cannot join through localhost:8080: not an address this transport can reach/,
  });
  await assert.rejects(node.get(new Uint8Array(3)), { name: 'RangeError', message: 'key must be 20 bytes (got 3)' });
  await assert.rejects(node.store('key1' as never, text('v')), { name: 'TypeError', message: 'key must be a Uint8Array' });
  await assert.rejects(node.bootstrap(undefined as never), { name: 'RangeError', message: /^cannot join through undefined:undefined/ });
  const stored = sim.settle<StoreResult>((done) => node.publish(keyFromString('k'), text('v'), done));
  assert.equal(stored.replicas, 1, 'the node still works');
});

test('after joining, buckets farther than the closest neighbour are filled', () => {
  const sim = createNetwork(150);
  const last = sim.nodes[149];
  assert.ok(last.stats().contacts >= 40, `routing table has ${last.stats().contacts} contacts`);
  assert.ok(last['table'].bucket(0).length === 20, 'bucket 0 full');
});

test('right after joining, every bucket holds as many contacts as its range has nodes, up to k', () => {
  const sim = createSim({ seed: 5 });
  const entry = sim.addNode();
  let checked = 0;
  for (let i = 1; i < 250; i++) {
    const node = sim.addNode();
    const lookupsBefore = node.stats().traffic.lookups;
    sim.settle<JoinResult>((done) => node.join(entry.address, done));
    if (i < 220) continue;
    const inRange = new Array<number>(161).fill(0);
    for (const other of sim.nodes) if (other !== node) inRange[referencePrefixLength(node.id, other.id)]++;
    for (let b = 0; b < 160; b++) {
      if (inRange[b] === 0) continue;
      assert.equal(node['table'].bucketSize(b), Math.min(20, inRange[b]), `node ${i}, bucket ${b}`);
      checked++;
    }
    // The lookup of its own id, plus at most one refresh per bucket up to that of its k-th
    // closest node: the nearer ones hold only nodes that lookup already found.
    const kth = sim.nodes
      .filter((other) => other !== node)
      .map((other) => referencePrefixLength(node.id, other.id))
      .sort((a, b) => b - a)[19];
    const lookups = node.stats().traffic.lookups - lookupsBefore;
    assert.ok(lookups <= 1 + kth + 1, `node ${i}: ${lookups} lookups, k-th closest in bucket ${kth}`);
  }
  assert.ok(checked > 100, `${checked} buckets checked`);
});

test('an upkeep operation that throws is counted, and the node goes on serving', () => {
  const sim = createNetwork(40, { node: { refreshMs: 10_000, maintenanceMs: 1000 } });
  const node = sim.nodes[7];
  // a bug in bucket refresh, simulated: every refresh the upkeep queue runs throws
  (node as unknown as { membership: { refreshIdleBucket: () => void } }).membership.refreshIdleBucket = () => {
    throw new Error('bug');
  };
  assert.equal(node.stats().traffic.internalErrors, 0);
  sim.clock.advance(12_000);
  assert.ok(node.stats().traffic.internalErrors >= 1, `${node.stats().traffic.internalErrors} errors counted`);
  put(sim, sim.nodes[1], 'after-bug', 'ok');
  assert.equal(untext(get(sim, node, 'after-bug').value), 'ok');
  // a throwing response callback is caught by the RPC layer; exceptionsCaught sums both
  const before = node.exceptionsCaught;
  assert.equal(before, node.stats().traffic.internalErrors);
  node.ping(sim.nodes[1].address, () => {
    throw new Error('bug in a callback');
  });
  sim.clock.advance(1000);
  assert.equal(node.stats().rpc.callbackErrors, 1);
  assert.equal(node.exceptionsCaught, node.stats().traffic.internalErrors + 1);
});

test('idle buckets are refreshed with a lookup in their range', () => {
  const sim = createNetwork(40, { node: { refreshMs: 10_000, maintenanceMs: 1000 } });
  const node = sim.nodes[7];
  const lookups = node.stats().traffic.lookups;
  sim.clock.advance(12_000);
  assert.ok(node.stats().traffic.lookups > lookups, 'refresh lookups ran');
  assert.deepEqual(node['table'].bucketsIdleSince(sim.clock.now(), 10_000), []);
});

test('the message-carrying simulator runs exactly like the bytes path (same seed, same outcome, same bytes counted)', () => {
  const outcome = (carryMessages: boolean) => {
    const sim = createNetwork(60, { seed: 9, network: { carryMessages } });
    const replicas = sim.nodes.slice(1, 20).map((node, i) => put(sim, node, `key${i}`, `value${i}`).replicas);
    const found = sim.nodes.slice(1, 20).map((_, i) => untext(get(sim, sim.nodes[0], `key${i}`).value));
    const miss = get(sim, sim.nodes[0], 'never-stored');
    return {
      replicas,
      found,
      miss: [miss.value, miss.queried, miss.hops],
      now: sim.clock.now(),
      sent: sim.network.counters.sent,
      stored: sim.nodes.map((n) => n.stats().stored.entries),
      // counted from the datagrams on the bytes path, from the codec's encodedSize on the other
      bytesSent: sim.nodes.map((n) => n.rpcCounters.bytesSent),
    };
  };
  const bytes = outcome(false);
  assert.ok(bytes.bytesSent.every((n) => n > 0));
  assert.deepEqual(
    bytes.found,
    Array.from({ length: 19 }, (_, i) => `value${i}`),
  );
  assert.deepEqual(outcome(true), bytes);
});

test('a FIND_NODE answer names the k closest contacts the node knows, never the requester', () => {
  const sim = createNetwork(150);
  const answerer = sim.nodes[7];
  const knownNodes = answerer['table'].all().map((c) => sim.nodes.find((n) => n.address.port === answerer['arena'].port(c))!);
  const farTarget = seededBytes('far-target', 20);
  const cases = [
    // a node looking up its own id: the answerer knows it, and it is the closest to the target
    { requester: knownNodes[0], target: knownNodes[0].id, requesterAmongClosest: true },
    // a node the answerer knows, far from the target
    {
      requester: knownNodes.find(
        (n) => !answerer['table'].closestContacts(farTarget, 21).some((c) => idsEqual(answerer['arena'].id(c), n.id)),
      )!,
      target: farTarget,
      requesterAmongClosest: false,
    },
  ];
  for (const { requester, target, requesterAmongClosest } of cases) {
    const known = answerer['table'].closestContacts(target, 21).map((c) => answerer['arena'].id(c));
    assert.equal(known.length, 21);
    assert.equal(
      known.some((id) => idsEqual(id, requester.id)),
      requesterAmongClosest,
    );
    const expected = known.filter((id) => !idsEqual(id, requester.id)).slice(0, 20);
    const answer = sim.settle<ResponseBody | null>((done) => requester.query(answerer.address, { type: 'FIND_NODE', target }, done));
    assert.equal(answer?.type, 'NODES');
    const named = (answer as Extract<ResponseBody, { type: 'NODES' }>).contacts.map((c) => Array.from(c.id));
    assert.deepEqual(
      named,
      expected.map((id) => Array.from(id)),
    );
  }
});

test('a read-only node (BEP 43) joins, publishes and finds, answers no query, and enters no routing table', () => {
  const sim = createNetwork(40);
  const readOnly = sim.addNode({ readOnly: true });
  assert.equal(sim.settle<JoinResult>((done) => readOnly.join(sim.nodes[0].address, done)).ok, true);
  assert.ok(readOnly.stats().contacts >= 20, 'it fills its own table from the answers');
  assert.equal(put(sim, readOnly, 'ro-key', 'ro-value').replicas, 20);
  assert.equal(untext(get(sim, sim.nodes[9], 'ro-key').value), 'ro-value');
  assert.equal(untext(get(sim, readOnly, 'key-of-0').value), null);
  put(sim, sim.nodes[3], 'key-of-3', 'value-of-3');
  assert.equal(untext(get(sim, readOnly, 'key-of-3').value), 'value-of-3');
  const others = sim.nodes.filter((node) => node !== readOnly);
  for (const node of others) assert.ok(!node.contacts().some((c) => idsEqual(c.id, readOnly.id)), `node ${node.address.port} keeps it`);
  assert.ok(others.reduce((sum, node) => sum + node.stats().traffic.fromReadOnly, 0) > 20);
  assert.equal(
    sim.settle<boolean>((done) => sim.nodes[1].ping(readOnly.address, done)),
    false,
  );
  assert.equal(readOnly.stats().traffic.queriesIgnored, 1);
  assert.equal(readOnly.stats().traffic.requestsHandled, 0);
  // an ordinary node beside it is kept, as before
  const ordinary = sim.addNode();
  sim.settle<JoinResult>((done) => ordinary.join(sim.nodes[0].address, done));
  assert.ok(others.some((node) => node.contacts().some((c) => idsEqual(c.id, ordinary.id))));
});

test('a value a k = 1 writer stored on one node alone is found from every node, the holder included', () => {
  const sim = createSim({ seed: 3 });
  const entry = sim.addNode();
  const narrow = sim.addNode({ k: 1 });
  const reader = sim.addNode();
  for (const node of [narrow, reader]) assert.ok(sim.settle<{ ok: boolean }>((done) => node.join(entry.address, done)).ok);
  const holders = new Set<string>();
  for (let i = 0; i < 24; i++) {
    const key = `narrow${i}`;
    assert.equal(put(sim, narrow, key, `v${i}`).replicas, 1);
    const holder = sim.nodes.find((n) => n['storage'].get(keyFromString(key), sim.clock.now()));
    assert.ok(holder, `${key} is held somewhere`);
    holders.add(holder === entry ? 'entry' : holder === narrow ? 'writer' : 'reader');
    for (const node of sim.nodes) assert.equal(untext(get(sim, node, key).value), `v${i}`, `${key} from node ${sim.nodes.indexOf(node)}`);
  }
  assert.ok(holders.has('reader'), `some keys land on the reader itself (held by: ${[...holders].join(', ')})`);
});
