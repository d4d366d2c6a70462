// Large simulations restart themselves with a heap cap that fits them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkMemoryBudget,
  fitsInMemory,
  heapNeededMb,
  heapToRequestMb,
  LARGE_RUN_SEMI_SPACE_MB,
  memoryNeededMb,
  simulationCapacity,
} from '../../src/stress/heap-budget.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-dir.js';

test('the heap asked for covers the run, within the machine, and only once', () => {
  const million = heapNeededMb(1_000_000);
  assert.ok(million > 16_000 && million < 30_000, `${million} MB for a million nodes`);
  assert.equal(heapToRequestMb(100_000, 4_096, 24_000, false), null, "V8's default cap holds 100,000 nodes");
  assert.equal(heapToRequestMb(1_000_000, 4_096, 32_000, false), million);
  assert.equal(heapToRequestMb(1_000_000, 4_096, 24_000, false), Math.floor(24_000 * 0.85), 'capped by the machine');
  assert.equal(heapToRequestMb(1_000_000, 4_096, 4_000, false), null, 'no larger cap to be had');
  assert.equal(heapToRequestMb(1_000_000, 4_096, 32_000, true), null, 'the restarted run never restarts again');
});

test('a run whose heap cap is too small restarts with a larger one and reports it', { timeout: 120_000 }, async () => {
  const file = join(tempDir('heap'), 'report.json');
  const cli = CliProcess.spawn(['stress', '--nodes', '200', '--transport', 'sim', '--misses', '5', '--no-progress', '--json', file], {
    NODE_OPTIONS: '--max-old-space-size=256',
  });
  assert.equal(await cli.exitCode(100_000), 0, cli.stderr.join('\n'));
  assert.match(cli.stderr.join('\n'), /restarting with a 517 MB heap cap/);
  assert.match(cli.stdout[0], /^kadswarm stress: 200 nodes, sim transport/);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // V8's cap counts the young generation too: three semi-spaces of the large-run size
  assert.ok(report.heap_limit_mb >= 517 + 3 * LARGE_RUN_SEMI_SPACE_MB, `heap cap ${report.heap_limit_mb} MB`);
  assert.equal(report.found, 200);
});

test('a simulation too big for the machine is refused up front, naming the limit and the way out', async () => {
  assert.doesNotThrow(() => checkMemoryBudget(1_000_000, 24_000), 'a million nodes fit in 24 GB');
  assert.ok(memoryNeededMb(1_000_000) <= 24_000 * 0.85);
  assert.throws(
    () => checkMemoryBudget(5_000_000, 24_000),
    /^Error: --nodes 5000000 needs about [\d,]+ MB for one simulation \(\d+ KB per node\) but this machine has 24,000 MB; simulate at most [\d,]+ nodes here, or use a machine with more memory$/,
  );
  const cli = CliProcess.spawn(['stress', '--nodes', '10000000', '--transport', 'sim', '--no-progress']);
  assert.equal(await cli.exitCode(30_000), 2);
  assert.equal(cli.stderr.length, 1, cli.stderr.join(' | '));
  assert.match(cli.stderr[0], /^kademlia: --nodes 10000000 needs about [\d,]+ MB for one simulation/);
});

test('the capacity the help names is the largest run the budget accepts', async () => {
  const most = simulationCapacity(24_000);
  assert.ok(most >= 1_000_000, `${most} nodes in 24 GB`);
  assert.doesNotThrow(() => checkMemoryBudget(most, 24_000));
  assert.throws(() => checkMemoryBudget(most + 1000, 24_000), new RegExp(`simulate at most ${most.toLocaleString('en-US')} nodes`));
  assert.equal(simulationCapacity(100), 0, 'too small a machine holds none');
  const cli = CliProcess.spawn(['stress', '--help']);
  assert.equal(await cli.exitCode(30_000), 0);
  assert.match(
    cli.stdout.join('\n'),
    new RegExp(`holds a simulation of\\s+up to about ${simulationCapacity().toLocaleString('en-US')} nodes`),
  );
});

test('a simulation split over threads is budgeted for the contacts each thread keeps', () => {
  const machineMb = 24 * 1024;
  assert.ok(memoryNeededMb(100_000, 2) > memoryNeededMb(100_000, 1) * 1.5);
  assert.ok(simulationCapacity(machineMb, 2) < simulationCapacity(machineMb, 1));
  assert.equal(fitsInMemory(1_000_000, 1, machineMb), true);
  assert.equal(fitsInMemory(1_000_000, 2, machineMb), false);
  assert.throws(() => checkMemoryBudget(1_000_000, machineMb, 2), /on 2 threads \(each keeps its own contacts; fewer threads need less\)/);
  checkMemoryBudget(1_000_000, machineMb, 1);
});
