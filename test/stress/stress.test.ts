// The seed's workload at small N, on both transports, through the same runStress the
// CLI uses: everything found, misses Not found, reproducible, churn repaired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseStressArgs } from '../../src/cli/stress-command.js';
import { churnIntervalMs, defaultConcurrency, runStress, type StressOptions } from '../../src/stress/run-stress.js';
import type { StressReport } from '../../src/stress/report.js';
import { checkSocketBudget } from '../../src/stress/swarm.js';
import { fitsInMemory, simulationCapacity } from '../../src/stress/heap-budget.js';
import { chooseUdpIo } from '../../src/net/udp-socket-group.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const options = (args: string[]) => parseStressArgs([...args, '--no-progress']) as StressOptions;
const DESIGN_FIELDS = [
  'nodes',
  'transport',
  'backend',
  'time_basis',
  'join_ms',
  'store_ms',
  'get_ms',
  'stored',
  'found',
  'wrong',
  'misses',
  'miss_not_found',
  'hit_ms_p50',
  'hit_ms_p99',
  'miss_ms_p50',
  'miss_ms_p99',
  'hops_p50',
  'hops_p99',
  'messages',
  'dropped',
  'rss_mb',
  'peak_rss_mb',
  'wall_ms',
  'threads',
  'protocol',
  'attack',
  'attackers',
];

/** Each phase's messages add up to the run's, and its wall times fit in the run's. */
function assertPhaseAccounts(r: StressReport): void {
  assert.equal(
    r.join_messages + r.store_messages + r.attack_messages + r.churn_messages + r.experiment_messages + r.get_messages,
    r.messages,
  );
  for (const phase of ['join', 'store', 'get'] as const) assert.ok(r[`${phase}_messages`] > 0, `${phase} sent messages`);
  const walls = [r.join_wall_ms, r.store_wall_ms, r.attack_wall_ms, r.churn_wall_ms, r.experiment_wall_ms, r.get_wall_ms];
  assert.ok(walls.every((w) => w >= 0));
  assert.ok(walls.reduce((a, b) => a + b) <= r.wall_ms + 4, `phases ${walls.join(' + ')} ms within the run's ${r.wall_ms} ms`);
  assert.ok(r.cpu_ms > 0);
}

test('sim: 1,000 nodes, every key found, every miss Not found, and the same seed repeats', { timeout: 300_000 }, async () => {
  const first = await runStress(options(['--nodes', '1000', '--transport', 'sim', '--seed', '7', '--misses', '50']));
  assert.equal(first.time_basis, 'virtual');
  assert.equal(first.joined, 999);
  assert.equal(first.stored, 1000);
  assert.equal(first.found, 1000);
  assert.equal(first.wrong, 0);
  assert.equal(first.miss_not_found, 50);
  assert.equal(first.internal_errors, 0);
  assert.ok(first.hops_p99 >= 1 && first.hops_p99 <= 6, `hops p99 ${first.hops_p99}`);
  assert.ok(first.miss_ms_p50 > 0 && first.hit_ms_p50 > 0);
  assertPhaseAccounts(first);
  assert.equal(first.churn_messages, 0);
  const again = await runStress(options(['--nodes', '1000', '--transport', 'sim', '--seed', '7', '--misses', '50']));
  const stable = (r: typeof first) => ({
    ...r,
    rss_mb: 0,
    peak_rss_mb: 0,
    wall_ms: 0,
    cpu_ms: 0,
    join_wall_ms: 0,
    store_wall_ms: 0,
    churn_wall_ms: 0,
    get_wall_ms: 0,
  });
  assert.deepEqual(stable(again), stable(first), 'same seed, same report (wall-clock and memory aside)');
  const other = await runStress(options(['--nodes', '1000', '--transport', 'sim', '--seed', '8', '--misses', '50']));
  assert.notEqual(other.messages, first.messages, 'another seed, another run');
});

