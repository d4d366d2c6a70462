// The simulation split over threads: the same seed gives the same report for any number of
// threads, with churn and loss too (every field but wall, CPU, memory and threads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStressArgs } from '../../src/cli/stress-command.js';
import { runStress, type StressOptions } from '../../src/stress/run-stress.js';
import { createSimSwarm, simWindowMs } from '../../src/stress/sim-swarm.js';

const options = (args: string[]) => parseStressArgs([...args, '--transport', 'sim', '--no-progress']) as StressOptions;
/** Fields that measure the machine, not the run. */
const MACHINE = /wall|cpu|rss|heap|threads/;

async function reportsFor(args: string[], threads: number[]): Promise<Array<Record<string, unknown>>> {
  const reports = [];
  for (const t of threads) {
    const report = (await runStress(options([...args, '--threads', String(t)]))) as unknown as Record<string, unknown>;
    assert.equal(report.threads, t);
    reports.push(Object.fromEntries(Object.entries(report).filter(([key]) => !MACHINE.test(key))));
  }
  return reports;
}

test('one, two and three threads give the same report', { timeout: 300_000 }, async () => {
  const [one, two, three] = await reportsFor(['--nodes', '400', '--seed', '7', '--misses', '20'], [1, 2, 3]);
  assert.equal(one.found, 400);
  assert.equal(one.miss_not_found, 20);
  assert.deepEqual(two, one);
  assert.deepEqual(three, one);
});

test('with churn and loss, one and two threads give the same report', { timeout: 300_000 }, async () => {
  const [one, two] = await reportsFor(['--nodes', '300', '--seed', '3', '--churn', '0.2', '--loss', '0.05', '--misses', '10'], [1, 2]);
  assert.equal(one.killed, 60);
  assert.ok((one.dropped as number) > 0, 'datagrams were lost');
  assert.ok((one.found as number) > 240, `found ${String(one.found)}`);
  assert.deepEqual(two, one);
});

test('a different seed gives a different run (the comparison above can fail)', { timeout: 300_000 }, async () => {
  const [a] = await reportsFor(['--nodes', '200', '--seed', '1', '--misses', '0'], [2]);
  const [b] = await reportsFor(['--nodes', '200', '--seed', '2', '--misses', '0'], [2]);
  assert.notDeepEqual(a, b);
});

test('the window is the shortest latency; several threads refuse an instant network', () => {
  assert.equal(simWindowMs([10, 50], 2), 10);
  assert.equal(simWindowMs([0, 50], 1), 1);
  assert.throws(() => simWindowMs([0, 50], 2), /shortest latency above 0/);
});

test('a split swarm drives nodes only through orders: direct driving and attack hooks need one thread', async () => {
  const swarm = createSimSwarm({ nodes: 20, seed: 1, node: {}, latencyMs: [10, 20], loss: 0, threads: 2 });
  try {
    assert.equal(swarm.attackHooks, undefined);
    await assert.rejects(
      swarm.drive<void>((done) => done()),
      /needs every node in this thread/,
    );
    // node 0 lives here, with the nodes of thread 0
    assert.equal(swarm.entry.address.port, 1);
    assert.ok(swarm.nodes.length < 20);
  } finally {
    swarm.close();
  }
});
