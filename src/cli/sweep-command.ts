// `kademlia sweep FILE`: runs an experiment file's grid of stress runs over the cores, in
// separate processes, and writes NAME.csv and NAME.json (a row per run) and NAME.html (the
// settings compared).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, numberFlag } from './flags.js';
import { readInputFile } from './input-file.js';
import { UsageError } from './usage-error.js';
import { parseStressArgs } from './stress-command.js';
import { parseSweepFile, type SweepPlan } from '../sweep/sweep-file.js';
import { runSweep } from '../sweep/sweep-runner.js';
import { FIGURES, lowerHull, settingSummaries, sweepCsv, sweepRows } from '../sweep/sweep-results.js';
import { createProgress } from '../stress/progress.js';
import { selfContainedPage } from '../stress/html-report.js';
import { packageVersion } from '../util/version.js';

export const SWEEP_HELP = `Usage: kademlia sweep FILE [options]
  Runs a grid of stress runs from an experiment file (JSON or YAML), each in a process of
  its own, and writes a row per run as CSV and JSON, and a page comparing the settings.

  The file:
    name: k-against-churn                  # names the output files (default "sweep")
    base: { transport: sim, nodes: 3000, duration: 2h, lookup-interval: 10m }
    grid: { k: [8, 20], sessions: [exp:30m, exp:1h] }   # every combination runs
    seeds: [1, 2, 3]                       # or repetitions: 3 (seeds 1, 2, 3)
  base and grid take any flag of "kademlia stress" that takes a value (without the
  dashes), except seed, json, csv, report and http. Each run gets --threads 1 unless
  the file says otherwise.

  --out DIR        where NAME.csv, NAME.json and NAME.html go (default: the current folder)
  --report FILE    where the page goes instead (default DIR/NAME.html)
  --parallel P     runs at once (default: the number of cores, ${availableParallelism()} here)
  --no-progress    no progress bar`;

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

function readPlan(file: string): SweepPlan {
  const text = readInputFile(file);
  let plan: SweepPlan;
  try {
    plan = parseSweepFile(text, file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const threaded = 'threads' in plan.base || plan.axes.includes('threads');
  for (const run of plan.runs) {
    if (!threaded) run.args.push('--threads', '1');
    // every run's flags as the stress command reads them: a bad value stops the sweep before any run starts
    try {
      parseStressArgs(run.args);
    } catch (error) {
      throw new UsageError(`${file}: ${plan.points[run.point].label}: ${(error as Error).message}`);
    }
  }
  return plan;
}

export async function runSweepCommand(args: string[]): Promise<void> {
  // the file first, then the flags
  const experimentFile = args[0]?.startsWith('-') === false ? args[0] : undefined;
  const flags = experimentFile === undefined ? args : args.slice(1);
  const values = parseFlags(flags, {
    out: { type: 'string' },
    parallel: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${SWEEP_HELP}\n`);
    return;
  }
  if (experimentFile === undefined) throw new UsageError('sweep takes an experiment file: kademlia sweep FILE [options]');
  const plan = readPlan(experimentFile);
  const parallel = numberFlag(
    'parallel',
    values.parallel,
    availableParallelism(),
    (v) => Number.isInteger(v) && v >= 1 && v <= 64,
    'an integer from 1 to 64',
  );
  const out = values.out ?? '.';
  mkdirSync(out, { recursive: true });
  const started = performance.now();
  process.stderr.write(
    `sweep ${plan.name}: ${plan.points.length} settings x ${plan.seeds.length} seeds = ${plan.runs.length} runs, ${parallel} at a time\n`,
  );
  const outcomes = await runSweep(CLI, plan.runs, parallel, createProgress(!values['no-progress']));
  const rows = sweepRows(plan, outcomes);
  const settings = settingSummaries(plan, rows);
  const done = settings.filter((s) => s.mean !== null);
  const hull = lowerHull(done.map((s) => [s.mean!.bytes_per_node_s, s.mean!.lookup_ms_p50])).map((i) => done[i].setting);
  const result = {
    name: plan.name,
    version: packageVersion(),
    base: plan.base,
    axes: plan.axes,
    seeds: plan.seeds,
    /** The figures of a row, in order. */
    figures: FIGURES,
    settings,
    hull,
    runs: rows,
  };
  const file = (ext: string) => join(out, `${plan.name}.${ext}`);
  writeFileSync(file('csv'), sweepCsv(plan, rows));
  writeFileSync(file('json'), `${JSON.stringify({ ...result, reports: outcomes.map((o) => o.report) }, null, 2)}\n`);
  const page = values.report ?? file('html');
  writeFileSync(page, selfContainedPage(`kadswarm sweep: ${plan.name}`, result, 'sweep'));
  const failed = rows.filter((row) => row.error !== null);
  process.stdout.write(
    `sweep ${plan.name}: ${rows.length - failed.length} of ${rows.length} runs done in ${((performance.now() - started) / 1000).toFixed(1)} s; wrote ${file('csv')}, ${file('json')}, ${page}\n`,
  );
  for (const row of failed) process.stdout.write(`  run ${row.run} (${row.setting}, seed ${row.seed}) failed: ${row.error}\n`);
  if (failed.length > 0) process.exitCode = 1;
}
