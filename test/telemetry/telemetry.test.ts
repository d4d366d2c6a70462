// Telemetry: latency percentiles and CDFs from recent gets, the hop histogram, phases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_HOPS_BIN, Telemetry } from '../../src/telemetry/telemetry.js';

test('hit and miss latencies: percentiles, and CDFs on one shared grid', () => {
  const t = new Telemetry();
  for (let ms = 1; ms <= 100; ms++) t.recordGet(ms, 2, true);
  for (let ms = 1; ms <= 10; ms++) t.recordGet(200 + ms, 3, false);
  assert.deepEqual(t.latency('hit'), { count: 100, p50: 50, p90: 90, p99: 99 });
  assert.deepEqual(t.latency('miss'), { count: 10, p50: 205, p90: 209, p99: 210 });
  const cdf = t.latencyCdf(21);
  assert.equal(cdf.ms.length, 21);
  assert.equal(cdf.ms[20], 210);
  assert.equal(cdf.hit[20], 1);
  assert.equal(cdf.miss[20], 1);
  assert.equal(cdf.hit[9], 1, 'every hit is under 100 ms');
  assert.equal(cdf.miss[9], 0, 'no miss is');
  for (let i = 1; i < 21; i++) assert.ok(cdf.hit[i] >= cdf.hit[i - 1] && cdf.miss[i] >= cdf.miss[i - 1], 'CDFs never fall');
});

test('only the most recent 4096 samples count for percentiles; counts keep growing', () => {
  const t = new Telemetry();
  for (let i = 0; i < 5000; i++) t.recordGet(i < 904 ? 1000 : 1, 1, true);
  assert.deepEqual(t.latency('hit'), { count: 5000, p50: 1, p90: 1, p99: 1 });
});

test('hop counts land in their bin, the last bin taking everything deeper', () => {
  const t = new Telemetry();
  for (const hops of [0, 1, 1, 2, MAX_HOPS_BIN, MAX_HOPS_BIN + 7]) t.recordGet(5, hops, true);
  assert.equal(t.hopCounts[0], 1);
  assert.equal(t.hopCounts[1], 2);
  assert.equal(t.hopCounts[2], 1);
  assert.equal(t.hopCounts[MAX_HOPS_BIN], 2);
});

test('phases: progress goes through to the bars too, and listeners hear each new phase', async () => {
  const t = new Telemetry();
  const heard: string[] = [];
  t.onPhase((p) => heard.push(`${p.name}/${p.total}`));
  const bars: string[] = [];
  const progress = t.progress({
    start: (p, n) => bars.push(`start ${p} ${n}`),
    update: (d) => bars.push(`update ${d}`),
    stop: () => bars.push('stop'),
  });
  progress.start('join', 10);
  progress.update(4);
  assert.deepEqual(t.phase, { name: 'join', done: 4, total: 10 });
  progress.stop();
  t.setPhase('done');
  assert.deepEqual(heard, ['join/10', 'done/0']);
  assert.deepEqual(bars, ['start join 10', 'update 4', 'stop']);
  const metrics = await t.registry.metrics();
  assert.match(metrics, /kadswarm_get_duration_seconds/);
});

test('latencies say which clock timed them: a simulation labels its seconds virtual, in /metrics and in the stats', async () => {
  const sim = new Telemetry({ timeBasis: 'virtual' });
  sim.recordGet(120, 2, true);
  const text = await sim.registry.metrics();
  assert.match(text, /# HELP kadswarm_get_duration_seconds .*clock="virtual" in a simulation/);
  assert.match(text, /kadswarm_get_duration_seconds_count\{result="hit",clock="virtual"\} 1\n/);
  assert.doesNotMatch(text, /clock="wall"/);
  assert.equal(sim.timeBasis, 'virtual');
  assert.equal(new Telemetry().timeBasis, 'wall');
  assert.throws(() => new Telemetry({ timeBasis: 'real' as never }), {
    name: 'RangeError',
    message: 'timeBasis must be "wall" or "virtual" (got real)',
  });
});
