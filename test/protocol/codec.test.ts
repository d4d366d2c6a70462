import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '@msgpack/msgpack';
import { decodeMessage, encodedSize, encodeMessage, MAX_VALUE_BYTES } from '../../src/protocol/codec.js';
import {
  AMPLIFICATION_FACTOR,
  MAX_DATAGRAM_BYTES,
  MAX_UNPROVEN_VALUE_BYTES,
  PADDED_QUERY_BYTES,
  PROTOCOL_VERSION as V,
} from '../../src/protocol/limits.js';
import { packContacts } from '../../src/protocol/contact-list.js';
import { type Body, isRequest, type Message } from '../../src/protocol/messages.js';
import { seededBytes } from '../helpers/reference.js';
import { SeededRandom } from '../../src/util/random.js';

const requestId = seededBytes('rid', 8);
const sender = seededBytes('sender', 20);
const key = seededBytes('key', 20);
// as decoding gives them back: with the host's packed IPv4 form, -1 for any other host
const peer = { id: seededBytes('peer', 20), host: '127.0.0.1', port: 8081, ipv4: 0x7f000001 };
const peer6 = { id: seededBytes('peer6', 20), host: '::1', port: 65535, ipv4: -1 };
const simPeer = { id: seededBytes('sim', 20), host: 'sim', port: 0xffffffff, ipv4: -1 };

const token = seededBytes('token', 8);
const auth = { publicKey: seededBytes('pk', 32), seq: 42, signature: seededBytes('sig', 64), salt: null };
const saltedAuth = { ...auth, seq: 2 ** 40, salt: seededBytes('salt', 64) };

const bodies: Body[] = [
  { type: 'PING' },
  { type: 'PONG' },
  { type: 'STORE', key, value: new TextEncoder().encode('value1'), ttlMs: 3_600_000, token, auth, cas: null },
  { type: 'STORE', key, value: new Uint8Array(0), ttlMs: 1, token, auth: null, cas: null },
  { type: 'STORE', key, value: new Uint8Array(3), ttlMs: 1, token, auth: saltedAuth, cas: 7 },
  { type: 'STORE', key, value: new Uint8Array(3), ttlMs: 1, token, auth: { ...saltedAuth, salt: new Uint8Array(0) }, cas: 0 },
  { type: 'STORED', ok: true, reason: '' },
  { type: 'STORED', ok: false, reason: 'storage full (100000 entries)' },
  { type: 'FIND_NODE', target: key },
  { type: 'NODES', contacts: [], token },
  { type: 'NODES', contacts: [peer, peer6], token },
  { type: 'NODES', contacts: [simPeer, peer, peer, peer6], token },
  { type: 'FIND_VALUE', key, token: null },
  { type: 'FIND_VALUE', key, token },
  { type: 'VALUE', value: seededBytes('v', 300), ttlMs: 1234, contacts: [], token, auth, withheld: false },
  { type: 'VALUE', value: null, ttlMs: 0, contacts: [peer], token, auth: null, withheld: false },
  { type: 'VALUE', value: null, ttlMs: 0, contacts: [], token, auth: null, withheld: true },
  { type: 'GET_PEERS', infoHash: key },
  { type: 'PEERS', peers: [], contacts: [peer], token },
  {
    type: 'PEERS',
    peers: [
      { host: '10.1.2.3', port: 6881 },
      { host: '::1', port: 1 },
    ],
    contacts: [],
    token,
  },
  { type: 'ANNOUNCE_PEER', infoHash: key, port: 6881, impliedPort: false, token },
  { type: 'ANNOUNCE_PEER', infoHash: key, port: 0, impliedPort: true, token },
  { type: 'ANNOUNCED', ok: true, reason: '' },
  { type: 'ANNOUNCED', ok: false, reason: 'invalid write token' },
];

test('every message type survives a round trip', () => {
  for (const body of bodies) {
    const message: Message = { requestId, sender, body };
    const decoded = decodeMessage(encodeMessage(message));
    assert.ok(decoded.ok, `${body.type}: ${decoded.ok ? '' : decoded.reason}`);
    assert.deepEqual(decoded.message, message);
  }
});

