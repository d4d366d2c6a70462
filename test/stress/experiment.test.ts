// Experiments over time: continuous churn (a session model, an arrival rate, a trace), a
// steady load of lookups and stores, one row per minute, and one row per operation, the
// same for any number of threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStressArgs } from '../../src/cli/stress-command.js';
import { runStress, type StressOptions } from '../../src/stress/run-stress.js';
import type { Operation } from '../../src/stress/experiment.js';
import { operationsCsv } from '../../src/stress/operations-csv.js';
import { tempDir } from '../helpers/temp-dir.js';

const options = (args: string[]) => parseStressArgs([...args, '--no-progress']) as StressOptions;
const MACHINE = /wall|cpu|rss|heap|threads/;

async function run(args: string[]): Promise<{ report: Record<string, unknown>; operations: Operation[] }> {
  const operations: Operation[] = [];
  const report = (await runStress(options(args), undefined, operations)) as unknown as Record<string, unknown>;
  return { report: Object.fromEntries(Object.entries(report).filter(([key]) => !MACHINE.test(key))), operations };
}

const SESSIONS = ['--transport', 'sim', '--nodes', '300', '--seed', '5', '--duration', '20m', '--warmup', '2m', '--sessions', 'exp:10m'];
const LOAD = ['--lookup-interval', '2m', '--store-interval', '10m', '--miss-ratio', '0.2'];

test(
  'sessions: nodes leave and others arrive, the population holds, lookups keep finding; 1 and 2 threads agree',
  { timeout: 300_000 },
  async () => {
    const one = await run([...SESSIONS, ...LOAD, '--threads', '1']);
    const two = await run([...SESSIONS, ...LOAD, '--threads', '2']);
    const e = one.report.experiment as Record<string, number>;
    const series = one.report.series as Array<Record<string, number | boolean>>;
    assert.equal(series.length, 20, 'a row per minute');
    assert.equal(series.filter((row) => row.warmup).length, 2);
    // ~299 churning nodes at a mean of 10 minutes over 18 counted minutes: ~540 leaves
    assert.ok(e.leaves > 300 && e.leaves < 800, `leaves ${e.leaves}`);
    assert.ok(e.joins >= e.leaves - 10, `as many arrive (${e.joins}) as leave (${e.leaves})`);
    assert.equal(e.joins_failed, 0);
    for (const row of series)
      assert.ok((row.nodes_alive as number) > 270 && (row.nodes_alive as number) <= 300, `alive ${row.nodes_alive}`);
    assert.ok(e.lookups > 1500, `lookups ${e.lookups}`);
    assert.ok(e.lookup_success > 0.95, `success ${e.lookup_success}`);
    assert.equal(e.lookups_wrong, 0);
    assert.equal(e.misses_ok, e.misses, 'a key never stored is never found');
    assert.ok(e.misses > 200, `misses ${e.misses}`);
    assert.ok(e.stores_ok > 400, `stores ${e.stores_ok}`);
    assert.ok(e.table_fill_mean > 20 && e.messages_per_node_s > 0);
    assertBytesPerMessage(one.report);
    assert.ok(e.bytes_per_node_s > 35 * e.messages_per_node_s, `${e.bytes_per_node_s} bytes for ${e.messages_per_node_s} messages`);
    for (const row of series) assert.ok((row.bytes_per_node_s as number) > 0, `minute ${row.minute} sent bytes`);
    assert.ok((one.report.bucket_fill as number[]).length > 3);
    assert.ok((one.report.experiment_messages as number) > 0);
    // the figures agree with the operations they come from
    const counted = one.operations.filter((op) => op.start >= 120_000);
    assert.equal(counted.filter((op) => op.kind === 'lookup').length, e.lookups);
    assert.equal(counted.filter((op) => op.kind === 'leave').length, e.leaves);
    assert.equal(one.report.found, 0, 'no read-back: the experiment is the workload');
    assert.deepEqual(two.report, one.report);
    assert.equal(operationsCsv(two.operations), operationsCsv(one.operations));
  },
);

test('a different seed gives a different experiment (the comparison above can fail)', { timeout: 300_000 }, async () => {
  const a = await run([...SESSIONS, '--lookup-interval', '5m', '--threads', '1']);
  const b = await run([...SESSIONS.map((v) => (v === '5' ? '6' : v)), '--lookup-interval', '5m', '--threads', '1']);
  assert.notDeepEqual(a.report.experiment, b.report.experiment);
  assert.notEqual(operationsCsv(a.operations), operationsCsv(b.operations));
});

