// The Mainline wire form: BEP 5's own examples, a round trip of every message kind, the
// error codes, and hostile input (which is counted, answered with a KRPC error when it
// was a query, and never thrown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import bencode from 'bencode';
import {
  decodeKrpc,
  encodeKrpc,
  encodeKrpcError,
  errorCodeFor,
  KrpcError,
  MAINLINE_ITEM_TTL_MS,
  type PendingLookup,
} from '../../src/protocol/krpc-codec.js';
import { immutableKey, mutableKey } from '../../src/protocol/item-signature.js';
import { type Body, type Message, type ResponseBody, WANT_V4, WANT_V6 } from '../../src/protocol/messages.js';
import { seededBytes } from '../helpers/reference.js';

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const from = { host: '10.0.0.7', port: 6881 };
const expecting = (type: ResponseBody['type'] | null): PendingLookup => ({ expectedFor: () => type });
const none = expecting(null);

const requestId = seededBytes('t', 8);
const sender = seededBytes('id', 20);
const target = seededBytes('target', 20);
const token = seededBytes('token', 8);
const contact = { id: seededBytes('c', 20), host: '10.9.8.7', port: 4000 };
const contact6 = { id: seededBytes('c6', 20), host: '2001:db8::1', port: 4001 };
const auth = { publicKey: seededBytes('k', 32), seq: 9, signature: seededBytes('sig', 64), salt: seededBytes('salt', 10) };

test("BEP 5's examples decode as the spec says", () => {
  const ping = decodeKrpc(latin1('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe'), from, none);
  assert.ok(ping.ok);
  assert.deepEqual(ping.message, { requestId: latin1('aa'), sender: latin1('abcdefghij0123456789'), body: { type: 'PING' } });

  const pong = decodeKrpc(latin1('d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re'), from, expecting('PONG'));
  assert.ok(pong.ok);
  assert.deepEqual(pong.message, { requestId: latin1('aa'), sender: latin1('mnopqrstuvwxyz123456'), body: { type: 'PONG' } });

  const findNode = decodeKrpc(
    latin1('d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe'),
    from,
    none,
  );
  assert.ok(findNode.ok);
  assert.deepEqual(findNode.message.body, { type: 'FIND_NODE', target: latin1('mnopqrstuvwxyz123456') });

  const getPeers = decodeKrpc(
    latin1('d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe'),
    from,
    none,
  );
  assert.ok(getPeers.ok);
  assert.deepEqual(getPeers.message.body, { type: 'GET_PEERS', infoHash: latin1('mnopqrstuvwxyz123456') });

  const values = decodeKrpc(
    latin1('d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re'),
    from,
    expecting('PEERS'),
  );
  assert.ok(values.ok && values.message.body.type === 'PEERS');
  assert.deepEqual(values.message.body.peers, [
    { host: '97.120.106.101', port: 0x2e75 },
    { host: '105.100.104.116', port: 0x6e6d },
  ]);
  assert.deepEqual(values.message.body.token, latin1('aoeusnth'));

  const announce = decodeKrpc(
    latin1(
      'd1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe',
    ),
    from,
    none,
  );
  assert.ok(announce.ok);
  assert.deepEqual(announce.message.body, {
    type: 'ANNOUNCE_PEER',
    infoHash: latin1('mnopqrstuvwxyz123456'),
    port: 0,
    impliedPort: true,
    token: latin1('aoeusnth'),
  });

  const error = decodeKrpc(latin1('d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee'), from, expecting('STORED'));
  assert.ok(error.ok);
  assert.deepEqual(error.message.body, { type: 'STORED', ok: false, reason: '201 A Generic Error Ocurred' });
});