test('encodedSize is the length of the encoding, for every message type and every header width', () => {
  for (const body of bodies) {
    const message: Message = { requestId, sender, body };
    assert.equal(encodedSize(message), encodeMessage(message).length, body.type);
    assert.equal(encodedSize({ ...message, readOnly: true }), encodeMessage({ ...message, readOnly: true }).length, body.type);
  }
  // lengths and numbers on both sides of every MessagePack header boundary
  const random = new SeededRandom(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random.float() * items.length)];
  const lengths = [0, 1, 31, 32, 255, 256, 1000];
  const numbers = [0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER];
  const hosts = ['10.0.0.1', 'sim', '::1', 'h\u00e9te-\u6771\u4eac', 'x'.repeat(64)];
  const contacts = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const host = pick(hosts);
      return { id: seededBytes(`c${i}`, 20), host, port: 1 + i, ipv4: host === '10.0.0.1' ? 0x0a000001 : -1 };
    });
  for (let round = 0; round < 300; round++) {
    const reason = pick(['', 'r'.repeat(pick(lengths)), '\u00e9'.repeat(20)]);
    const value = new Uint8Array(pick(lengths));
    const ttlMs = pick(numbers);
    const randomBodies: Body[] = [
      { type: 'STORE', key, value, ttlMs, token, auth: pick([null, auth, saltedAuth]), cas: pick([null, ...numbers]) },
      { type: 'STORED', ok: random.float() < 0.5, reason },
      { type: 'NODES', contacts: contacts(Math.floor(random.float() * 21)), token },
      {
        type: 'VALUE',
        value: pick([null, value]),
        ttlMs,
        contacts: contacts(Math.floor(random.float() * 3)),
        token,
        auth,
        withheld: false,
      },
      { type: 'PEERS', peers: contacts(Math.floor(random.float() * 30)), contacts: contacts(2), token },
      { type: 'ANNOUNCE_PEER', infoHash: key, port: pick(numbers.filter((n) => n <= 65535)), impliedPort: false, token },
      { type: 'ANNOUNCED', ok: false, reason },
    ];
    for (const body of randomBodies) {
      const message: Message = { requestId, sender, body };
      assert.equal(encodedSize(message), encodeMessage(message).length, `${body.type} in round ${round}`);
    }
  }
});

test("a read-only node's queries carry the flag (BEP 43); an answer with it is refused", () => {
  for (const body of bodies.filter(isRequest)) {
    const message: Message = { requestId, sender, body, readOnly: true };
    const decoded = decodeMessage(encodeMessage(message));
    assert.ok(decoded.ok, body.type);
    assert.deepEqual(decoded.message, message);
    const normal = decodeMessage(encodeMessage({ requestId, sender, body }));
    assert.ok(normal.ok && !('readOnly' in normal.message), `${body.type} without the flag`);
  }
  const answer = encodeMessage({ requestId, sender, body: { type: 'PONG' }, readOnly: true });
  assert.deepEqual(decodeMessage(answer), { ok: false, reason: 'only a query may carry the read-only flag' });
});

test('decoded contacts are copies that outlive the datagram', () => {
  const datagram = encodeMessage({ requestId, sender, body: { type: 'NODES', contacts: [peer, peer6], token } });
  const decoded = decodeMessage(datagram);
  assert.ok(decoded.ok && decoded.message.body.type === 'NODES');
  datagram.fill(0); // a receive buffer is reused for the next datagram
  assert.deepEqual(decoded.message.body.contacts, [peer, peer6]);
});

test('the largest value fits one datagram, one byte more does not', () => {
  assert.ok(MAX_VALUE_BYTES > 7900 && MAX_VALUE_BYTES < MAX_DATAGRAM_BYTES);
  for (const type of ['STORE', 'VALUE'] as const) {
    const body = (value: Uint8Array): Body =>
      type === 'STORE'
        ? { type, key, value, ttlMs: 0xffffffff, token, auth: saltedAuth, cas: 2 ** 40 }
        : { type, value, ttlMs: 0xffffffff, contacts: [], token, auth: saltedAuth, withheld: false };
    const fits = encodeMessage({ requestId, sender, body: body(new Uint8Array(MAX_VALUE_BYTES)) });
    assert.ok(fits.length <= MAX_DATAGRAM_BYTES, `${type} at the limit is ${fits.length} bytes`);
    const over = encodeMessage({ requestId, sender, body: body(new Uint8Array(MAX_VALUE_BYTES + 1)) });
    assert.ok(over.length > MAX_DATAGRAM_BYTES || type === 'VALUE');
  }
});

