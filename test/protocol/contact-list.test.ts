import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS_IPV4, ADDRESS_NAME, packContacts, unpackContacts } from '../../src/protocol/contact-list.js';
import { packedIpv4 } from '../../src/util/ipv4.js';
import type { Peer } from '../../src/routing/peer.js';
import { seededBytes } from '../helpers/reference.js';
import { SeededRandom } from '../../src/util/random.js';

/** A contact as unpacking gives it back: with its host's packed IPv4 form (-1 for any other host). */
const contact = (name: string, host: string, port: number): Peer => ({ id: seededBytes(name, 20), host, port, ipv4: packedIpv4(host) });
const pack = (contacts: Peer[]) => packContacts(contacts).slice(); // the packer reuses its buffer

test('contacts come back as they went: IPv4, IPv6, simulator names, every port', () => {
  const contacts = [
    contact('a', '127.0.0.1', 8081),
    contact('b', '0.0.0.1', 1),
    contact('c', '255.255.255.255', 65535),
    contact('d', '::1', 4000),
    contact('e', 'fe80::1:2:3', 9),
    contact('f', 'sim', 0xffffffff),
    contact('g', 'é-host', 7),
  ];
  assert.deepEqual(unpackContacts(pack(contacts)), contacts);
  assert.deepEqual(unpackContacts(new Uint8Array(0)), []);
});

test('an IPv4 host takes 4 bytes; anything else travels as its text', () => {
  assert.equal(pack([contact('a', '10.1.2.3', 80)]).length, 20 + 1 + 4 + 4);
  const ipv4 = pack([contact('a', '10.1.2.3', 80)]);
  assert.equal(ipv4[20], ADDRESS_IPV4);
  assert.deepEqual([...ipv4.subarray(21, 25)], [10, 1, 2, 3]);
  const v6 = pack([contact('a', '::1', 80)]);
  assert.equal(v6[20], ADDRESS_NAME);
  assert.equal(v6.length, 20 + 1 + 1 + 3 + 4);
});

test('only canonical dotted quads are packed, so every host comes back exactly', () => {
  for (const host of ['127.000.0.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4 ', '1..2.3', '1.2.3.-4', 'a.b.c.d']) {
    assert.equal(packedIpv4(host), -1, host);
    const packed = pack([contact('x', host, 1)]);
    assert.equal(packed[20], ADDRESS_NAME, host);
    assert.deepEqual(unpackContacts(packed), [contact('x', host, 1)], host);
  }
  assert.equal(packedIpv4('192.168.0.10'), ((192 << 24) >>> 0) + (168 << 16) + 10);
  assert.equal(packedIpv4('0.0.0.0'), 0);
});

test('randomized lists round-trip', () => {
  const random = new SeededRandom(11);
  const int = (n: number) => Math.floor(random.float() * n);
  const hosts = ['127.0.0.1', '127.0.0.2', '10.0.0.255', '::1', '2001:db8::7', 'sim', 'node-a.example'];
  for (let round = 0; round < 200; round++) {
    const contacts = Array.from({ length: int(65) }, () => {
      const host = hosts[int(hosts.length)];
      return { id: random.bytes(20), host, port: 1 + int(0xfffffffe), ipv4: packedIpv4(host) };
    });
    assert.deepEqual(unpackContacts(pack(contacts)), contacts);
  }
});

test('a malformed list is refused with what is wrong, never thrown', () => {
  const good = pack([contact('a', '127.0.0.1', 8081)]);
  const id = seededBytes('a', 20);
  const record = (tag: number, address: number[], port: number) =>
    new Uint8Array([...id, tag, ...address, port >>> 24, (port >>> 16) & 0xff, (port >>> 8) & 0xff, port & 0xff]);
  const cases: Array<[string, Uint8Array, string]> = [
    ['id cut short', good.subarray(0, 19), 'contact list truncated'],
    ['no address tag', good.subarray(0, 20), 'contact list truncated'],
    ['address cut short', good.subarray(0, 23), 'contact list truncated'],
    ['port cut short', good.subarray(0, 27), 'contact list truncated'],
    ['a stray byte after a record', new Uint8Array([...good, 0]), 'contact list truncated'],
    ['port 0', record(ADDRESS_IPV4, [127, 0, 0, 1], 0), 'bad contact port'],
    ['empty host', record(ADDRESS_NAME, [0], 80), 'bad contact host'],
    ['65-character host', record(ADDRESS_NAME, [65, ...new Array(65).fill(104)], 80), 'bad contact host'],
    ['host longer than the list', record(ADDRESS_NAME, [200, 104], 80).subarray(0, 23), 'contact list truncated'],
    ['host not UTF-8', record(ADDRESS_NAME, [2, 0xc3, 0x28], 80), 'contact host is not UTF-8'],
    ['unknown address tag', record(6, new Array(16).fill(0), 80), 'unknown contact address tag'],
    ['65 contacts', pack(Array.from({ length: 65 }, () => contact('a', '127.0.0.1', 1))), 'too many contacts'],
  ];
  for (const [name, bytes, reason] of cases) assert.equal(unpackContacts(bytes), reason, name);
  assert.equal((unpackContacts(pack(Array.from({ length: 64 }, () => contact('a', '127.0.0.1', 1)))) as Peer[]).length, 64);
});

test('unpacked ids are copies: the datagram buffer can be reused', () => {
  const bytes = pack([contact('a', '127.0.0.1', 8081)]);
  const [unpacked] = unpackContacts(bytes) as Peer[];
  bytes.fill(0);
  assert.deepEqual(unpacked, contact('a', '127.0.0.1', 8081));
});

test('a contact the node would never build is refused when packing', () => {
  assert.throws(() => packContacts([contact('a', '127.0.0.1', 0)]), RangeError);
  assert.throws(() => packContacts([contact('a', '127.0.0.1', 2 ** 32)]), RangeError);
  assert.throws(() => packContacts([contact('a', '', 1)]), RangeError);
  assert.throws(() => packContacts([contact('a', 'h'.repeat(65), 1)]), RangeError);
  assert.throws(() => packContacts([{ id: new Uint8Array(19), host: '127.0.0.1', port: 1 }]), RangeError);
});