test('operations in flight: 32 on udp; 256 in sim, or one per 1,000 nodes when that is more; the flag wins', () => {
  assert.equal(options(['--transport', 'udp']).concurrency, 32);
  assert.equal(options(['--transport', 'sim', '--nodes', '3000']).concurrency, 256);
  assert.equal(options(['--transport', 'sim', '--nodes', '100000']).concurrency, 256, 'runs up to 256,000 nodes keep the old default');
  assert.equal(options(['--transport', 'sim', '--nodes', '1000000']).concurrency, 1000);
  assert.equal(options(['--transport', 'sim', '--nodes', '1000001']).concurrency, 1001);
  assert.equal(options(['--transport', 'sim', '--nodes', '1000000', '--concurrency', '64']).concurrency, 64);
  assert.equal(defaultConcurrency('udp', 1_000_000), 32);
});

test('sim: 30% churn keeps at least 99% of keys', { timeout: 300_000 }, async () => {
  const report = await runStress(options(['--nodes', '600', '--transport', 'sim', '--churn', '0.3', '--misses', '20']));
  assert.equal(report.killed, 180);
  assertPhaseAccounts(report);
  assert.ok(report.churn_messages > 0, 'republish and refresh ran during the churn phase');
  assert.ok(report.found >= 0.99 * report.keys, `found ${report.found} of ${report.keys}`);
  assert.equal(report.wrong, 0);
  assert.equal(report.miss_not_found, 20);
});

test(
  'udp: 30% churn on real sockets keeps at least 99% of keys, with upkeep paced to what the threads can carry',
  { timeout: 300_000 },
  async () => {
    const report = await runStress(
      options(['--nodes', '240', '--transport', 'udp', '--threads', '2', '--base-port', '0', '--churn', '0.3', '--misses', '20']),
    );
    assert.equal(report.killed, 72);
    assert.ok(report.found >= 0.99 * report.keys, `found ${report.found} of ${report.keys}`);
    assert.equal(report.wrong, 0);
    assert.equal(report.miss_not_found, 20);
    assert.ok(report.churn_ms >= 4 * 5_000, `the repair ran 4 upkeep intervals (${report.churn_ms} ms)`);
  },
);

test('churn upkeep intervals: 10 min in sim; on udp 50 ms per node per thread, at least 5 s', () => {
  assert.equal(churnIntervalMs({ transport: 'sim', nodes: 1_000_000, threads: 1 }), 600_000);
  assert.equal(churnIntervalMs({ transport: 'udp', nodes: 300, threads: 1 }), 15_000);
  assert.equal(churnIntervalMs({ transport: 'udp', nodes: 10_000, threads: 2 }), 250_000);
  assert.equal(churnIntervalMs({ transport: 'udp', nodes: 40, threads: 2 }), 5_000);
});

test('udp: 300 real sockets on loopback over 2 threads, with the JSON report', { timeout: 300_000 }, async () => {
  const dir = tempDir('stress');
  const file = join(dir, 'report.json');
  const cli = CliProcess.spawn([
    'stress',
    '--nodes',
    '300',
    '--transport',
    'udp',
    '--threads',
    '2',
    '--base-port',
    '0',
    '--misses',
    '30',
    '--no-progress',
    '--json',
    file,
  ]);
  assert.equal(await cli.exitCode(120_000), 0, cli.stderr.join('\n'));
  assert.match(cli.stdout[0], /^kadswarm stress: 300 nodes, udp transport over 2 threads/);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of DESIGN_FIELDS) assert.ok(field in report, `JSON has ${field}`);
  assert.equal(report.transport, 'udp');
  assert.equal(report.time_basis, 'wall');
  assert.equal(report.threads, 2);
  assert.equal(report.udp_io, chooseUdpIo(report.backend), 'the native backend reads its sockets in batches, the TS one through dgram');
  assert.equal(report.joined, 299, 'nodes in the worker thread joined too');
  assert.equal(report.stored, 300);
  assert.equal(report.found, 300);
  assert.equal(report.wrong, 0);
  assert.equal(report.miss_not_found, 30);
  assert.equal(report.internal_errors, 0, 'no exception caught in either thread');
  assert.ok(report.messages > 0 && report.peak_rss_mb >= report.rss_mb * 0.5);
  assertPhaseAccounts(report); // the worker thread's messages are counted in their phases
  assert.match(
    cli.stdout.find((line) => line.includes(' join '))!,
    /^\s+join\s+\d.* \d[\d,]* messages; 299 of 299 nodes joined$/,
  );
});

