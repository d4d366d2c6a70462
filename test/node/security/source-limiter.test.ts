import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLimiter } from '../../../src/node/security/source-limiter.js';

test('a source over its rate is dropped; others are not; it recovers at its rate', () => {
  const limiter = new SourceLimiter({ perSecond: 10, burst: 20 }, 0);
  let admitted = 0;
  for (let i = 0; i < 100; i++) if (limiter.admit('203.0.113.1', 0)) admitted++;
  // 20 while the node's own bucket lasted, then 20 more from the source's bucket, which
  // starts full when tracking starts (the node keeps no history of untracked sources)
  assert.equal(admitted, 40, 'at most two bursts, then nothing');
  assert.equal(limiter.dropped, 60);
  assert.ok(limiter.admit('203.0.113.2', 0), 'another source is not held back');
  assert.ok(!limiter.admit('203.0.113.1', 50), 'half a token after 50 ms');
  assert.ok(limiter.admit('203.0.113.1', 100), 'one token after 100 ms');
});

test('under normal load no source is tracked; when it ends, the tracking goes', () => {
  const limiter = new SourceLimiter({ perSecond: 100, burst: 100 }, 0);
  for (let t = 0; t < 10_000; t += 20) assert.ok(limiter.admit(`198.51.100.${t % 200}`, t));
  assert.equal(limiter.tracked, 0);
  for (let i = 0; i < 150; i++) limiter.admit('203.0.113.9', 10_000);
  assert.ok(limiter.tracked > 0);
  limiter.admit('198.51.100.1', 20_000);
  assert.equal(limiter.tracked, 0, 'quiet for long enough: back to the one bucket');
});

test('tracked sources are bounded: the oldest is forgotten first', () => {
  const limiter = new SourceLimiter({ perSecond: 1, burst: 1 }, 0, 8);
  limiter.admit('x', 0);
  limiter.admit('x', 0); // the node's bucket is dry: tracking starts
  for (let i = 0; i < 100; i++) limiter.admit(`10.0.0.${i}`, 0);
  assert.equal(limiter.tracked, 8);
});
