import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idAllowedAt, newNodeId } from '../../../src/node/security/id-admission.js';
import { idMatchesIpv4 } from '../../../src/id/id-from-ip.js';
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
  // IPv6 is not checked (BEP 42's IPv6 rule is not implemented)
  assert.equal(idAllowedAt('all', random, '::1'), true);
  // what a peer record already knows is used as given
  assert.equal(idAllowedAt('all', random, PUBLIC, packedIpv4(PUBLIC), true), true);
});
