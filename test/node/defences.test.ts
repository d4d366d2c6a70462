// The node's defences, attack by attack, on the simulated network (real ed25519 and
// SHA-1 tokens: createSim nodes use the default crypto). The same attacks against real
// UDP nodes are in udp-probes.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFromString } from '../../src/id/id.js';
import { idForIpv4 } from '../../src/id/id-from-ip.js';
import type { GetResult, KademliaNode, StoreResult } from '../../src/node/kademlia-node.js';
import { encodeMessage } from '../../src/protocol/codec.js';
import { immutableKey } from '../../src/protocol/item-signature.js';
import type { RequestBody, ResponseBody } from '../../src/protocol/messages.js';
import { createNetwork, createSim, type Sim, text, untext } from '../helpers/sim.js';
import { seededBytes } from '../helpers/reference.js';

const get = (sim: Sim, node: KademliaNode, key: Uint8Array) => sim.settle<GetResult>((done) => node.findValue(key, done));
const put = (sim: Sim, node: KademliaNode, key: string, value: string) =>
  sim.settle<StoreResult>((done) => node.publish(keyFromString(key), text(value), done));
const ask = (sim: Sim, from: KademliaNode, to: KademliaNode, body: RequestBody) =>
  sim.settle<ResponseBody | null>((done) => from.query(to.address, body, done));

/** The nodes holding key, and the write token each gave `attacker` (as one lookup answer would). */
function holdersAndTokens(sim: Sim, attacker: KademliaNode, key: Uint8Array): Array<{ node: KademliaNode; token: Uint8Array }> {
  return sim.nodes
    .filter((n) => n !== attacker && n.localValue(key))
    .map((node) => {
      const answer = ask(sim, attacker, node, { type: 'FIND_NODE', target: key });
      assert.ok(answer?.type === 'NODES');
      return { node, token: answer.token };
    });
}

test('overwrite: another publisher cannot replace, shorten or delete a value; every holder and reader keeps the original', () => {
  const sim = createNetwork(40);
  const [publisher, attacker] = [sim.nodes[3], sim.nodes[7]];
  const key = keyFromString('key1');
  assert.equal(put(sim, publisher, 'key1', 'original').replicas, 20);
  const evil = put(sim, attacker, 'key1', 'EVIL');
  assert.equal(evil.replicas, 0, 'no holder took it');
  assert.ok(evil.refusals.length >= 19 && evil.refusals.every((r) => r === 'the key belongs to another publisher until its value expires'));
  // with valid tokens, replaying the publisher's own signed STORE with a 1 ms TTL, and with the attacker's key and a high seq
  const original = publisher.localValue(key) ?? sim.nodes.find((n) => n.localValue(key))!.localValue(key)!;
  for (const { node, token } of holdersAndTokens(sim, attacker, key)) {
    const replay = ask(sim, attacker, node, { type: 'STORE', key, value: original.value, ttlMs: 1, token, auth: original.auth, cas: null });
    assert.deepEqual(replay, { type: 'STORED', ok: true, reason: '' }, 'the same item again is accepted...');
    const forged = ask(sim, attacker, node, {
      type: 'STORE',
      key,
      value: text('EVIL'),
      ttlMs: 1,
      token,
      auth: { ...original.auth!, seq: original.auth!.seq + 1 },
      cas: null,
    });
    assert.ok(forged?.type === 'STORED' && !forged.ok && forged.reason === 'invalid signature');
  }
  sim.clock.advance(60_000);
  const holders = sim.nodes.filter((n) => untext(n.localValue(key)?.value ?? null) === 'original');
  assert.equal(holders.length, 20, '...but changes nothing: all 20 copies live on');
  for (const node of sim.nodes) if (node !== attacker) assert.equal(untext(get(sim, node, key).value), 'original');
});

test('the publisher itself can replace its value (a higher seq), and its republish keeps it alive', () => {
  const sim = createNetwork(30, { node: { ttlMs: 60_000, republishMs: 50_000, maintenanceMs: 5_000 } });
  const publisher = sim.nodes[5];
  put(sim, publisher, 'mine', 'v1');
  assert.equal(put(sim, publisher, 'mine', 'v2').replicas, 20);
  assert.equal(untext(get(sim, sim.nodes[9], keyFromString('mine')).value), 'v2');
  sim.clock.advance(200_000); // past three TTLs: only republishing keeps it
  assert.equal(untext(get(sim, sim.nodes[11], keyFromString('mine')).value), 'v2');
  const seqs = sim.nodes.map((n) => n.localValue(keyFromString('mine'))?.auth?.seq).filter((s) => s !== undefined);
  assert.ok(seqs.length > 0 && seqs.every((s) => s! > 2), `republished with new seqs (${seqs.join(', ')})`);
});

