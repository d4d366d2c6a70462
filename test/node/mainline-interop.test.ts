// kadswarm Mainline nodes and bittorrent-dht (webtorrent's) nodes in one swarm over real
// UDP on loopback: each side bootstraps through the other, and every message kind goes
// both ways. bittorrent-dht's own checks apply: its queries resolve only if we echo its
// transaction ids and answer from the address it asked, its puts and announces only if
// our tokens work, its gets only if our items verify.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify as edVerify, type KeyObject } from 'node:crypto';
import DHT, { type Item } from 'bittorrent-dht';
import { RealClock } from '../../src/clock/clock.js';
import { UdpTransport } from '../../src/net/udp-transport.js';
import { KademliaNode } from '../../src/node/kademlia-node.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { Ed25519Key } from '../../src/node/security/crypto-suite.js';
import { mutableKey } from '../../src/protocol/item-signature.js';

type Bt = InstanceType<typeof DHT>;
type Reply = { r?: Record<string, Buffer>; e?: unknown };

const clock = new RealClock();
const ks: KademliaNode[] = [];
const bt: Bt[] = [];
const text = (s: string) => new Uint8Array(Buffer.from(s));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** ed25519 over node:crypto, in the shape bittorrent-dht takes (verify(sig, message, publicKey)). */
const publicKeyObject = (raw: Uint8Array): KeyObject =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
const verify = (sig: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
  try {
    return edVerify(null, message, publicKeyObject(publicKey), sig);
  } catch {
    return false;
  }
};

async function startKs(host: string, bootstrap?: { host: string; port: number }): Promise<KademliaNode> {
  const node = new KademliaNode(await UdpTransport.open(host, 0), clock, {
    arena: new ContactArena(),
    requestTimeoutMs: 500,
    protocol: 'mainline',
  });
  node.start();
  ks.push(node);
  if (bootstrap) assert.equal((await node.bootstrap(bootstrap)).ok, true, `${host} joins through ${bootstrap.host}`);
  return node;
}

async function startBt(host: string, bootstrap: { host: string; port: number }): Promise<Bt> {
  const dht = new DHT({ bootstrap: [`${bootstrap.host}:${bootstrap.port}`], host, verify, timeout: 500 });
  bt.push(dht);
  dht.on('warning', () => {});
  await new Promise<void>((resolve) => dht.listen(0, host, () => resolve()));
  await new Promise<void>((resolve) => dht.once('ready', () => resolve()));
  return dht;
}

const btAddress = (dht: Bt) => ({ host: dht.address().address, port: dht.address().port });

/** One raw KRPC query from a bittorrent-dht node (its k-rpc layer), resolved with the reply. */
function btQuery(dht: Bt, to: KademliaNode, q: string, a: Record<string, unknown>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const rpc = (dht as unknown as { _rpc: { query(peer: object, message: object, cb: (e: Error | null, r: Reply) => void): void } })._rpc;
    rpc.query({ host: to.address.host, port: to.address.port }, { q, a }, (error, reply) => (error ? reject(error) : resolve(reply)));
  });
}

/** Mixed, alternating: ks0 <- bt0 <- ks1 <- bt1 <- ks2 <- bt2 (each joins through the one before). */
before(async () => {
  const k0 = await startKs('127.0.40.1');
  const b0 = await startBt('127.0.41.1', k0.address);
  const k1 = await startKs('127.0.40.2', btAddress(b0));
  const b1 = await startBt('127.0.41.2', k1.address);
  const k2 = await startKs('127.0.40.3', btAddress(b1));
  await startBt('127.0.41.3', k2.address);
});

after(async () => {
  for (const node of ks) node.stop();
  await Promise.all(bt.map((dht) => new Promise<void>((resolve) => dht.destroy(() => resolve()))));
});

test('each side bootstraps through the other and keeps the other in its table', () => {
  const btIds = new Set(bt.map((dht) => hex(dht.nodeId)));
  const ksIds = new Set(ks.map((node) => hex(node.id)));
  for (const node of ks)
    assert.ok(
      node.contacts().some((c) => btIds.has(hex(c.id))),
      'a kadswarm node knows bittorrent-dht nodes',
    );
  for (const dht of bt) {
    const known = (dht.toJSON().nodes as Array<{ host: string; port: number }>).map((n) => `${n.host}:${n.port}`);
    assert.ok(
      ks.some((node) => known.includes(`${node.address.host}:${node.address.port}`)),
      'a bittorrent-dht node knows kadswarm nodes',
    );
  }
  assert.equal(ksIds.size, ks.length);
});

