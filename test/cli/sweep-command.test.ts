// `kademlia sweep FILE`: a small grid over two processes at a time, its CSV, JSON and
// page (opened offline in headless Chromium), the same figures for the same seeds, and one
// line for a bad file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CliProcess } from '../helpers/cli-process.js';
import { drawn } from '../helpers/report-page.js';
import { tempDir } from '../helpers/temp-dir.js';

const EXPERIMENT = [
  'name: tiny',
  'base: { transport: sim, nodes: 150, duration: 10m, warmup: 1m, lookup-interval: 1m }',
  'grid:',
  '  k: [4, 20]',
  '  sessions: [exp:5m, exp:30m]',
  'repetitions: 2',
].join('\n');

/** The CSV's rows without the columns that time the machine. */
function outcomeRows(csv: string): Array<Record<string, string>> {
  return (parse(csv, { columns: true }) as Array<Record<string, string>>).map(({ wall_ms: _w, cpu_ms: _c, ...rest }) => rest);
}

async function sweep(dir: string, extra: string[] = []): Promise<CliProcess> {
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, EXPERIMENT);
  const run = CliProcess.spawn(['sweep', file, '--out', join(dir, 'out'), '--parallel', '2', '--no-progress', ...extra]);
  assert.equal(await run.exitCode(240_000), 0, run.stderr.join('\n'));
  return run;
}

test(
  'sweep: 4 settings x 2 seeds, a row each in CSV and JSON, a page with both charts drawn; the same seeds give the same rows',
  { timeout: 600_000 },
  async () => {
    const dir = tempDir('sweep');
    const run = await sweep(dir);
    assert.match(run.stdout.join('\n'), /sweep tiny: 8 of 8 runs done in [\d.]+ s; wrote /);
    const csv = readFileSync(join(dir, 'out', 'tiny.csv'), 'utf8');
    const rows = outcomeRows(csv);
    assert.equal(rows.length, 8);
    assert.deepEqual(
      rows.map((r) => `${r.k} ${r.sessions} ${r.seed}`),
      ['4 exp:5m 1', '4 exp:5m 2', '4 exp:30m 1', '4 exp:30m 2', '20 exp:5m 1', '20 exp:5m 2', '20 exp:30m 1', '20 exp:30m 2'],
    );
    for (const r of rows) {
      assert.equal(r.error, '');
      assert.ok(Number(r.lookups) > 500 && Number(r.messages_per_node_s) > 0, JSON.stringify(r));
    }
    // churn five times faster: about five times as many leaves per node per hour
    assert.ok(
      Number(rows[0].churn_per_node_h) > 3 * Number(rows[2].churn_per_node_h),
      `${rows[0].churn_per_node_h} vs ${rows[2].churn_per_node_h}`,
    );
    const json = JSON.parse(readFileSync(join(dir, 'out', 'tiny.json'), 'utf8')) as {
      runs: unknown[];
      reports: Array<{ parameters: { k: number; sessions: string } }>;
      hull: string[];
    };
    assert.equal(json.runs.length, 8);
    assert.deepEqual([json.reports[0].parameters.k, json.reports[0].parameters.sessions], [4, 'exp:300000']);
    assert.ok(json.hull.length >= 1);
    const page = await drawn(join(dir, 'out', 'tiny.html'));
    assert.deepEqual(page.fetched, []);
    assert.deepEqual(Object.keys(page.charts).sort(), ['success', 'tradeoff']);
    for (const [name, chart] of Object.entries(page.charts))
      assert.ok(chart.points >= 4 && chart.inked > 500, `${name}: ${JSON.stringify(chart)}`);
    assert.ok(page.tables >= 5, 'a table per setting and one of the runs');

    const again = tempDir('sweep');
    await sweep(again, ['--report', join(again, 'page.html')]);
    assert.deepEqual(outcomeRows(readFileSync(join(again, 'out', 'tiny.csv'), 'utf8')), rows);
    assert.match(readFileSync(join(again, 'page.html'), 'utf8'), /^<!doctype html>/, '--report puts the page where it says');
    assert.equal(existsSync(join(again, 'out', 'tiny.html')), false);
  },
);

test('sweep: a bad experiment file is one line, before any run', async () => {
  const dir = tempDir('sweep');
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'base: { transport: sim, nodes: 100 }\ngrid: { k: [8, zero] }\n');
  const run = CliProcess.spawn(['sweep', file, '--no-progress']);
  assert.equal(await run.exitCode(30_000), 2);
  assert.equal(run.stderr.length, 1);
  assert.match(run.stderr[0], /^kademlia: .*bad\.yaml: k=zero: --k must be/);
  const missing = CliProcess.spawn(['sweep', join(dir, 'none.yaml')]);
  assert.equal(await missing.exitCode(30_000), 2);
  assert.match(missing.stderr[0], /^kademlia: cannot read .*none\.yaml \(ENOENT\)/);
});
