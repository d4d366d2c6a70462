import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idAllowedAt, newNodeId } from '../../../src/node/security/id-admission.js';
import { idMatchesIpv4, idMatchesIpv6 } from '../../../src/id/id-from-ip.js';
import { ipv6Bytes } from '../../../src/util/ipv6.js';
import { packedIpv4 } from '../../../src/util/ipv4.js';
import { SeededRandom } from '../../../src/util/random.js';

const PUBLIC = '203.0.113.7';

test('a node on a public IPv4 address gets an id derived from it (BEP 42), unless the policy is off', () => {
  for (const policy of ['public', 'all'] as const) {
    assert.ok(idMatchesIpv4(newNodeId(PUBLIC, policy, new SeededRandom(1)), packedIpv4(PUBLIC)), policy);
  }
  // 'off', and a local address under 'public', keep the random bytes as they are
  assert.deepEqual(newNodeId(PUBLIC, 'off', new SeededRandom(1)), new SeededRandom(1).bytes(20));
  assert.deepEqual(newNodeId('127.0.0.1', 'public', new SeededRandom(1)), new SeededRandom(1).bytes(20));
  assert.ok(idMatchesIpv4(newNodeId('127.0.0.1', 'all', new SeededRandom(1)), packedIpv4('127.0.0.1')));
});

test('a node on a public IPv6 address gets an id from its first 64 bits; on a local one, under public, a random id', () => {
  const id = newNodeId('2001:db8:1:2::99', 'public', new SeededRandom(4));
  assert.ok(idMatchesIpv6(id, ipv6Bytes('2001:db8:1:2::1')!));
  assert.equal(idAllowedAt('all', id, '2001:db8:1:2::1'), true);
  assert.deepEqual(newNodeId('fe80::1', 'public', new SeededRandom(4)), new SeededRandom(4).bytes(20));
  assert.ok(idMatchesIpv6(newNodeId('::1', 'all', new SeededRandom(4)), ipv6Bytes('::1')!));
});

test('an id that does not fit its address is refused where the policy applies, and only there', () => {
  const random = new SeededRandom(2).bytes(20);
  const fitting = newNodeId(PUBLIC, 'all', new SeededRandom(3));
  assert.equal(idMatchesIpv4(random, packedIpv4(PUBLIC)), false);
  assert.equal(idAllowedAt('all', random, PUBLIC), false);
  assert.equal(idAllowedAt('public', random, PUBLIC), false);
  assert.equal(idAllowedAt('off', random, PUBLIC), true);
  assert.equal(idAllowedAt('all', fitting, PUBLIC), true);
  // local addresses are exempt under 'public' (test beds), not under 'all'
  assert.equal(idAllowedAt('public', random, '127.0.0.9'), true);
  assert.equal(idAllowedAt('all', random, '127.0.0.9'), false);
  // IPv6 by the same rule, its local ranges exempt under 'public'; names are not checked
  assert.equal(idAllowedAt('all', random, '2001:db8::7'), false);
  assert.equal(idAllowedAt('public', random, '2001:db8::7'), false);
  assert.equal(idAllowedAt('public', random, '::1'), true);
  assert.equal(idAllowedAt('all', random, '::1'), false);
  assert.equal(idAllowedAt('all', random, 'example.org'), true);
  // what a peer record already knows is used as given
  assert.equal(idAllowedAt('all', random, PUBLIC, packedIpv4(PUBLIC), true), true);
});