test('every message kind survives a round trip through KRPC', () => {
  const cases: Array<[Body, Body?]> = [
    [{ type: 'PING' }],
    [{ type: 'PONG' }],
    [{ type: 'FIND_NODE', target }],
    [{ type: 'NODES', contacts: [contact, contact6], token }],
    [{ type: 'GET_PEERS', infoHash: target }],
    [
      {
        type: 'PEERS',
        peers: [
          { host: '1.2.3.4', port: 5 },
          { host: '::1', port: 6 },
        ],
        contacts: [contact],
        token,
      },
    ],
    [{ type: 'ANNOUNCE_PEER', infoHash: target, port: 6881, impliedPort: false, token }],
    [{ type: 'ANNOUNCE_PEER', infoHash: target, port: 0, impliedPort: true, token }],
    [{ type: 'ANNOUNCED', ok: true, reason: '' }],
    [{ type: 'FIND_VALUE', key: target, token: null }],
    [{ type: 'FIND_VALUE', key: target, token }],
    [{ type: 'VALUE', value: latin1('v'), ttlMs: 1234, contacts: [], token, auth, withheld: false }],
    [{ type: 'VALUE', value: latin1('v'), ttlMs: 5, contacts: [], token, auth: { ...auth, salt: null }, withheld: false }],
    [{ type: 'VALUE', value: null, ttlMs: 0, contacts: [contact], token, auth: null, withheld: false }],
    [{ type: 'VALUE', value: null, ttlMs: 0, contacts: [], token, auth: null, withheld: true }],
    [{ type: 'STORED', ok: true, reason: '' }],
    // a put's key follows from the item (BEP 44): it is not on the wire
    [{ type: 'STORE', key: immutableKey(latin1('x')), value: latin1('x'), ttlMs: 60_000, token, auth: null, cas: null }],
    [{ type: 'STORE', key: mutableKey(auth.publicKey, auth.salt), value: latin1('y'), ttlMs: 1, token, auth, cas: 8 }],
    [
      {
        type: 'STORE',
        key: mutableKey(auth.publicKey, new Uint8Array(0)),
        value: latin1('y'),
        ttlMs: 1,
        token,
        auth: { ...auth, salt: new Uint8Array(0) },
        cas: null,
      },
    ],
    // an owned plain value names its key
    [{ type: 'STORE', key: target, value: latin1('z'), ttlMs: 7, token, auth: { ...auth, salt: null }, cas: null }],
  ];
  for (const [body, expected = body] of cases) {
    const message: Message = { requestId, sender, body };
    const answerType =
      body.type in { PONG: 1, NODES: 1, PEERS: 1, ANNOUNCED: 1, VALUE: 1, STORED: 1 } ? (body.type as ResponseBody['type']) : null;
    const decoded = decodeKrpc(encodeKrpc(message, from), from, expecting(answerType));
    assert.ok(decoded.ok, `${body.type}: ${decoded.ok ? '' : decoded.reason}`);
    assert.deepEqual(decoded.message, { requestId, sender, body: expected }, body.type);
  }
});

test("answers carry the asker's address (BEP 42's ip) and our version; refusals become KRPC errors with BEP 44's codes", () => {
  const answer = bencode.decode(encodeKrpc({ requestId, sender, body: { type: 'PONG' } }, from)) as Record<string, Uint8Array>;
  assert.deepEqual(answer.ip, new Uint8Array([10, 0, 0, 7, 0x1a, 0xe1]));
  assert.deepEqual(answer.v, latin1('KS\x00\x01'));
  const cases: Array<[string, number]> = [
    ['invalid write token: use the one a lookup answer gave this IP', KrpcError.PROTOCOL],
    ['value too large (2000 bytes; the limit is 1000)', KrpcError.MESSAGE_TOO_BIG],
    ['invalid signature', KrpcError.INVALID_SIGNATURE],
    ['cas mismatch: the held seq is 3', KrpcError.CAS_MISMATCH],
    ['sequence number less than current (4)', KrpcError.SEQ_LESS_THAN_CURRENT],
    ['storage full (100000 entries)', KrpcError.GENERIC],
  ];
  for (const [reason, code] of cases) {
    assert.equal(errorCodeFor(reason), code, reason);
    const wire = bencode.decode(encodeKrpc({ requestId, sender, body: { type: 'STORED', ok: false, reason } }, from)) as {
      y: Uint8Array;
      e: [number, Uint8Array];
    };
    assert.equal(Buffer.from(wire.y).toString(), 'e');
    assert.deepEqual([wire.e[0], Buffer.from(wire.e[1]).toString()], [code, reason]);
  }
  const error = bencode.decode(encodeKrpcError(latin1('zz'), 204, 'method unknown')) as { t: Uint8Array; e: [number, Uint8Array] };
  assert.deepEqual(error.t, latin1('zz'));
  assert.equal(error.e[0], 204);
});

test("BEP 43's ro rides beside t and y; BEP 32's want is read from queries that ask for contacts", () => {
  const query = (extra: Record<string, unknown>, args: Record<string, unknown> = {}, q = 'find_node') =>
    decodeKrpc(
      bencode.encode({ t: 'aa', y: 'q', q, a: { id: Buffer.from(sender), target: Buffer.from(target), ...args }, ...extra }),
      from,
      none,
    );
  const ro = query({ ro: 1 });
  assert.ok(ro.ok && ro.message.readOnly === true);
  const notRo = query({ ro: 0 });
  assert.ok(notRo.ok && !('readOnly' in notRo.message));
  const wire = bencode.decode(encodeKrpc({ requestId, sender, body: { type: 'PING' }, readOnly: true }, from)) as Record<string, unknown>;
  assert.equal(wire.ro, 1);
  assert.equal('ro' in (wire.a as object), false);

  const both = query({}, { want: ['n4', 'n6'] });
  assert.ok(both.ok && both.message.want === (WANT_V4 | WANT_V6));
  const six = query({}, { want: ['n6', 'x9'] }, 'get');
  assert.ok(six.ok && six.message.want === WANT_V6, 'families we do not know are ignored');
  const none4 = query({}, {});
  assert.ok(none4.ok && !('want' in none4.message));
  const bad = query({}, { want: 'n4' });
  assert.ok(!bad.ok && bad.reply?.code === KrpcError.PROTOCOL);
  // a round trip of a query with both
  const message: Message = { requestId, sender, body: { type: 'GET_PEERS', infoHash: target }, readOnly: true, want: WANT_V6 };
  const decoded = decodeKrpc(encodeKrpc(message, from), from, none);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.message, message);
});

