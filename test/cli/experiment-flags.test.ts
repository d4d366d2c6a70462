// The experiment's flags: session models, rates and durations with units, and one usage
// error naming the flag for anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArrivals, parseExperimentFlags, parseSessionModel } from '../../src/cli/experiment-flags.js';
import { parseStressArgs } from '../../src/cli/stress-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { tempDir } from '../helpers/temp-dir.js';

test('session models with units', () => {
  assert.deepEqual(parseSessionModel('exp:1h'), { kind: 'exp', meanMs: 3_600_000 });
  assert.deepEqual(parseSessionModel('weibull:0.5:30m'), { kind: 'weibull', shape: 0.5, scaleMs: 1_800_000 });
  assert.deepEqual(parseSessionModel('pareto:1.5:600000'), { kind: 'pareto', shape: 1.5, scaleMs: 600_000 });
  for (const [bad, message] of [
    ['exp', /must be exp:MEAN, weibull:SHAPE:SCALE or pareto:SHAPE:SCALE \(got "exp"\)/],
    ['normal:1h', /must be exp:MEAN/],
    ['exp:soon', /--sessions: "soon" is not a duration like 30m/],
    ['exp:', /--sessions: a duration is missing/],
    ['weibull:0:1h', /--sessions: SHAPE must be a number above 0 \(got "0"\)/],
    ['pareto:x:1h', /SHAPE must be a number above 0/],
  ] as const)
    assert.throws(
      () => parseSessionModel(bad),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      bad,
    );
});

test('arrival rates per second, minute or hour', () => {
  assert.equal(parseArrivals('3'), 3 / 1000);
  assert.equal(parseArrivals('3/s'), 3 / 1000);
  assert.equal(parseArrivals('120/m'), 120 / 60_000);
  assert.equal(parseArrivals('3600/h'), 1 / 1000);
  for (const bad of ['0', '-1/s', 'x/m', '3/d', ''])
    assert.throws(
      () => parseArrivals(bad),
      (e: unknown) => e instanceof UsageError && /--arrivals/.test(e.message),
      bad,
    );
});

test('every experiment flag needs --duration; the default warm-up is a tenth of it', () => {
  assert.equal(parseExperimentFlags({}, 0), undefined);
  assert.throws(() => parseExperimentFlags({ sessions: 'exp:1h' }, 0), /--sessions needs --duration D/);
  assert.throws(() => parseExperimentFlags({ 'lookup-interval': '10m' }, 0), /--lookup-interval needs --duration D/);
  const settings = parseExperimentFlags({ duration: '6h', sessions: 'exp:1h', 'lookup-interval': '10m' }, 0)!;
  assert.equal(settings.durationMs, 21_600_000);
  assert.equal(settings.warmupMs, 2_160_000);
  assert.equal(settings.lookupIntervalMs, 600_000);
  assert.equal(settings.storeIntervalMs, null);
  assert.equal(settings.missRatio, 0);
  assert.equal(settings.arrivalsPerMs, null);
});

test('flags that contradict each other are refused, one line each', () => {
  const refused: Array<[Record<string, string>, number, RegExp]> = [
    [{ duration: '1h' }, 0.2, /--churn and --duration do not go together/],
    [{ duration: '1h', sessions: 'exp:1h', trace: 'x.csv' }, 0, /--sessions and --trace do not go together/],
    [{ duration: '1h', arrivals: '1/s', trace: 'x.csv' }, 0, /--arrivals and --trace do not go together/],
    [{ duration: '1h', 'miss-ratio': '0.1' }, 0, /--miss-ratio needs --lookup-interval/],
    [{ duration: '1h', 'lookup-interval': '1m', 'miss-ratio': '2' }, 0, /--miss-ratio must be a fraction from 0 to 1/],
    [{ duration: '1h', warmup: '2h' }, 0, /--warmup must be a duration/],
    [{ duration: '500ms' }, 0, /--duration must be a duration/],
    [{ duration: '1h', trace: '/nonexistent/trace.csv' }, 0, /--trace: cannot read \/nonexistent\/trace\.csv \(ENOENT\)/],
  ];
  for (const [values, churn, message] of refused)
    assert.throws(
      () => parseExperimentFlags(values, churn),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      message.source,
    );
  const dir = tempDir('trace');
  writeFileSync(join(dir, 'bad.csv'), '1,a,leave\n');
  assert.throws(
    () => parseExperimentFlags({ duration: '1h', trace: join(dir, 'bad.csv') }, 0),
    /--trace: .*bad\.csv row 1: node a leaves while it is down/,
  );
  writeFileSync(join(dir, 'empty.csv'), 'time,node,event\n');
  assert.throws(() => parseExperimentFlags({ duration: '1h', trace: join(dir, 'empty.csv') }, 0), /empty\.csv has no events/);
});

test('stress takes them, with --csv', () => {
  const options = parseStressArgs(['--transport', 'sim', '--duration', '30m', '--sessions', 'pareto:2:10m', '--csv', 'ops.csv']);
  assert.ok(options !== 'help');
  assert.equal(options.csv, 'ops.csv');
  assert.deepEqual(options.experiment?.sessions, { kind: 'pareto', shape: 2, scaleMs: 600_000 });
});
