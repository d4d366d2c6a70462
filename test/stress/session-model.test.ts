// Session lengths drawn from each model have the distribution's known moments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSessions, sampleSession, type SessionModel } from '../../src/stress/session-model.js';
import { SeededRandom } from '../../src/util/random.js';

function draws(model: SessionModel, n = 200_000): number[] {
  const random = new SeededRandom(9);
  return Array.from({ length: n }, () => sampleSession(model, random));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

test('exponential: mean MEAN, median MEAN ln 2', () => {
  const xs = draws({ kind: 'exp', meanMs: 3_600_000 });
  assert.ok(Math.abs(mean(xs) / 3_600_000 - 1) < 0.01, `mean ${mean(xs)}`);
  assert.ok(Math.abs(median(xs) / (3_600_000 * Math.LN2) - 1) < 0.01, `median ${median(xs)}`);
});

test('Weibull: median SCALE (ln 2)^(1/SHAPE); shape 1 is the exponential', () => {
  const xs = draws({ kind: 'weibull', shape: 0.5, scaleMs: 1_800_000 });
  assert.ok(Math.abs(median(xs) / (1_800_000 * Math.LN2 ** 2) - 1) < 0.02, `median ${median(xs)}`);
  // mean of shape 0.5: SCALE * Γ(3) = 2 SCALE
  assert.ok(Math.abs(mean(xs) / 3_600_000 - 1) < 0.03, `mean ${mean(xs)}`);
  const one = draws({ kind: 'weibull', shape: 1, scaleMs: 60_000 });
  assert.ok(Math.abs(mean(one) / 60_000 - 1) < 0.01);
});

test('Pareto: never below SCALE, median SCALE 2^(1/SHAPE), mean SHAPE SCALE / (SHAPE - 1)', () => {
  const xs = draws({ kind: 'pareto', shape: 3, scaleMs: 600_000 });
  assert.ok(xs.every((x) => x >= 600_000));
  assert.ok(Math.abs(median(xs) / (600_000 * 2 ** (1 / 3)) - 1) < 0.01, `median ${median(xs)}`);
  assert.ok(Math.abs(mean(xs) / 900_000 - 1) < 0.02, `mean ${mean(xs)}`);
});

test('a session lasts at least 1 ms, and the models print as they are written', () => {
  assert.ok(draws({ kind: 'exp', meanMs: 0.001 }, 1000).every((x) => x >= 1));
  assert.equal(describeSessions({ kind: 'exp', meanMs: 3_600_000 }), 'exp:3600000');
  assert.equal(describeSessions({ kind: 'pareto', shape: 1.5, scaleMs: 60_000 }), 'pareto:1.5:60000');
});