test('a put without a ttl keeps the item two hours (BEP 44); an error answering a read is an empty answer', () => {
  const put = bencode.encode({ t: 'aa', y: 'q', q: 'put', a: { id: Buffer.from(sender), v: 'hello', token: Buffer.from(token) } });
  const decoded = decodeKrpc(put, from, none);
  assert.ok(decoded.ok && decoded.message.body.type === 'STORE');
  assert.equal(decoded.message.body.ttlMs, MAINLINE_ITEM_TTL_MS);
  assert.deepEqual(decoded.message.body.key, immutableKey(latin1('hello')));
  const error = bencode.encode({ t: 'aa', y: 'e', e: [202, 'server error'] });
  const nodes = decodeKrpc(error, from, expecting('NODES'));
  assert.ok(nodes.ok);
  assert.deepEqual(nodes.message.body, { type: 'NODES', contacts: [], token: new Uint8Array(0) });
  assert.equal(nodes.message.sender.length, 0, 'an error names no sender');
});

test('bad queries are answered with 203 or 204; bad answers and garbage are dropped with a reason; nothing throws', () => {
  const query = (q: string, a: object) => bencode.encode({ t: 'tt', y: 'q', q, a: { id: Buffer.from(sender), ...a } });
  const replyOf = (datagram: Uint8Array) => {
    const result = decodeKrpc(datagram, from, none);
    assert.ok(!result.ok);
    return result.reply ? [result.reply.code, result.reply.message] : result.reason;
  };
  assert.deepEqual(replyOf(query('vote', {})), [204, 'method unknown: vote']);
  assert.deepEqual(replyOf(query('find_node', { target: 'short' })), [203, 'target must be 20 bytes']);
  assert.deepEqual(replyOf(query('announce_peer', { info_hash: Buffer.from(target), port: 70000, token: 'x' })), [
    203,
    'port must be 1-65535',
  ]);
  assert.deepEqual(replyOf(query('announce_peer', { info_hash: Buffer.from(target), port: 1 })), [203, 'token missing']);
  assert.deepEqual(replyOf(query('put', { v: ['a list'], token: 't' })), [
    203,
    'v must be a byte string (other bencoded values are not stored here)',
  ]);
  assert.deepEqual(
    replyOf(query('put', { v: 'x', token: 't', k: Buffer.alloc(32), sig: Buffer.alloc(64), seq: 1, salt: Buffer.alloc(65) })),
    [207, 'salt too big (at most 64 bytes)'],
  );
  assert.deepEqual(replyOf(bencode.encode({ t: 'tt', y: 'q', q: 'ping', a: { id: 'short' } })), [203, 'id must be 20 bytes']);

  assert.equal(replyOf(latin1('d1:t2:aa1:y1:re')), 'an answer to no request of ours');
  assert.equal(decodeKrpc(latin1('d1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y1:re'), from, none).ok, false);
  const garbage = [
    '',
    'i1e',
    'l1:ae',
    'd1:t0:1:y1:qe',
    'd1:t2:aa1:y1:xe',
    'd1:t2:aa',
    'llllllllllllllllllllllllllllllllllllllllllllllll',
    'd1:t2:aa1:y1:q1:q4:ping1:ai5ee',
  ];
  for (const text of garbage) assert.equal(decodeKrpc(latin1(text), from, none).ok, false, JSON.stringify(text));
  // a key named __proto__ must not reach the prototype of what we read
  const poisoned = latin1(`d1:ad9:__proto__d6:target20:${'p'.repeat(20)}e2:id20:${'i'.repeat(20)}e1:q9:find_node1:t2:aa1:y1:qe`);
  assert.deepEqual(replyOf(poisoned), [203, 'target must be 20 bytes']);
  assert.equal(decodeKrpc(new Uint8Array(9000), from, none).ok, false);
  const deep = latin1('l'.repeat(100_000) + 'e'.repeat(100_000));
  assert.equal(decodeKrpc(deep, from, none).ok, false);
});
