import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv6Bytes, ipv6Host } from '../../src/util/ipv6.js';

test('IPv6 addresses become their 16 bytes and back, in canonical form; anything else is null', () => {
  assert.deepEqual(ipv6Bytes('::1'), new Uint8Array([...new Array(15).fill(0), 1]));
  assert.equal(ipv6Host(ipv6Bytes('2001:0db8:0000:0000:0000:0000:0000:0001')!), '2001:db8::1');
  assert.equal(ipv6Host(ipv6Bytes('fe80::a:b')!), 'fe80::a:b');
  for (const bad of ['127.0.0.1', 'fe80::1%eth0', 'example.org', '', '1::2::3', '2001:db8::g']) assert.equal(ipv6Bytes(bad), null, bad);
});