test('queries are padded so that a full answer to them is at most AMPLIFICATION_FACTOR times their size', () => {
  const size = (body: Body) => encodeMessage({ requestId, sender, body }).length;
  assert.equal(size({ type: 'FIND_NODE', target: key }), PADDED_QUERY_BYTES);
  assert.equal(size({ type: 'FIND_VALUE', key, token: null }), PADDED_QUERY_BYTES);
  assert.equal(size({ type: 'FIND_VALUE', key, token }), PADDED_QUERY_BYTES);
  const twenty = Array.from({ length: 20 }, (_, i) => ({ id: seededBytes(`c${i}`, 20), host: '203.0.113.7', port: 65535 }));
  const answer = size({ type: 'NODES', contacts: twenty, token });
  assert.ok(answer <= AMPLIFICATION_FACTOR * PADDED_QUERY_BYTES, `a 20-contact answer is ${answer} bytes`);
  const unprovenValue = size({
    type: 'VALUE',
    value: new Uint8Array(MAX_UNPROVEN_VALUE_BYTES),
    ttlMs: 1,
    contacts: [],
    token,
    auth: saltedAuth,
    withheld: false,
  });
  assert.ok(unprovenValue > AMPLIFICATION_FACTOR * PADDED_QUERY_BYTES, 'so the node also caps every answer it sends unproven (rpc.ts)');
});

