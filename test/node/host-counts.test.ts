// Per-IP candidate counts of one lookup: IPv4 in a typed-array table, other hosts in a Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostCounts } from '../../src/node/host-counts.js';
import { packedIpv4 } from '../../src/util/ipv4.js';

test('each host is admitted up to max times, across growth of the table', () => {
  const counts = new HostCounts();
  const hosts = Array.from({ length: 1000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`);
  for (let round = 0; round < 3; round++) {
    for (const host of hosts) assert.equal(counts.admit(host, packedIpv4(host), 3), true, `${host}, round ${round}`);
  }
  for (const host of hosts) assert.equal(counts.admit(host, packedIpv4(host), 3), false, `${host} is full`);
  assert.equal(counts.admit('10.200.0.1', undefined, 3), true, 'the packed form is worked out when not given');
  assert.equal(counts.admit('255.255.255.255', packedIpv4('255.255.255.255'), 1), true, 'addresses above 2^31 count too');
  assert.equal(counts.admit('255.255.255.255', undefined, 1), false);
  assert.equal(counts.admit('0.0.0.0', 0, 1), true, 'address 0 is an address, not an empty slot');
  assert.equal(counts.admit('0.0.0.0', 0, 1), false);
});

test('IPv6 hosts and names count by their text', () => {
  const counts = new HostCounts();
  assert.equal(counts.admit('::1', -1, 2), true);
  assert.equal(counts.admit('::1', -1, 2), true);
  assert.equal(counts.admit('::1', -1, 2), false);
  assert.equal(counts.admit('fe80::2', undefined, 2), true);
});

test('a cleared table starts empty', () => {
  const counts = new HostCounts();
  for (let i = 0; i < 100; i++) assert.equal(counts.admit(`10.0.1.${i}`, undefined, 1), true);
  assert.equal(counts.admit('::1', -1, 1), true);
  counts.clear();
  for (let i = 0; i < 100; i++) assert.equal(counts.admit(`10.0.1.${i}`, undefined, 1), true, `10.0.1.${i} again`);
  assert.equal(counts.admit('::1', -1, 1), true);
});
