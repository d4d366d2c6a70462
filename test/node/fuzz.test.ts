// 100,000 random and mutated datagrams at a live UDP node, in each protocol: nothing may
// throw, memory may not grow, and afterwards the node must still store and find values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { RealClock } from '../../src/clock/clock.js';
import { keyFromString } from '../../src/id/id.js';
import { UdpTransport } from '../../src/net/udp-transport.js';
import { KademliaNode } from '../../src/node/kademlia-node.js';
import { encodeMessage } from '../../src/protocol/codec.js';
import { encodeKrpc } from '../../src/protocol/krpc-codec.js';
import type { Body, Message } from '../../src/protocol/messages.js';
import type { ProtocolName } from '../../src/protocol/wire-codec.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { SeededRandom } from '../../src/util/random.js';

const DATAGRAMS = 100_000;

function validMessages(random: SeededRandom, protocol: ProtocolName): Uint8Array[] {
  const id = () => random.bytes(20);
  const contact = () => ({ id: id(), host: '127.0.0.1', port: 1 + (random.next32() % 65535) });
  const bodies: Body[] = [
    { type: 'PING' },
    { type: 'PONG' },
    { type: 'STORE', key: id(), value: random.bytes(40), ttlMs: 60_000, token: random.bytes(8), auth: null, cas: null },
    {
      type: 'STORE',
      key: id(),
      value: random.bytes(40),
      ttlMs: 60_000,
      token: random.bytes(8),
      auth: { publicKey: random.bytes(32), seq: 7, signature: random.bytes(64), salt: random.bytes(5) },
      cas: 6,
    },
    { type: 'STORED', ok: true, reason: '' },
    { type: 'FIND_NODE', target: id() },
    { type: 'NODES', contacts: [contact(), contact(), contact()], token: random.bytes(8) },
    { type: 'FIND_VALUE', key: id(), token: null },
    { type: 'FIND_VALUE', key: id(), token: random.bytes(8) },
    { type: 'VALUE', value: null, ttlMs: 0, contacts: [contact()], token: random.bytes(8), auth: null, withheld: false },
    { type: 'VALUE', value: random.bytes(100), ttlMs: 5, contacts: [], token: random.bytes(8), auth: null, withheld: false },
    { type: 'VALUE', value: null, ttlMs: 0, contacts: [], token: random.bytes(8), auth: null, withheld: true },
    { type: 'GET_PEERS', infoHash: id() },
    { type: 'PEERS', peers: [{ host: '10.1.2.3', port: 4 }], contacts: [contact()], token: random.bytes(8) },
    { type: 'ANNOUNCE_PEER', infoHash: id(), port: 6881, impliedPort: false, token: random.bytes(8) },
    { type: 'ANNOUNCED', ok: true, reason: '' },
  ];
  const encode = (message: Message) =>
    protocol === 'mainline' ? encodeKrpc(message, { host: '127.0.0.1', port: 9 }) : encodeMessage(message);
  return bodies.map((body) => encode({ requestId: random.bytes(8), sender: id(), body }));
}

/** Bencode's hostile headers: a huge string length, a huge integer, deep nesting. */
const BENCODE_TRAPS = ['999999999:', 'i99999999999999999999999e', 'l'.repeat(500), 'd9:__proto__d', 'i-0e', '0:'].map((s) =>
  Buffer.from(s, 'latin1'),
);

function mutate(random: SeededRandom, base: Uint8Array, protocol: ProtocolName): Uint8Array {
  const r = random.next32();
  switch (r % 8) {
    case 0: // flip a few bytes
    case 1: {
      const out = base.slice();
      for (let i = 0, n = 1 + ((r >>> 8) % 4); i < n; i++) out[random.next32() % out.length] ^= 1 + (random.next32() % 255);
      return out;
    }
    case 2: // truncate
      return base.slice(0, random.next32() % base.length);
    case 3: // trailing garbage
      return new Uint8Array([...base, ...random.bytes(1 + ((r >>> 8) % 16))]);
    case 4: // a hostile container header spliced in
      if (protocol === 'mainline') {
        const at = 1 + (random.next32() % (base.length - 1));
        return new Uint8Array([...base.slice(0, at), ...BENCODE_TRAPS[(r >>> 8) % BENCODE_TRAPS.length], ...base.slice(at)]);
      }
      return new Uint8Array([
        ...base.slice(0, 1 + (random.next32() % (base.length - 1))),
        [0xdd, 0xdf, 0xc6, 0xdb][r >>> 30],
        0xff,
        0xff,
        0xff,
        0xff,
        ...base.slice(5),
      ]);
    case 5: // pure random bytes, any size up to an MTU
      return random.bytes(random.next32() % 1500);
    case 6: // oversized
      return random.bytes(8193 + (random.next32() % 1000));
    default: // valid envelope, wrong version or type byte
      return (() => {
        const out = base.slice();
        out[1 + ((r >>> 8) % 2)] = random.next32() & 0xff;
        return out;
      })();
  }
}