test('malformed datagrams are refused with a reason, never thrown', () => {
  const raw = (fields: unknown[]) => encode(fields);
  const packed = (contacts: Array<typeof peer>) => packContacts(contacts).slice();
  /** One contact record by hand: id, address tag, address bytes, 4-byte port. */
  const record = (tag: number, address: number[], port: number) =>
    new Uint8Array([...peer.id, tag, ...address, port >>> 24, (port >>> 16) & 0xff, (port >>> 8) & 0xff, port & 0xff]);
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['random bytes', seededBytes('junk', 64)],
    ['truncated', encodeMessage({ requestId, sender, body: bodies[2] }).subarray(0, 20)],
    ['trailing bytes', new Uint8Array([...encodeMessage({ requestId, sender, body: { type: 'PING' } }), 0])],
    ['not an array', raw({ a: 1 } as unknown as unknown[])],
    ['short envelope', raw([V, 1, requestId])],
    ['unknown version', raw([1, 1, requestId, sender])],
    ['unknown type', raw([V, 99, requestId, sender])],
    ['type as string', raw([V, '1', requestId, sender])],
    ['short request id', raw([V, 1, requestId.subarray(0, 7), sender])],
    ['long sender id', raw([V, 1, requestId, new Uint8Array(21)])],
    ['sender as string', raw([V, 1, requestId, 'x'.repeat(20)])],
    ['ping with a field', raw([V, 1, requestId, sender, 0])],
    ['store key 19 bytes', raw([V, 3, requestId, sender, new Uint8Array(19), new Uint8Array(1), 10, token, null, null])],
    ['store value as string', raw([V, 3, requestId, sender, key, 'value', 10, token, null, null])],
    ['store negative ttl', raw([V, 3, requestId, sender, key, new Uint8Array(1), -1, token, null, null])],
    ['store float ttl', raw([V, 3, requestId, sender, key, new Uint8Array(1), 1.5, token, null, null])],
    ['nodes with contacts as arrays (version 1)', raw([V, 6, requestId, sender, [[new Uint8Array(20), '127.0.0.1', 80]], token])],
    ['nodes not bytes', raw([V, 6, requestId, sender, 5, token])],
    ['nodes with a truncated contact', raw([V, 6, requestId, sender, packed([peer]).subarray(0, 27), token])],
    ['nodes with a contact missing its port', raw([V, 6, requestId, sender, packed([peer]).subarray(0, 25), token])],
    ['nodes with a stray byte', raw([V, 6, requestId, sender, new Uint8Array([...packed([peer]), 0]), token])],
    ['nodes with port 0', raw([V, 6, requestId, sender, record(4, [127, 0, 0, 1], 0), token])],
    ['nodes with an empty host', raw([V, 6, requestId, sender, record(0, [0], 80), token])],
    ['nodes with a 65-character host', raw([V, 6, requestId, sender, record(0, [65, ...new Uint8Array(65).fill(104)], 80), token])],
    ['nodes with a host that is not UTF-8', raw([V, 6, requestId, sender, record(0, [2, 0xc3, 0x28], 80), token])],
    ['nodes with an unknown address tag', raw([V, 6, requestId, sender, record(6, new Array(16).fill(0), 80), token])],
    ['nodes with a name longer than the list', raw([V, 6, requestId, sender, record(0, [200, 104], 80), token])],
    ['too many contacts', raw([V, 6, requestId, sender, packed(Array.from({ length: 65 }, () => peer)), token])],
    ['value with wrong types', raw([V, 8, requestId, sender, 'v', 1, new Uint8Array(0), token, null, false])],
    ['value with contacts as an array', raw([V, 8, requestId, sender, null, 1, [], token, null, false])],
    ['store without a token', raw([V, 3, requestId, sender, key, new Uint8Array(1), 10, null, null, null])],
    ['store with a 7-byte token', raw([V, 3, requestId, sender, key, new Uint8Array(1), 10, token.subarray(0, 7), null, null])],
    [
      'store with a 31-byte public key',
      raw([V, 3, requestId, sender, key, new Uint8Array(1), 10, token, [new Uint8Array(31), 1, new Uint8Array(64), null], null]),
    ],
    [
      'store with a 63-byte signature',
      raw([V, 3, requestId, sender, key, new Uint8Array(1), 10, token, [new Uint8Array(32), 1, new Uint8Array(63), null], null]),
    ],
    [
      'store with a negative seq',
      raw([V, 3, requestId, sender, key, new Uint8Array(1), 10, token, [new Uint8Array(32), -1, new Uint8Array(64), null], null]),
    ],
    [
      'store with a 65-byte salt',
      raw([
        V,
        3,
        requestId,
        sender,
        key,
        new Uint8Array(1),
        10,
        token,
        [new Uint8Array(32), 1, new Uint8Array(64), new Uint8Array(65)],
        null,
      ]),
    ],
    ['store with a float cas', raw([V, 3, requestId, sender, key, new Uint8Array(1), 10, token, null, 1.5])],
    ['store in the version 2 layout', raw([2, 3, requestId, sender, key, new Uint8Array(1), 10])],
    ['find_node without its pad', raw([V, 5, requestId, sender, key])],
    ['find_value with a 9-byte token', raw([V, 7, requestId, sender, key, new Uint8Array(9), new Uint8Array(0)])],
    ['nodes without a token', raw([V, 6, requestId, sender, packed([peer])])],
    ['value with withheld as a number', raw([V, 8, requestId, sender, null, 0, new Uint8Array(0), token, null, 1])],
    ['huge array header', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 1])],
    ['huge map header', new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff])],
    ['huge bin header', new Uint8Array([0x94, 1, 1, 0xc6, 0xff, 0xff, 0xff, 0xff])],
    ['huge str header', new Uint8Array([0x94, 1, 1, 0xdb, 0xff, 0xff, 0xff, 0xff])],
    ['ext type', new Uint8Array([0x94, 1, 1, 0xd4, 5, 0, 0])],
    ['timestamp ext', raw([V, 1, new Date(0), sender])],
    ['deep nesting', new Uint8Array(4000).fill(0x91)],
    ['oversized', new Uint8Array(MAX_DATAGRAM_BYTES + 1)],
  ];
  for (const [name, datagram] of cases) {
    const result = decodeMessage(datagram);
    assert.equal(result.ok, false, name);
    assert.ok(!result.ok && result.reason.length > 0, name);
  }
});

test('decoded byte fields are copies, not views of the datagram', () => {
  const datagram = encodeMessage({ requestId, sender, body: bodies[2] });
  const decoded = decodeMessage(datagram);
  assert.ok(decoded.ok && decoded.message.body.type === 'STORE');
  datagram.fill(0);
  assert.deepEqual(decoded.message.body.key, key);
  assert.deepEqual(decoded.message.sender, sender);
});