test('a STORE without the token we gave its IP is refused, and so is a token given to another IP', () => {
  const sim = createNetwork(10);
  const [victim, attacker, other] = [sim.nodes[2], sim.nodes[3], sim.nodes[4]];
  const value = text('immutable');
  const key = immutableKey(value);
  const store = (token: Uint8Array): RequestBody => ({ type: 'STORE', key, value, ttlMs: 60_000, token, auth: null, cas: null });
  const noToken = ask(sim, attacker, victim, store(new Uint8Array(8)));
  assert.deepEqual(noToken, { type: 'STORED', ok: false, reason: 'invalid write token: use the one a lookup answer gave this IP' });
  const othersAnswer = ask(sim, other, victim, { type: 'FIND_NODE', target: key });
  assert.ok(othersAnswer?.type === 'NODES');
  assert.equal((ask(sim, attacker, victim, store(othersAnswer.token)) as { ok: boolean }).ok, false, "another IP's token");
  const ownAnswer = ask(sim, attacker, victim, { type: 'FIND_NODE', target: key });
  assert.ok(ownAnswer?.type === 'NODES');
  assert.deepEqual(ask(sim, attacker, victim, store(ownAnswer.token)), { type: 'STORED', ok: true, reason: '' });
});

test('immutable items: stored under the hash of their value; a value that does not hash to its key is refused', () => {
  const sim = createNetwork(30);
  const [writer, reader, attacker, victim] = [sim.nodes[1], sim.nodes[17], sim.nodes[8], sim.nodes[9]];
  const stored = sim.settle<{ key: Uint8Array } & StoreResult>((done) => {
    const key = writer.publishImmutable(text('hello world'), (result) => done({ key, ...result }));
  });
  assert.deepEqual(stored.key, immutableKey(text('hello world')));
  assert.equal(stored.replicas, 20);
  const found = get(sim, reader, stored.key);
  assert.equal(untext(found.value), 'hello world');
  assert.equal(found.auth, null);
  const answer = ask(sim, attacker, victim, { type: 'FIND_NODE', target: stored.key });
  assert.ok(answer?.type === 'NODES');
  const forged = ask(sim, attacker, victim, {
    type: 'STORE',
    key: stored.key,
    value: text('EVIL'),
    ttlMs: 1000,
    token: answer.token,
    auth: null,
    cas: null,
  });
  assert.deepEqual(forged, {
    type: 'STORED',
    ok: false,
    reason: 'unsigned value: only an immutable item (key = SHA-1 of the bencoded value) may be unsigned',
  });
});

test('mutable items (BEP 44): a higher seq replaces, a lower one and a wrong cas are refused, readers get only what the key signed', async () => {
  const sim = createNetwork(30);
  const [owner, reader] = [sim.nodes[2], sim.nodes[19]];
  const salt = text('profile');
  const putItem = (value: string, item: { seq: number; cas?: number }) =>
    sim.settle<StoreResult>((done) => owner.publishMutable(text(value), { ...item, salt }, done));
  const getItem = () => sim.settle<GetResult>((done) => reader.findMutable(owner.key.publicKey, salt, done));
  assert.equal(putItem('v1', { seq: 1 }).replicas, 20);
  assert.equal(untext(getItem().value), 'v1');
  assert.equal(putItem('v2', { seq: 2, cas: 1 }).replicas, 20);
  assert.equal(untext(getItem().value), 'v2');
  const stale = putItem('v1 again', { seq: 1 });
  assert.ok(stale.replicas <= 1 && stale.refusals.includes('sequence number less than current (2)'), stale.refusals.join('; '));
  const wrongCas = putItem('v3', { seq: 3, cas: 1 });
  assert.ok(wrongCas.refusals.includes('cas mismatch: the held seq is 2'));
  assert.equal(untext(getItem().value), 'v2');
  // another key's item under the same salt lives elsewhere, and is not what a reader of owner's key gets
  const stranger = sim.nodes[6];
  sim.settle<StoreResult>((done) => stranger.publishMutable(text('imposter'), { seq: 9, salt }, done));
  assert.equal(untext(getItem().value), 'v2');
  assert.deepEqual(getItem().auth?.publicKey, owner.key.publicKey);
});

test('a holder answering with a forged value is passed over: the reader goes on to genuine holders', () => {
  const sim = createNetwork(30);
  const value = text('genuine');
  const key = sim.settle<Uint8Array>((done) => {
    const k = sim.nodes[1].publishImmutable(value, () => done(k));
  });
  const holders = sim.nodes.filter((n) => n.localValue(key));
  for (const liar of holders.slice(0, 10)) {
    // a lying holder's storage holds another value under the key (as if it never checked)
    liar['storage'].put(key, text('forged'), 1e12, 'self', sim.clock.now(), null, null);
  }
  const readers = sim.nodes.filter((n) => !n.localValue(key));
  for (const reader of readers.slice(0, 5)) assert.equal(untext(get(sim, reader, key).value), 'genuine');
});

