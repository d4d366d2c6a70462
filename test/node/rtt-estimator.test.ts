// The request timeout estimate: the whole timeout until an answer is timed, then
// srtt + 4 rttvar (RFC 6298) between the floor and the timeout; late answers back it off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RttEstimator } from '../../src/node/rtt-estimator.js';

test('waits the whole timeout until the first answer is timed', () => {
  assert.equal(new RttEstimator(250, 1000).timeoutMs, 1000);
});

test('follows srtt + 4 rttvar, clamped to [floor, timeout]', () => {
  const rtt = new RttEstimator(50, 1000);
  rtt.sample(100); // srtt 100, rttvar 50
  assert.equal(rtt.timeoutMs, 300);
  rtt.sample(100); // rttvar 37.5
  assert.equal(rtt.timeoutMs, 250);
  for (let i = 0; i < 100; i++) rtt.sample(10);
  assert.equal(rtt.timeoutMs, 50, 'steady 10 ms answers: down to the floor');
  for (let i = 0; i < 100; i++) rtt.sample(5_000);
  assert.equal(rtt.timeoutMs, 1000, 'never past the configured timeout');
});

test('an answer after its timeout backs the estimate off', () => {
  const rtt = new RttEstimator(100, 1000);
  for (let i = 0; i < 50; i++) rtt.sample(20);
  assert.equal(rtt.timeoutMs, 100);
  rtt.late();
  assert.ok(rtt.timeoutMs > 100, `after a late answer: ${rtt.timeoutMs} ms`);
});

test('a floor outside (0, timeout] is refused', () => {
  assert.throws(() => new RttEstimator(0, 1000), RangeError);
  assert.throws(() => new RttEstimator(2000, 1000), RangeError);
});
