// Every benchmark script in package.json runs to the end at a tiny size, so none can break
// unseen. What they measure is not checked here (timings belong to the benchmarks); that
// they measured something, and said so, is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ROOT = new URL('../../../', import.meta.url);
const scripts = (JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Runs `npm run <name> -- <args>` as package.json has it, minus the compile step the suite already did. */
function runScript(name: string, args: string[], timeoutMs: number) {
  const command = scripts[name].replace(/^tsc -p tsconfig\.json && /, '');
  const [program, ...rest] = command.split(' ');
  assert.equal(program, 'node', `${name} runs node (${command})`);
  const run = spawnSync(process.execPath, [...rest, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs });
  assert.equal(run.status, 0, `npm run ${name} -- ${args.join(' ')} failed:\n${run.stderr}\n${run.stdout}`);
  return run;
}

test('npm run bench measures every row for every implementation there is, and the memory per table', { timeout: 120_000 }, () => {
  const { stdout } = runScript('bench', ['--quick'], 110_000);
  const rows = stdout.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| operation') && !line.startsWith('|---'));
  assert.ok(rows.length >= 13, `${rows.length} rows`);
  const cells = (label: RegExp) =>
    rows
      .find((row) => label.test(row))!
      .split('|')
      .map((c) => c.trim());
  // | label | TS | native | k-bucket | ... : the TS column is filled in on every row but the native baseline
  for (const row of rows.filter((r) => !r.includes('no-op'))) assert.match(row.split('|')[2], /\d/, `a TS figure: ${row}`);
  assert.match(cells(/table insert/)[4], /\d/, 'k-bucket inserts measured');
  assert.match(stdout, /memory: [\d,]+ bytes per routing table of \d+ contacts/);
  // the codec table: MessagePack, KRPC and the bencode package on each operation
  for (const op of ['encode FIND_NODE', 'decode FIND_NODE', 'encode NODES \\(20 contacts\\)', 'decode NODES \\(20 contacts\\)'])
    assert.match(stdout, new RegExp(`\\| ${op} \\| [\\d,]+ \\| [\\d,]+ \\| [\\d,]+ \\| [\\d.]+x \\|`), op);
});

test(
  'npm run bench:swarm runs kadswarm, kadswarm Mainline, a mixed swarm and bittorrent-dht through the seed workload',
  { timeout: 120_000 },
  () => {
    const { stdout } = runScript('bench:swarm', ['--nodes', '12', '--limit-min', '1'], 110_000);
    assert.match(stdout, /\| values found \| 12 \/ 12 \| 12 \/ 12 \| 6 \/ 6 \| \d+ \/ 12 \| \| \|/);
    for (const phase of ['join', 'store', 'get', 'wall'])
      assert.match(
        stdout,
        new RegExp(`\\| ${phase} \\| [\\d.]+ s \\| [\\d.]+ s \\| [\\d.]+ s \\| [\\d.]+ s \\| [\\d.]+x \\| [\\d.]+x \\|`),
      );
  },
);

test('npm run bench:gateway loads the gateway and reports requests per second', { timeout: 60_000 }, () => {
  const { stdout } = runScript('bench:gateway', ['--seconds', '1', '--runs', '1', '--connections', '4'], 50_000);
  assert.match(stdout, /run 1: [\d,]+ req\/s, latency p50 [\d.]+ ms, p99 [\d.]+ ms, [\d,]+ x 200/);
  assert.match(stdout, /^median: [\d,]+ req\/s/m);
  assert.doesNotMatch(stdout, /run 1: 0 req\/s/);
});
