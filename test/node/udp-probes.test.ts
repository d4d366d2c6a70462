// Each probe that once broke a node, run again as an attacker would: real UDP on
// loopback, nodes with their default settings (real ed25519, SHA-1 tokens, rate limits),
// raw sockets for the attacker, each on an address of its own (127.0.0.0/8 is all local).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { RealClock } from '../../src/clock/clock.js';
import { keyFromString } from '../../src/id/id.js';
import { UdpTransport } from '../../src/net/udp-transport.js';
import { KademliaNode, type StoreResult } from '../../src/node/kademlia-node.js';
import type { NodeOptions } from '../../src/node/options.js';
import { Ed25519Key } from '../../src/node/security/crypto-suite.js';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.js';
import { immutableKey, signedBytes } from '../../src/protocol/item-signature.js';
import { AMPLIFICATION_FACTOR } from '../../src/protocol/limits.js';
import type { Body, ItemAuth, Message, ResponseBody } from '../../src/protocol/messages.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { seededBytes } from '../helpers/reference.js';

const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const clock = new RealClock();
const nodes: KademliaNode[] = [];
const sockets: dgram.Socket[] = [];
let reflection = 0;

async function startNode(host: string, options: NodeOptions = {}): Promise<KademliaNode> {
  const node = new KademliaNode(await UdpTransport.open(host, 0), clock, { arena: new ContactArena(), requestTimeoutMs: 300, ...options });
  node.start();
  nodes.push(node);
  return node;
}

/** 24 honest nodes, each on an address of its own. */
before(async () => {
  const entry = await startNode('127.0.10.1');
  for (let i = 2; i <= 24; i++) {
    const node = await startNode(`127.0.10.${i}`);
    assert.equal((await node.bootstrap(entry.address)).ok, true);
  }
});

after(() => {
  for (const node of nodes) node.stop();
  for (const socket of sockets) socket.close();
  process.stdout.write(`worst reflection seen: ${reflection.toFixed(2)}x\n`);
});

/** An attacker's raw socket: sends what it likes, from where it is bound. */
async function rawSocket(host: string, port = 0): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(port, host, resolve));
  return socket;
}

let nextRequest = 0;
/** Sends one request and waits for the answer (null after 500 ms); records the answer/request size ratio. */
function query(socket: dgram.Socket, to: KademliaNode, body: Body, sender = seededBytes('attacker', 20)): Promise<ResponseBody | null> {
  const request = encodeMessage({ requestId: seededBytes(`req${nextRequest++}`, 8), sender, body } as Message);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), 500);
    const onMessage = (datagram: Buffer) => {
      reflection = Math.max(reflection, datagram.length / request.length);
      const decoded = decodeMessage(datagram);
      finish(decoded.ok ? (decoded.message.body as ResponseBody) : null);
    };
    const finish = (answer: ResponseBody | null) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(answer);
    };
    socket.on('message', onMessage);
    socket.send(request, to.address.port, to.address.host);
  });
}

const holdersOf = (key: Uint8Array) => nodes.filter((n) => n.localValue(key));

