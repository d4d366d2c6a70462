// Messages as records between the threads of a simulation: every message type comes back
// as it went; a contact that is a swarm node travels as its port and arrives as the
// receiving thread's arena record; any other contact (a forged id at a node's address, a
// stranger) travels whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Body, Message } from '../../src/protocol/messages.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import type { Peer } from '../../src/routing/peer.js';
import { simHost } from '../../src/net/memory-network.js';
import { MessageRecords, NodeIdTable } from '../../src/stress/message-record.js';
import { newQueueBuffer, RecordReader, RecordWriter } from '../../src/stress/record-queue.js';
import { seededBytes } from '../helpers/reference.js';

const NODES = 50;
const ids = NodeIdTable.create(NODES);
for (let port = 1; port <= NODES; port++) ids.set(port, seededBytes(`node${port}`, 20));
const swarmNode = (port: number): Peer => ({ id: ids.id(port), host: simHost(port), port });
const forged: Peer = { id: seededBytes('forged', 20), host: simHost(7), port: 7 };
const stranger: Peer = { id: seededBytes('stranger', 20), host: '::1', port: 65535 };
const requestId = seededBytes('rid', 8);
const sender = seededBytes('sender', 20);
const key = seededBytes('key', 20);
const token = seededBytes('token', 8);
const auth = { publicKey: seededBytes('pk', 32), seq: 42, signature: seededBytes('sig', 64), salt: null };
const salted = { ...auth, seq: 2 ** 40, salt: seededBytes('salt', 64) };

const bodies: Body[] = [
  { type: 'PING' },
  { type: 'PONG' },
  { type: 'STORE', key, value: new TextEncoder().encode('value1'), ttlMs: 3_600_000, token, auth, cas: null },
  { type: 'STORE', key, value: new Uint8Array(0), ttlMs: 1, token, auth: salted, cas: 0 },
  { type: 'STORED', ok: true, reason: '' },
  { type: 'STORED', ok: false, reason: 'storage full' },
  { type: 'FIND_NODE', target: key },
  { type: 'NODES', contacts: [], token },
  { type: 'NODES', contacts: [swarmNode(3), forged, stranger, swarmNode(50), swarmNode(3)], token },
  { type: 'FIND_VALUE', key, token: null },
  { type: 'FIND_VALUE', key, token },
  { type: 'VALUE', value: seededBytes('v', 300), ttlMs: 1234, contacts: [], token, auth, withheld: false },
  { type: 'VALUE', value: null, ttlMs: 0, contacts: [swarmNode(9), stranger], token, auth: null, withheld: true },
];

const plain = (peer: Peer) => ({ id: [...peer.id], host: peer.host, port: peer.port });
const comparable = (message: Message) => {
  const body = message.body as Body & { contacts?: Peer[] };
  return { ...message, body: body.contacts ? { ...body, contacts: body.contacts.map(plain) } : body };
};

test('every message type comes back as it went', () => {
  const buffer = newQueueBuffer();
  const out = new RecordWriter(buffer);
  const input = new RecordReader(buffer);
  const receiverArena = new ContactArena(64);
  const writer = new MessageRecords(ids, new ContactArena(64));
  const reader = new MessageRecords(ids, receiverArena);
  out.reset();
  for (const body of bodies) writer.write(out, { requestId, sender, body });
  out.publish();
  input.start();
  for (const body of bodies) {
    const message = reader.read(input);
    assert.deepEqual(comparable(message), comparable({ requestId, sender, body }), body.type);
    for (const contact of (message.body as { contacts?: Peer[] }).contacts ?? []) {
      if (contact.host !== simHost(contact.port)) continue;
      // the receiver's own record for that contact: what a node of its thread would have sent
      assert.equal(contact, receiverArena.peer(receiverArena.intern(contact.id, contact.host, contact.port)));
    }
  }
  assert.equal(input.more, false);
});

test("a read-only sender's flag (BEP 43) and a query's wanted families (BEP 32) travel with the message", () => {
  const buffer = newQueueBuffer();
  const out = new RecordWriter(buffer);
  const input = new RecordReader(buffer);
  const records = new MessageRecords(ids, new ContactArena(64));
  const messages: Message[] = [
    { requestId, sender, body: { type: 'FIND_NODE', target: key }, readOnly: true, want: 3 },
    { requestId, sender, body: { type: 'PING' }, readOnly: true },
    { requestId, sender, body: { type: 'FIND_VALUE', key, token }, want: 2 },
    { requestId, sender, body: { type: 'FIND_NODE', target: key } },
  ];
  out.reset();
  for (const message of messages) records.write(out, message);
  out.publish();
  input.start();
  for (const message of messages) assert.deepEqual(records.read(input), message);
  assert.equal(input.more, false);
});

test('a swarm node travels as its port; a forged id at its address travels whole and stays forged', () => {
  const buffer = newQueueBuffer();
  const out = new RecordWriter(buffer);
  const writer = new MessageRecords(ids, new ContactArena(64));
  const sizeOf = (contacts: Peer[]) => {
    out.reset();
    writer.write(out, { requestId, sender, body: { type: 'NODES', contacts, token } });
    out.publish();
    return new DataView(buffer).getUint32(0, true);
  };
  const byPort = sizeOf([swarmNode(1)]) - sizeOf([]);
  const whole = sizeOf([forged]) - sizeOf([]);
  assert.equal(byPort, 5, 'port and kind');
  assert.ok(whole > 20 + byPort, `${whole} bytes`);
  assert.ok(ids.names(swarmNode(7)));
  assert.equal(ids.names(forged), false);
  assert.equal(ids.names({ ...swarmNode(7), host: '10.0.0.99' }), false);
});

test('a cached slot freed and reused for another contact is not taken for the node', () => {
  const buffer = newQueueBuffer();
  const out = new RecordWriter(buffer);
  const input = new RecordReader(buffer);
  const arena = new ContactArena(4);
  const writer = new MessageRecords(ids, new ContactArena(64));
  const reader = new MessageRecords(ids, arena);
  const roundTrip = (contact: Peer) => {
    out.reset();
    writer.write(out, { requestId, sender, body: { type: 'NODES', contacts: [contact], token } });
    out.publish();
    input.start();
    return (reader.read(input).body as { contacts: Peer[] }).contacts[0];
  };
  const first = roundTrip(swarmNode(5));
  const slot = arena.intern(first.id, first.host, first.port);
  arena.dropIfUnused(slot);
  const squatter = arena.intern(stranger.id, stranger.host, stranger.port);
  assert.equal(squatter, slot, 'the slot was reused');
  const again = roundTrip(swarmNode(5));
  assert.deepEqual(plain(again), plain(swarmNode(5)));
});