test('a trace is replayed exactly: its nodes join and leave when it says', { timeout: 300_000 }, async () => {
  const dir = tempDir('trace');
  const trace = join(dir, 'trace.csv');
  writeFileSync(
    trace,
    ['time,node,event', '10,alice,join', '20,bob,join', '90,alice,leave', '150,alice,join', '200,bob,leave', ''].join('\n'),
  );
  const { report, operations } = await run([
    ...['--transport', 'sim', '--nodes', '100', '--seed', '2', '--threads', '1', '--duration', '5m', '--warmup', '0'],
    ...['--trace', trace, '--lookup-interval', '1m'],
  ]);
  const churn = operations.filter((op) => op.kind === 'join' || op.kind === 'leave').map((op) => [op.kind, op.node, op.start]);
  // trace nodes come after the 100 nodes of the swarm: alice is node 100, bob node 101
  assert.deepEqual(churn, [
    ['join', 100, 10_000],
    ['join', 101, 20_000],
    ['leave', 100, 90_000],
    ['join', 100, 150_000],
    ['leave', 101, 200_000],
  ]);
  const e = report.experiment as Record<string, number>;
  assert.equal(e.joins_failed, 0);
  assert.ok(
    operations.some((op) => op.kind === 'lookup' && op.node === 100),
    'a trace node looks up while it is up',
  );
  assert.ok(operations.filter((op) => op.node === 101 && op.kind === 'lookup').every((op) => op.start > 20_000 && op.start < 200_000));
});

test('arrivals: a Poisson rate brings down nodes up, and counts those it found none for', { timeout: 300_000 }, async () => {
  const { report } = await run([
    ...['--transport', 'sim', '--nodes', '100', '--seed', '3', '--threads', '1', '--duration', '10m'],
    ...['--arrivals', '30/m'],
  ]);
  const e = report.experiment as Record<string, number>;
  const series = report.series as Array<Record<string, number>>;
  // 99 nodes start down; ~300 arrivals in 10 minutes take them all, and the rest find none
  assert.equal(e.leaves, 0);
  assert.equal(series.at(-1)!.nodes_alive, 199);
  assert.ok(e.arrivals_lost > 100, `arrivals lost ${e.arrivals_lost}`);
});

test('udp: nodes leave and come back on real sockets, and lookups keep finding', { timeout: 120_000 }, async () => {
  const { report } = await run([
    ...['--transport', 'udp', '--nodes', '60', '--base-port', '0', '--threads', '2', '--duration', '8s', '--warmup', '1s'],
    ...['--sessions', 'exp:3s', '--lookup-interval', '1s'],
  ]);
  const e = report.experiment as Record<string, number>;
  assert.ok(e.leaves > 40, `leaves ${e.leaves}`);
  assert.ok(e.joins > 40, `joins ${e.joins}`);
  assert.ok(e.lookups > 200, `lookups ${e.lookups}`);
  assert.ok(e.lookup_success > 0.9, `success ${e.lookup_success}`);
  assert.equal(report.internal_errors, 0);
  assertBytesPerMessage(report); // counted by the nodes in both threads
});

/** Bytes are counted for every message: a PONG, the smallest, is 35 bytes; no datagram exceeds 1,500. */
function assertBytesPerMessage(report: Record<string, unknown>) {
  const perMessage = (report.bytes as number) / (report.messages as number);
  assert.ok(perMessage >= 35 && perMessage <= 1500, `${report.bytes} bytes in ${report.messages} messages`);
}

test('every churn model and the trace give the same report and CSV on 1 and 2 threads', { timeout: 300_000 }, async () => {
  const dir = tempDir('trace');
  const trace = join(dir, 'trace.csv');
  writeFileSync(trace, ['5,a,join', '6,b,join', '61,a,leave', '62.5,b,leave', '63,b,join', '100,a,join', ''].join('\n'));
  const base = [
    '--transport',
    'sim',
    '--nodes',
    '120',
    '--seed',
    '11',
    '--duration',
    '4m',
    '--lookup-interval',
    '30s',
    '--store-interval',
    '2m',
  ];
  for (const churn of [
    ['--sessions', 'weibull:0.6:2m'],
    ['--sessions', 'pareto:1.5:1m', '--arrivals', '1/s'],
    ['--trace', trace],
  ]) {
    const one = await run([...base, ...churn, '--threads', '1']);
    const two = await run([...base, ...churn, '--threads', '2']);
    const e = one.report.experiment as Record<string, number>;
    assert.ok(e.leaves > 0 && e.joins > 0 && e.lookups > 0, `${churn.join(' ')}: ${JSON.stringify(e)}`);
    assert.deepEqual(two.report, one.report, churn.join(' '));
    assert.equal(operationsCsv(two.operations), operationsCsv(one.operations), churn.join(' '));
  }
});