test('ping and find_node both ways: ids and compact node info as each side expects', async () => {
  for (const dht of bt) assert.equal(await new Promise((r) => ks[0].ping(btAddress(dht), r)), true);
  const pong = await btQuery(bt[2], ks[0], 'ping', {});
  assert.equal(hex(pong.r!.id), hex(ks[0].id), 'our answer carries our id, from the queried address');
  const target = new Uint8Array(20).fill(0x5a);
  const found = await btQuery(bt[0], ks[2], 'find_node', { target: Buffer.from(target) });
  assert.ok(found.r!.nodes.length > 0 && found.r!.nodes.length % 26 === 0, 'compact node info, 26 bytes a node');
  const lookup = await new Promise<{ closest: Array<{ id: Uint8Array }> }>((resolve) => ks[1].findNode(target, resolve));
  const btIds = new Set(bt.map((dht) => hex(dht.nodeId)));
  assert.ok(
    lookup.closest.some((peer) => btIds.has(hex(peer.id))),
    'our lookup went through bittorrent-dht nodes',
  );
});

test('immutable items (BEP 44): put on one side, got on the other, both ways', async () => {
  const fromBt = await new Promise<Buffer>((resolve, reject) =>
    bt[0].put({ v: Buffer.from('from bittorrent-dht') }, (error: Error | null, hash: Buffer) => (error ? reject(error) : resolve(hash))),
  );
  for (const node of ks) assert.equal(Buffer.from((await node.get(new Uint8Array(fromBt))).value ?? []).toString(), 'from bittorrent-dht');

  const put = await ks[1].putImmutable(text('from kadswarm'));
  assert.ok(put.replicas >= 2, `stored on ${put.replicas} nodes`);
  for (const dht of bt) {
    const got = await new Promise<{ v: Buffer } | null>((resolve, reject) =>
      dht.get(Buffer.from(put.key), (error: Error | null, item: { v: Buffer } | null) => (error ? reject(error) : resolve(item))),
    );
    assert.equal(got?.v.toString(), 'from kadswarm');
  }
});

test('mutable items (BEP 44) with a salt: signed on one side, verified and got on the other, both ways', async () => {
  // bittorrent-dht's side signs with a key of its own (node:crypto underneath)
  const key = Ed25519Key.fromSeed(new Uint8Array(32).fill(7));
  const salt = Buffer.from('profile');
  const fromBt = await new Promise<Buffer>((resolve, reject) =>
    bt[1].put(
      {
        k: Buffer.from(key.publicKey),
        seq: 3,
        salt,
        v: Buffer.from('mutable from bittorrent-dht'),
        sign: (bytes: Buffer) => Buffer.from(key.sign(bytes)),
      },
      (error: Error | null, hash: Buffer) => (error ? reject(error) : resolve(hash)),
    ),
  );
  assert.equal(hex(fromBt), hex(mutableKey(key.publicKey, salt)));
  for (const node of ks) {
    const got = await node.getMutable(key.publicKey, salt);
    assert.equal(Buffer.from(got.value ?? []).toString(), 'mutable from bittorrent-dht');
    assert.equal(got.auth?.seq, 3);
  }

  const ours = await ks[2].putMutable(text('mutable from kadswarm'), { seq: 5, salt: text('status') });
  assert.ok(ours.replicas >= 2, `stored on ${ours.replicas} nodes`);
  for (const dht of bt) {
    const got = await new Promise<Item | null>((resolve, reject) =>
      dht.get(Buffer.from(ours.key), { salt: Buffer.from('status') }, (error: Error | null, item: Item | null) =>
        error ? reject(error) : resolve(item),
      ),
    );
    assert.equal(got?.v.toString(), 'mutable from kadswarm');
    assert.equal(got?.seq, 5);
  }
});