test('udp: more sockets than the file limit allows is refused up front, naming the way out', async () => {
  assert.throws(() => checkSocketBudget(25_000, 20_000), {
    message:
      '--nodes 25000 needs 25000 UDP sockets but this process may open 20000 files (ulimit -n); use at most 19900 nodes per process, split the swarm over several "kademlia host" processes, or use --transport sim',
  });
  assert.doesNotThrow(() => checkSocketBudget(19_900, 20_000));
  const cli = CliProcess.spawn(['stress', '--nodes', '5000000', '--transport', 'udp', '--base-port', '0', '--no-progress']);
  assert.equal(await cli.exitCode(), 2);
  assert.equal(cli.stderr.length, 1);
  assert.match(cli.stderr[0], /^kademlia: --nodes 5000000 needs 5000000 UDP sockets but this process may open \d+ files \(ulimit -n\)/);
});

test('udp: one thread in-process, every key found', { timeout: 300_000 }, async () => {
  const report = await runStress(options(['--nodes', '200', '--transport', 'udp', '--threads', '1', '--base-port', '0', '--misses', '10']));
  assert.equal(report.threads, 1);
  assert.equal(report.found, 200);
  assert.equal(report.wrong, 0);
  assert.equal(report.miss_not_found, 10);
});

test('--threads defaults: the cores (never more than nodes), 1 with --http, --attack or an instant sim latency', () => {
  const cores = Math.min(availableParallelism(), 8);
  assert.equal(options(['--nodes', '1000']).threads, cores);
  assert.equal(options(['--nodes', '2']).threads, Math.min(cores, 2));
  assert.equal(options(['--nodes', '1000', '--threads', '3']).threads, 3);
  assert.equal(options(['--nodes', '1000', '--transport', 'sim']).threads, cores);
  assert.equal(options(['--nodes', '1000', '--transport', 'sim', '--latency', '0-20']).threads, 1);
  // a split simulation keeps more memory: a run that fits this machine on one thread only gets one
  const most = simulationCapacity();
  if (cores > 1 && !fitsInMemory(most, 2)) assert.equal(options(['--nodes', String(most), '--transport', 'sim']).threads, 1);
  assert.equal(options(['--nodes', '1000', '--transport', 'sim', '--attack', 'flood']).threads, 1);
  assert.equal(options(['--nodes', '1000', '--http', '127.0.0.1:0']).threads, 1);
});

test('bad stress flags: one line, exit 2', async () => {
  for (const args of [
    ['--nodes', '1'],
    ['--transport', 'tcp'],
    ['--churn', '1'],
    ['--latency', '50-10'],
    ['--base-port', '65000', '--nodes', '1000'],
    ['--bogus'],
    ['--threads', '0'],
    ['--transport', 'sim', '--latency', '0-20', '--threads', '2'],
    ['--transport', 'sim', '--attack', 'flood', '--threads', '2'],
    ['--threads', '2', '--http', '127.0.0.1:0'],
  ]) {
    const cli = CliProcess.spawn(['stress', ...args]);
    assert.equal(await cli.exitCode(), 2, args.join(' '));
    assert.equal(cli.stderr.length, 1, `${args.join(' ')}: ${cli.stderr.join(' | ')}`);
  }
});

