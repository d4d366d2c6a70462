import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idForIpv4, idForIpv6, idMatchesIpv4, idMatchesIpv6, isLocalIpv4, isLocalIpv6 } from '../../src/id/id-from-ip.js';
import { ipv6Bytes } from '../../src/util/ipv6.js';
import { seededBytes } from '../helpers/reference.js';

const ip = (s: string) => s.split('.').reduce((n, part) => n * 256 + Number(part), 0);

// BEP 42's test vectors: address, the id's last byte (r is its low 3 bits), the id's first 3 bytes
const VECTORS: Array<[string, number, string]> = [
  ['124.31.75.21', 0x01, '5fbfbf'],
  ['21.75.31.124', 0x56, '5a3ce9'],
  ['65.23.51.170', 0x16, 'a5d432'],
  ['84.124.73.14', 0x41, '1b0321'],
  ['43.213.53.83', 0x5a, 'e56f6c'],
];

test("BEP 42's test vectors: each id matches its address, and not another's", () => {
  for (const [address, last, prefix] of VECTORS) {
    const id = new Uint8Array(20);
    id.set(Buffer.from(prefix, 'hex'));
    id[19] = last;
    assert.ok(idMatchesIpv4(id, ip(address)), address);
    assert.ok(!idMatchesIpv4(id, ip('1.2.3.4')), `${address}'s id at another address`);
    const made = idForIpv4(ip(address), id);
    assert.equal(Buffer.from(made.subarray(0, 3)).toString('hex'), prefix, 'the id made for it has the same 21-bit prefix');
  }
});

test('an id made for an address matches it; changing one bit of the 21 breaks the match', () => {
  for (let i = 0; i < 200; i++) {
    const address = seededBytes(`ip${i}`, 4).reduce((n, b) => n * 256 + b, 0);
    const id = idForIpv4(address, seededBytes(`id${i}`, 20));
    assert.ok(idMatchesIpv4(id, address));
    const bit = i % 21;
    const flipped = id.slice();
    flipped[bit >> 3] ^= 0x80 >> (bit & 7);
    assert.ok(!idMatchesIpv4(flipped, address), `bit ${bit}`);
  }
});

test('local ranges are the ones BEP 42 exempts', () => {
  for (const local of ['127.0.0.1', '127.9.8.7', '10.1.2.3', '192.168.0.1', '172.16.0.1', '172.31.255.255', '169.254.1.1', '0.0.0.0']) {
    assert.ok(isLocalIpv4(ip(local)), local);
  }
  for (const open of ['8.8.8.8', '172.32.0.1', '172.15.0.1', '192.169.0.1', '203.0.113.7', '128.0.0.1'])
    assert.ok(!isLocalIpv4(ip(open)), open);
});

// BEP 42 gives no IPv6 vectors. These were computed apart, by a bitwise CRC-32C in Python
// over the first 8 address bytes masked with 01 03 07 0f 1f 3f 7f ff, r in the top 3 bits.
const V6_VECTORS: Array<[string, number, string]> = [
  ['2001:db8:85a3:8d3:1319:8a2e:370:7348', 1, '8113d8'],
  ['2a00:1450:4001:81c::200e', 6, '759480'],
  ['2600:1f18:ffff:ffff::1', 0, 'e13c78'],
];
const v6 = (host: string) => ipv6Bytes(host)!;

test('IPv6 ids: the rule reads the first 8 bytes, masked, with r in the top bits', () => {
  for (const [address, r, prefix] of V6_VECTORS) {
    const id = idForIpv6(
      v6(address),
      seededBytes(address, 20).map((b, i) => (i === 19 ? (b & 0xf8) | r : b)),
    );
    assert.equal(Buffer.from([id[0], id[1], id[2] & 0xf8]).toString('hex'), prefix, address);
    assert.ok(idMatchesIpv6(id, v6(address)), address);
    assert.ok(!idMatchesIpv6(id, v6('2001:db8:ffff::1')), `${address}'s id in another network`);
    assert.ok(!idMatchesIpv4(id, ip('1.2.3.4')), `${address}'s id at an IPv4 address`);
  }
  // the last 8 bytes (the host's part of its /64) do not count: an operator's one network is one id range
  const id = idForIpv6(v6('2a00:1450:4001:81c::1'), seededBytes('host', 20));
  assert.ok(idMatchesIpv6(id, v6('2a00:1450:4001:81c:ffff:ffff:ffff:ffff')));
});

test('local IPv6 ranges are exempt like the IPv4 ones', () => {
  for (const local of ['::1', '::', 'fe80::1', 'febf::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:192.168.1.1'])
    assert.ok(isLocalIpv6(v6(local)), local);
  for (const open of ['2001:db8::1', '2a00:1450::1', 'fec0::1', '::ffff:8.8.8.8', '::2']) assert.ok(!isLocalIpv6(v6(open)), open);
});