test('replication carries the owner and signature: a new holder refuses what the original holders refuse', () => {
  const sim = createNetwork(25, { node: { replicateMs: 30_000, maintenanceMs: 5_000 } });
  const publisher = sim.nodes[1];
  put(sim, publisher, 'replicated', 'v');
  publisher.stop(); // no republish: only replication moves it on
  for (let i = 0; i < 10; i++) sim.addNode().join(sim.nodes[0].address, () => {});
  sim.clock.advance(120_000);
  const key = keyFromString('replicated');
  const copies = sim.nodes.filter((n) => n.isRunning && n.localValue(key));
  const newcomers = copies.filter((n) => sim.nodes.indexOf(n) >= 25);
  assert.ok(newcomers.length > 0, 'some of the new nodes took copies');
  for (const n of copies) assert.deepEqual(n.localValue(key)!.auth!.publicKey, publisher.key.publicKey);
  const attacker = sim.nodes[7];
  const evil = put(sim, attacker, 'replicated', 'EVIL');
  assert.equal(evil.replicas, 0);
});

test('one ip:port is one contact: 2,000 made-up ids from one address put one contact in the table', () => {
  const sim = createNetwork(5);
  const victim = sim.nodes[2];
  const attacker = sim.network.createTransport();
  for (let i = 0; i < 2000; i++) {
    const id = victim['table'].randomIdInBucket(i % 100, (n) => seededBytes(`sybil${i}`, n));
    attacker.send(victim.address, encodeMessage({ requestId: seededBytes(`r${i}`, 8), sender: id, body: { type: 'PING' } }));
  }
  sim.clock.advance(30_000);
  const atAttacker = victim.contacts().filter((c) => c.host === attacker.local.host && c.port === attacker.local.port);
  assert.equal(atAttacker.length, 0, 'the first made-up id was pinged, never answered, and left');
  assert.ok(victim.stats().contacts <= 4, `the table holds the ${victim.stats().contacts} real nodes`);
});

test('at most maxContactsPerIp contacts per IP, however many ports it uses', () => {
  const sim = createNetwork(3, { node: { maxContactsPerIp: 3, rateLimit: false } });
  const victim = sim.nodes[1];
  for (let i = 0; i < 50; i++) {
    const sybil = sim.network.createTransport(undefined, '10.99.0.1');
    sybil.onDatagram(() => {}); // never answers a ping
    const id = seededBytes(`sybil-id-${i}`, 20);
    sybil.send(victim.address, encodeMessage({ requestId: seededBytes(`r${i}`, 8), sender: id, body: { type: 'PING' } }));
  }
  sim.clock.advance(100);
  assert.equal(victim.contacts().filter((c) => c.host === '10.99.0.1').length, 3);
});

test('BEP 42: with idFromIp "all", our id comes from our address, and contacts whose id does not are ignored', () => {
  const sim = createSim({ node: { idFromIp: 'all' } });
  const a = sim.addNode();
  const b = sim.addNode();
  const ip = (host: string) => host.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  assert.deepEqual(a.id.subarray(0, 2), idForIpv4(ip(a.address.host), a.id).subarray(0, 2));
  assert.equal(sim.settle<{ ok: boolean }>((done) => b.join(a.address, done)).ok, true);
  assert.ok(a.stats().contacts === 1 && b.stats().contacts === 1, 'ids made from their addresses are accepted');
  const liar = sim.addNode({ id: seededBytes('chosen id next to a key', 20) });
  sim.settle<{ ok: boolean }>((done) => liar.join(a.address, done));
  assert.equal(a.stats().contacts, 1, 'a chosen id at an address it does not belong to is never added');
  assert.ok(a.stats().traffic.idMismatches > 0);
});

test('a source over its rate is dropped before decoding; the node keeps answering others', () => {
  const sim = createNetwork(5, { node: { rateLimit: { perSecond: 100, burst: 200 } } });
  const victim = sim.nodes[1];
  const flooder = sim.network.createTransport();
  let answered = 0;
  flooder.onDatagram(() => answered++);
  for (let i = 0; i < 20_000; i++) {
    flooder.send(
      victim.address,
      encodeMessage({ requestId: seededBytes(`f${i}`, 8), sender: seededBytes('flooder', 20), body: { type: 'PING' } }),
    );
  }
  sim.clock.advance(1000);
  assert.ok(answered <= 2 * 200 + 100, `answered ${answered} of 20,000`);
  assert.ok(victim.stats().traffic.rateLimited >= 19_000);
  assert.ok(put(sim, sim.nodes[3], 'still', 'working').replicas > 0);
  assert.equal(untext(get(sim, victim, keyFromString('still')).value), 'working');
});