for (const protocol of ['kadswarm', 'mainline'] as const)
  test(
    `${protocol}: a live UDP node survives ${DATAGRAMS.toLocaleString('en-US')} random and mutated datagrams`,
    { timeout: 120_000 },
    async (t) => {
      const arena = new ContactArena();
      const clock = new RealClock();
      // every datagram comes from one IP, far over any rate limit: this test is about the decoder
      const options = { arena, requestTimeoutMs: 300, rateLimit: false as const, protocol };
      const target = new KademliaNode(await UdpTransport.open('127.0.0.1', 0), clock, options);
      const friend = new KademliaNode(await UdpTransport.open('127.0.0.1', 0), clock, options);
      target.start();
      friend.start();
      try {
        assert.equal((await friend.bootstrap(target.address)).ok, true);
        global.gc?.();
        const heapBefore = process.memoryUsage().heapUsed;

        const random = new SeededRandom(20261123);
        const valid = validMessages(random, protocol);
        const fuzzer = dgram.createSocket('udp4');
        await new Promise<void>((resolve) => fuzzer.bind(0, '127.0.0.1', resolve));
        const transport = target.transport as UdpTransport;
        const arrivedSoFar = () => transport.counters.datagramsIn + transport.counters.oversizedIn;
        const started = arrivedSoFar();
        let sent = 0;
        while (sent < DATAGRAMS) {
          // Flow control: small bursts, then let the node catch up (or give up after 3 ms),
          // so the kernel's receive buffer is not what this test measures.
          for (let i = 0; i < 25 && sent < DATAGRAMS; i++, sent++) {
            fuzzer.send(mutate(random, valid[random.next32() % valid.length], protocol), target.address.port, '127.0.0.1');
          }
          const waitFrom = performance.now();
          while (arrivedSoFar() - started < sent - 5 && performance.now() - waitFrom < 3) await new Promise((r) => setImmediate(r));
        }
        await new Promise((r) => setTimeout(r, 300));
        fuzzer.close();

        const arrived = arrivedSoFar() - started;
        t.diagnostic(
          `${arrived} of ${sent} arrived; ${target.stats().traffic.malformed} malformed, ${target.stats().traffic.requestsHandled} valid requests, ${target.stats().rpc.unmatchedResponses} unmatched responses`,
        );
        assert.ok(arrived > DATAGRAMS * 0.5, `most datagrams arrived (${arrived})`);
        assert.equal(target.stats().traffic.internalErrors, 0, 'nothing threw on the receive path');
        assert.ok(
          target.stats().traffic.malformed > target.stats().traffic.datagramsIn * 0.5,
          `most were refused as malformed (${target.stats().traffic.malformed} of ${target.stats().traffic.datagramsIn})`,
        );
        assert.ok(transport.counters.oversizedIn > 0, 'oversized datagrams were dropped unread');

        // bounded state: at most k per bucket plus replacement caches, quota-bound storage
        assert.ok(target.stats().contacts <= 160 * 20);
        assert.ok(arena.count < 2000, `contacts interned: ${arena.count}`);
        assert.ok(target.stats().stored.entries <= 10_000, `stored entries: ${target.stats().stored.entries}`);
        await new Promise((r) => setTimeout(r, 400)); // pings to fake contacts time out
        global.gc?.();
        const growth = process.memoryUsage().heapUsed - heapBefore;
        assert.ok(growth < 40 * 1024 * 1024, `heap grew ${Math.round(growth / 1024 / 1024)} MB`);

        // and it still works
        const stored = await friend.store(keyFromString('after the storm'), new TextEncoder().encode('still here'));
        assert.ok(stored.replicas >= 1, `replicas ${stored.replicas}`);
        const found = await target.get(keyFromString('after the storm'));
        assert.equal(new TextDecoder().decode(found.value!), 'still here');
        assert.equal((await target.get(keyFromString('never stored'))).value, null);
      } finally {
        target.stop();
        friend.stop();
      }
    },
  );
