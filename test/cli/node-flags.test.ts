import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeFlags } from '../../src/cli/node-flags.js';
import { UsageError } from '../../src/cli/usage-error.js';

test('node flags become node settings with their units; flags not given stay out', () => {
  assert.deepEqual(parseNodeFlags({}), {});
  assert.deepEqual(
    parseNodeFlags({
      k: '8',
      alpha: '5',
      ttl: '30m',
      republish: '20m',
      replicate: '10m',
      refresh: '15m',
      maintenance: '30s',
      'good-for': '0',
      'upkeep-concurrency': '4',
      'replacement-cache': '0',
      'failures-before-eviction': '3',
      'max-contacts-per-ip': 'unlimited',
      'max-published': '50',
      'rate-limit': '100',
      'unproven-budget': '1000/5000',
      'id-from-ip': 'off',
    }),
    {
      k: 8,
      alpha: 5,
      ttlMs: 1_800_000,
      republishMs: 1_200_000,
      replicateMs: 600_000,
      refreshMs: 900_000,
      maintenanceMs: 30_000,
      goodForMs: 0,
      upkeepConcurrency: 4,
      replacementCacheSize: 0,
      failuresBeforeEviction: 3,
      maxContactsPerIp: Infinity,
      maxPublished: 50,
      rateLimit: { perSecond: 100, burst: 200 },
      unprovenBudget: { bytesPerSecond: 1000, burst: 5000 },
      idFromIp: 'off',
    },
  );
  assert.deepEqual(parseNodeFlags({ 'rate-limit': 'off', 'unproven-budget': 'off' }), { rateLimit: false, unprovenBudget: false });
});

test('a bad node flag is one usage error that names it and its rule', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ k: '0' }, /^--k must be an integer from 1 to 64/],
    [{ k: '65' }, /^--k must be an integer from 1 to 64/],
    [{ alpha: '2.5' }, /^--alpha must be an integer/],
    [{ ttl: 'forever' }, /^--ttl must be a duration/],
    [{ 'max-contacts-per-ip': 'many' }, /^--max-contacts-per-ip must be an integer/],
    [{ 'rate-limit': '0' }, /^--rate-limit must be RATE or RATE\/BURST/],
    [{ 'unproven-budget': '5/' }, /^--unproven-budget must be RATE or RATE\/BURST/],
    [{ 'id-from-ip': 'some' }, /^--id-from-ip must be all, public or off/],
  ];
  for (const [values, message] of cases)
    assert.throws(
      () => parseNodeFlags(values),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      JSON.stringify(values),
    );
});