test('announce_peer and get_peers both ways; a bittorrent-dht lookup finds peers through kadswarm nodes', async () => {
  const infoHashBt = Buffer.alloc(20, 0x11);
  await new Promise<void>((resolve, reject) =>
    bt[0].announce(infoHashBt, 6881, (error: Error | null) => (error ? reject(error) : resolve())),
  );
  for (const node of ks) {
    const { peers } = await node.getPeers(new Uint8Array(infoHashBt));
    assert.ok(
      peers.some((p) => p.host === bt[0].address().address && p.port === 6881),
      `found ${JSON.stringify(peers)}`,
    );
  }

  const infoHashKs = new Uint8Array(20).fill(0x22);
  const announced = await ks[0].announce(infoHashKs, 7777);
  assert.ok(announced.announced >= 2, `announced on ${announced.announced} nodes`);
  for (const dht of bt) {
    const peers = await new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      const onPeer = (peer: { host: string; port: number }, infoHash: Buffer) => {
        if (hex(infoHash) === hex(infoHashKs)) seen.push(`${peer.host}:${peer.port}`);
      };
      dht.on('peer', onPeer);
      dht.lookup(Buffer.from(infoHashKs), () => {
        dht.removeListener('peer', onPeer);
        resolve(seen);
      });
    });
    assert.ok(peers.includes(`${ks[0].address.host}:7777`), `bittorrent-dht found ${peers.join(' ')}`);
  }
});

test('bittorrent-dht announces with implied_port and a bad token: the port is the source port; the bad token is refused with 203', async () => {
  const infoHash = Buffer.alloc(20, 0x33);
  const answer = await btQuery(bt[1], ks[1], 'get_peers', { info_hash: infoHash });
  const token = answer.r!.token;
  assert.ok(token.length > 0);
  await btQuery(bt[1], ks[1], 'announce_peer', { info_hash: infoHash, port: 1, implied_port: 1, token });
  const { peers } = await ks[1].getPeers(new Uint8Array(infoHash));
  assert.ok(
    peers.some((p) => p.port === bt[1].address().port),
    'implied_port: the datagram source port',
  );
  await assert.rejects(
    btQuery(bt[1], ks[1], 'announce_peer', { info_hash: infoHash, port: 2, token: Buffer.from('forged') }),
    (error: Error & { code?: unknown }) => /203|token/.test(`${error.message}`),
  );
});

test("BEP 32's want: asked for IPv6 contacts alone, an IPv4 node names none; asked for IPv4 (or nothing), it names them", async () => {
  const target = Buffer.alloc(20, 0x42);
  const cases: Array<[string, Record<string, unknown>]> = [
    ['find_node', { target }],
    ['get_peers', { info_hash: target }],
    ['get', { target }],
  ];
  for (const [q, a] of cases) {
    const six = await btQuery(bt[0], ks[2], q, { ...a, want: ['n6'] });
    assert.equal(six.r!.nodes, undefined, `${q} want n6`);
    assert.equal(six.r!.nodes6, undefined, `${q} want n6`);
    for (const want of [['n4'], ['n4', 'n6'], undefined]) {
      const four = await btQuery(bt[0], ks[2], q, want ? { ...a, want } : a);
      assert.ok(four.r!.nodes.length > 0 && four.r!.nodes.length % 26 === 0, `${q} want ${want}`);
    }
  }
});

test('BEP 43: a read-only kadswarm node joins through bittorrent-dht, puts and gets, and answers no query', async () => {
  const ro = new KademliaNode(await UdpTransport.open('127.0.40.9', 0), clock, {
    arena: new ContactArena(),
    requestTimeoutMs: 500,
    protocol: 'mainline',
    readOnly: true,
  });
  ro.start();
  ks.push(ro);
  assert.equal((await ro.bootstrap(btAddress(bt[0]))).ok, true);
  const put = await ro.putImmutable(text('from a read-only node'));
  assert.ok(put.replicas >= 2, `stored on ${put.replicas} nodes`);
  assert.equal(Buffer.from((await ks[0].get(put.key)).value ?? []).toString(), 'from a read-only node');
  const got = await new Promise<{ v: Buffer } | null>((resolve, reject) =>
    bt[2].get(Buffer.from(put.key), (error: Error | null, item: { v: Buffer } | null) => (error ? reject(error) : resolve(item))),
  );
  assert.equal(got?.v.toString(), 'from a read-only node');
  assert.ok(
    ks.slice(0, 3).some((node) => node.stats().traffic.fromReadOnly > 0),
    'its queries said it is read-only',
  );
  assert.equal(await new Promise((resolve) => ks[0].ping(ro.address, resolve)), false, 'it answers no ping');
  assert.ok(ro.stats().traffic.queriesIgnored >= 1);
  await assert.rejects(btQuery(bt[1], ro, 'ping', {}));
});