test(
  'sim: 10% attackers of each kind, 600 nodes: every key found, none wrong, and each attack mostly refused',
  { timeout: 300_000 },
  async () => {
    const seen: string[] = [];
    for (const kind of ['overwrite', 'spoof', 'eclipse', 'flood', 'sybil']) {
      const report = await runStress(options(['--nodes', '600', '--transport', 'sim', '--attack', kind, '--misses', '20']));
      assert.equal(report.attack, kind);
      assert.equal(report.attackers, 60);
      assert.equal(report.found, 600, `${kind}: found ${report.found}`);
      assert.equal(report.wrong, 0, kind);
      assert.equal(report.miss_not_found, 20, kind);
      assert.ok(report.attack_tried > 0, `${kind} tried something`);
      // sybils obey BEP 42, so many get into tables (an IP holds 4 places); what they cannot do is win lookups
      if (kind !== 'sybil')
        assert.ok(report.attack_refused >= report.attack_tried / 2, `${kind}: ${report.attack_refused} of ${report.attack_tried} refused`);
      assertPhaseAccounts(report);
      seen.push(`${kind} ${report.attack_refused}/${report.attack_tried}`);
    }
    process.stdout.write(`refused/tried: ${seen.join(', ')}\n`);
  },
);

test('udp: an overwrite attack on real sockets changes nothing the reader gets', { timeout: 120_000 }, async () => {
  const report = await runStress(
    options(['--nodes', '200', '--transport', 'udp', '--base-port', '0', '--attack', 'overwrite', '--misses', '10']),
  );
  assert.equal(report.threads, 1, 'attacks run in one thread');
  assert.equal(report.found, 200);
  assert.equal(report.wrong, 0);
  assert.ok(
    report.attack_tried > 0 && report.attack_refused > report.attack_tried / 2,
    `${report.attack_refused} of ${report.attack_tried}`,
  );
});

test('attack flags: a kind from the list, a fraction, one thread; without --attack the report says none', () => {
  const plain = options(['--nodes', '100', '--transport', 'sim']);
  assert.deepEqual([plain.attack, plain.attackers], ['none', 0]);
  assert.deepEqual([options(['--attack', 'sybil', '--transport', 'sim']).attackers], [0.1]);
  assert.equal(options(['--attack', 'flood', '--attackers', '0.25', '--transport', 'sim']).attackers, 0.25);
  assert.equal(options(['--attack', 'flood']).threads, 1, 'udp attacks default to one thread');
  for (const [args, message] of [
    [['--attack', 'nuke'], /^--attack must be one of overwrite, spoof, eclipse, flood, sybil/],
    [['--attackers', '0.1'], /^--attackers needs --attack KIND$/],
    [['--attack', 'flood', '--attackers', '1'], /^--attackers must be a fraction in \(0, 1\)/],
    [['--attack', 'flood', '--threads', '2'], /^--threads must be 1 with --attack/],
  ] as Array<[string[], RegExp]>) {
    assert.throws(() => options(args), { message }, args.join(' '));
  }
});

test(
  'node flags reach every node, the report records every setting and the version, and a seed repeats for any threads',
  { timeout: 300_000 },
  async () => {
    const args = ['--nodes', '300', '--transport', 'sim', '--seed', '5', '--misses', '10'];
    const defaults = await runStress(options([...args, '--threads', '1']));
    assert.equal(defaults.parameters.k, 20);
    assert.equal(defaults.parameters.alpha, 3);
    assert.equal(defaults.parameters.ttl_ms, 3_600_000);
    assert.equal(defaults.parameters.crypto, 'model');
    assert.equal(defaults.version, JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
    const tuned = ['--k', '8', '--alpha', '2', '--ttl', '30m', '--rate-limit', '100/300'];
    const runs = [];
    for (const threads of ['1', '2']) runs.push(await runStress(options([...args, ...tuned, '--threads', threads])));
    const [one, two] = runs;
    assert.equal(one.found, 300);
    assert.deepEqual(
      [one.parameters.k, one.parameters.alpha, one.parameters.ttl_ms, one.parameters.republish_ms, one.parameters.rate_limit],
      [8, 2, 1_800_000, 1_620_000, '100/300'],
    );
    assert.ok(one.messages < defaults.messages, `k 8 and alpha 2 send fewer messages (${one.messages} vs ${defaults.messages})`);
    const MACHINE = /wall|cpu|rss|heap|threads/;
    const outcome = (r: StressReport) => Object.fromEntries(Object.entries(r).filter(([key]) => !MACHINE.test(key)));
    assert.deepEqual(outcome(two), outcome(one));
  },
);
