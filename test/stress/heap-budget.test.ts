// Large simulations restart themselves with a heap cap that fits them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heapNeededMb, heapToRequestMb } from '../../src/stress/heap-budget.js';
import { CliProcess } from '../helpers/cli-process.js';

test('the heap asked for covers the run, within the machine, and only once', () => {
  const million = heapNeededMb(1_000_000);
  assert.ok(million > 16_000 && million < 30_000, `${million} MB for a million nodes`);
  assert.equal(heapToRequestMb(100_000, 4_096, 24_000, false), null, 'V8\'s default cap holds 100,000 nodes');
  assert.equal(heapToRequestMb(1_000_000, 4_096, 32_000, false), million);
  assert.equal(heapToRequestMb(1_000_000, 4_096, 24_000, false), Math.floor(24_000 * 0.85), 'capped by the machine');
  assert.equal(heapToRequestMb(1_000_000, 4_096, 4_000, false), null, 'no larger cap to be had');
  assert.equal(heapToRequestMb(1_000_000, 4_096, 32_000, true), null, 'the restarted run never restarts again');
});

test('a run whose heap cap is too small restarts with a larger one and reports it', { timeout: 120_000 }, async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kadswarm-heap-')), 'report.json');
  const cli = CliProcess.spawn(['stress', '--nodes', '200', '--transport', 'sim', '--misses', '5', '--no-progress', '--json', file], { NODE_OPTIONS: '--max-old-space-size=256' });
  assert.equal(await cli.exitCode(100_000), 0, cli.stderr.join('\n'));
  assert.match(cli.stderr.join('\n'), /restarting with a 517 MB heap cap/);
  assert.match(cli.stdout[0], /^kadswarm stress: 200 nodes, sim transport/);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(report.heap_limit_mb >= 517, `heap cap ${report.heap_limit_mb} MB`);
  assert.equal(report.found, 200);
});
