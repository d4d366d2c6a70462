// --report: one self-contained page, opened from a file in headless Chromium with the
// network off: every chart is drawn with data, and nothing is fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawn } from '../helpers/report-page.js';
import { CliProcess } from '../helpers/cli-process.js';
import { cdf } from '../../src/stress/html-report.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a CDF keeps at most 400 points, evenly spaced in rank, ending at 1', () => {
  assert.deepEqual(cdf([]), [[], []]);
  assert.deepEqual(cdf([30, 10, 20]), [
    [10, 20, 30],
    [1 / 3, 2 / 3, 1],
  ]);
  const [xs, ys] = cdf(Array.from({ length: 10_000 }, (_, i) => i));
  assert.equal(xs.length, 400);
  assert.equal(ys.at(-1), 1);
  assert.equal(xs.at(-1), 9999);
  assert.ok(xs.every((x, i) => i === 0 || x > xs[i - 1]));
});

test(
  'stress --report: the page of an experiment opens offline from a file, every chart drawn with data',
  { timeout: 240_000 },
  async () => {
    const dir = tempDir('report');
    const file = join(dir, 'run.html');
    const run = CliProcess.spawn([
      ...['stress', '--transport', 'sim', '--nodes', '300', '--threads', '1', '--no-progress', '--report', file],
      ...['--duration', '10m', '--warmup', '1m', '--sessions', 'exp:10m', '--lookup-interval', '1m', '--miss-ratio', '0.2'],
    ]);
    assert.equal(await run.exitCode(120_000), 0, run.stderr.join('\n'));
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'nothing loaded from elsewhere');
    const page = await drawn(file);
    assert.deepEqual(page.fetched, []);
    const expected = [
      'hops',
      'latency',
      'phases',
      'series-lookups',
      'series-latency',
      'series-load',
      'series-hops',
      'series-nodes',
      'fill',
    ];
    assert.deepEqual(Object.keys(page.charts).sort(), [...expected].sort());
    for (const [name, chart] of Object.entries(page.charts)) {
      assert.ok(chart.points > 0, `${name} has data`);
      assert.ok(chart.inked > 1000, `${name} is drawn (${chart.inked} pixels)`);
    }
    assert.ok(page.tables >= 3, 'outcome, traffic and parameters tables');
    assert.match(page.text, /sessionsexp:600000/, 'the parameters are on the page, the experiment settings too');
  },
);

test('stress --report without an experiment: the page of the read-back, no time series', { timeout: 240_000 }, async () => {
  const dir = tempDir('report');
  const file = join(dir, 'run.html');
  const run = CliProcess.spawn(['stress', '--transport', 'sim', '--nodes', '200', '--misses', '30', '--no-progress', '--report', file]);
  assert.equal(await run.exitCode(120_000), 0, run.stderr.join('\n'));
  const page = await drawn(file);
  assert.deepEqual(Object.keys(page.charts).sort(), ['fill', 'hops', 'latency', 'phases']);
  for (const [name, chart] of Object.entries(page.charts)) assert.ok(chart.points > 0 && chart.inked > 1000, `${name} is drawn with data`);
});
