import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationFlag } from '../../src/cli/duration.js';
import { UsageError } from '../../src/cli/usage-error.js';

test('durations take ms, s, m, h and d, or bare milliseconds; anything else is one usage error naming the flag', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    ['1234', 1234],
  ];
  for (const [text, ms] of cases) assert.equal(durationFlag('ttl', text, 0), ms, text);
  assert.equal(durationFlag('ttl', undefined, 42), 42);
  for (const bad of ['', '5x', 'h', '-1s', '0', '0.5ms', '30 days ago', '100d'])
    assert.throws(
      () => durationFlag('refresh', bad, 0),
      (e: Error) => e instanceof UsageError && e.message.startsWith('--refresh must be a duration'),
      bad,
    );
  assert.equal(durationFlag('good-for', '0', 1, 0), 0, 'a flag may allow 0');
});