test('overwrite and delete: a stranger with valid tokens and its own key changes no copy, and a replay with ttl 1 shortens none', async () => {
  const publisher = nodes[3];
  const key = keyFromString('key1');
  assert.ok((await publisher.store(key, text('original'))).replicas >= 20);
  const attacker = await rawSocket('127.0.20.1');
  const attackerKey = Ed25519Key.generate();
  const evilAuth = (seq: number): ItemAuth => ({
    publicKey: attackerKey.publicKey,
    seq,
    salt: null,
    signature: attackerKey.sign(signedBytes(key, text('EVIL'), { seq, salt: null })),
  });
  const original = holdersOf(key)[0].localValue(key)!;
  let refused = 0;
  for (const holder of holdersOf(key)) {
    const answer = await query(attacker, holder, { type: 'FIND_NODE', target: key });
    assert.ok(answer?.type === 'NODES', 'one FIND_NODE gives the attacker a token');
    const evil = await query(attacker, holder, {
      type: 'STORE',
      key,
      value: text('EVIL'),
      ttlMs: 3_600_000,
      token: answer.token,
      auth: evilAuth(1e9),
      cas: null,
    });
    if (evil?.type === 'STORED' && !evil.ok) refused++;
    await query(attacker, holder, {
      type: 'STORE',
      key,
      value: original.value,
      ttlMs: 1,
      token: answer.token,
      auth: original.auth,
      cas: null,
    });
  }
  assert.ok(refused >= 20, `${refused} refusals`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(holdersOf(key).length >= 20, 'every copy still there after the ttl-1 replay');
  for (const holder of holdersOf(key)) assert.equal(untext(holder.localValue(key)!.value), 'original');
  for (const reader of [nodes[0], nodes[12], publisher]) assert.equal(untext((await reader.get(key)).value), 'original');
});

test('forged source: a STORE from an address that never received the token is refused', async () => {
  const key = keyFromString('forged');
  const value = text('x');
  const asker = await rawSocket('127.0.20.2');
  const forger = await rawSocket('127.0.20.3'); // stands for a forged source: it sends as an address the token was not given to
  const signer = Ed25519Key.generate();
  const auth: ItemAuth = {
    publicKey: signer.publicKey,
    seq: 1,
    salt: null,
    signature: signer.sign(signedBytes(key, value, { seq: 1, salt: null })),
  };
  const victim = nodes[5];
  const answer = await query(asker, victim, { type: 'FIND_NODE', target: key });
  assert.ok(answer?.type === 'NODES');
  const stored = await query(forger, victim, { type: 'STORE', key, value, ttlMs: 60_000, token: answer.token, auth, cas: null });
  assert.deepEqual(stored, { type: 'STORED', ok: false, reason: 'invalid write token: use the one a lookup answer gave this IP' });
  assert.equal(victim.localValue(key), undefined);
  const own = await query(asker, victim, { type: 'STORE', key, value, ttlMs: 60_000, token: answer.token, auth, cas: null });
  assert.deepEqual(own, { type: 'STORED', ok: true, reason: '' }, 'the address the token went to may write');
});

test(`amplification: no answer to an unproven address is more than ${AMPLIFICATION_FACTOR}x its request; a large value needs the token`, async () => {
  const writer = nodes[8];
  const big = seededBytes('big value', 7000);
  const key = (await writer.putImmutable(big)).key;
  const probe = await rawSocket('127.0.20.4');
  const before = reflection;
  reflection = 0;
  const holder = holdersOf(key)[0];
  await query(probe, holder, { type: 'PING' });
  const nodesAnswer = await query(probe, holder, { type: 'FIND_NODE', target: seededBytes('anywhere', 20) });
  assert.ok(nodesAnswer?.type === 'NODES' && nodesAnswer.contacts.length >= 15, 'a full answer still fits');
  const withheld = await query(probe, holder, { type: 'FIND_VALUE', key, token: null });
  assert.ok(withheld?.type === 'VALUE' && withheld.withheld && withheld.value === null, 'the value is withheld from an unproven address');
  const unproven = reflection;
  const proven = await query(probe, holder, { type: 'FIND_VALUE', key, token: withheld.token });
  assert.ok(proven?.type === 'VALUE' && proven.value?.length === 7000, 'echoing the token proves the address: the value comes');
  assert.ok(unproven <= AMPLIFICATION_FACTOR, `worst unproven reflection ${unproven.toFixed(2)}x`);
  reflection = Math.max(before, unproven);
  // and readers still get it: the lookup asks again with the token by itself
  assert.equal((await nodes[20].get(key)).value?.length, 7000);
});

test('quotas are per IP: a second port of the same IP gets no fresh quota', async () => {
  const victim = await startNode('127.0.10.99', { storage: { maxEntriesPerSender: 3, maxEntries: 5 } });
  const portA = await rawSocket('127.0.20.5');
  const portB = await rawSocket('127.0.20.5');
  const other = await rawSocket('127.0.20.6');
  const store = async (socket: dgram.Socket, i: number) => {
    const value = text(`quota ${i}`);
    const key = immutableKey(value);
    const answer = await query(socket, victim, { type: 'FIND_NODE', target: key });
    assert.ok(answer?.type === 'NODES');
    const stored = await query(socket, victim, { type: 'STORE', key, value, ttlMs: 60_000, token: answer.token, auth: null, cas: null });
    return stored?.type === 'STORED' && stored.ok ? 'ok' : (stored as { reason: string }).reason;
  };
  assert.deepEqual(
    [await store(portA, 1), await store(portA, 2), await store(portA, 3), await store(portA, 4)],
    ['ok', 'ok', 'ok', 'sender quota exceeded'],
  );
  assert.equal(await store(portB, 5), 'sender quota exceeded', 'another port of the same IP shares its quota');
  assert.equal(await store(other, 6), 'ok', 'another IP has its own');
});

test('table poisoning: 2,000 PINGs with made-up ids from one ip:port leave at most one contact at that address', async () => {
  const victim = nodes[10];
  const attacker = await rawSocket('127.0.20.7');
  for (let i = 0; i < 2000; i++) {
    const id = victim['table'].randomIdInBucket(i % 100, (n) => seededBytes(`poison${i}`, n));
    const request = encodeMessage({ requestId: seededBytes(`p${i}`, 8), sender: id, body: { type: 'PING' } });
    attacker.send(request, victim.address.port, victim.address.host);
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  const fromAttacker = victim.contacts().filter((c) => c.host === '127.0.20.7');
  assert.ok(fromAttacker.length <= 1, `${fromAttacker.length} contacts at the attacker's address`);
});

test('eclipse: 20 ids next to a key, from one IP, cannot hide the value its holders have', async () => {
  const key = keyFromString('eclipsed');
  assert.ok((await nodes[2].store(key, text('still here'))).replicas >= 20);
  const victim = await startNode('127.0.10.98');
  assert.equal((await victim.bootstrap(nodes[0].address)).ok, true);
  // 20 sockets on one IP, ids sharing 40 bits with the key, answering every lookup with each other and "not found"
  const ids = Array.from({ length: 20 }, (_, i) => {
    const id = seededBytes(`eclipse${i}`, 20);
    id.set(key.subarray(0, 5));
    return id;
  });
  const attackers = await Promise.all(ids.map(() => rawSocket('127.0.20.8')));
  const contacts = attackers.map((s, i) => ({ id: ids[i], host: '127.0.20.8', port: s.address().port }));
  attackers.forEach((socket, i) => {
    socket.on('message', (datagram, from) => {
      const decoded = decodeMessage(datagram);
      if (!decoded.ok || (decoded.message.body.type !== 'FIND_VALUE' && decoded.message.body.type !== 'FIND_NODE')) return;
      const token = new Uint8Array(8);
      const body: Body =
        decoded.message.body.type === 'FIND_NODE'
          ? { type: 'NODES', contacts, token }
          : { type: 'VALUE', value: null, ttlMs: 0, contacts, token, auth: null, withheld: false };
      socket.send(encodeMessage({ requestId: decoded.message.requestId, sender: ids[i], body }), from.port, from.address);
    });
    for (let p = 0; p < 52; p++) {
      socket.send(
        encodeMessage({ requestId: seededBytes(`e${i}-${p}`, 8), sender: ids[i], body: { type: 'PING' } }),
        victim.address.port,
        victim.address.host,
      );
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const inTable = victim.contacts().filter((c) => c.host === '127.0.20.8').length;
  assert.ok(inTable <= victim.options.maxContactsPerIp, `${inTable} of the 20 in the table`);
  assert.equal(untext((await victim.get(key)).value), 'still here');
  const stored: StoreResult = await victim.store(keyFromString('through the victim'), text('v'));
  assert.ok(stored.replicas >= 15, `a store through the victim reached ${stored.replicas} real nodes`);
});

test('flood: 20,000 requests from one socket get a rate-limited share of answers; the node keeps serving its own gets', async () => {
  const victim = nodes[15];
  const flooder = await rawSocket('127.0.20.9');
  let answers = 0;
  flooder.on('message', () => answers++);
  const received = victim.stats().traffic.datagramsIn;
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) {
    const request = encodeMessage({
      requestId: seededBytes(`f${i}`, 8),
      sender: seededBytes('flood', 20),
      body: { type: 'FIND_NODE', target: seededBytes(`t${i}`, 20) },
    });
    flooder.send(request, victim.address.port, victim.address.host);
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  const get = await victim.get(keyFromString('key1'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const seconds = (performance.now() - started) / 1000;
  const limit = victim.options.rateLimit as { perSecond: number; burst: number };
  assert.equal(untext(get.value), 'original');
  assert.ok(answers <= 2 * limit.burst + limit.perSecond * seconds, `${answers} answers in ${seconds.toFixed(1)} s`);
  const arrived = victim.stats().traffic.datagramsIn - received; // the kernel may drop some when the socket's queue is full
  assert.ok(arrived > 5_000, `${arrived} arrived`);
  assert.ok(
    victim.stats().traffic.rateLimited >= arrived - answers - 200,
    `${victim.stats().traffic.rateLimited} of ${arrived} dropped unread`,
  );
});
