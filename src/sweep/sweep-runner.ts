// Runs a sweep's stress runs as separate processes, `parallel` at a time (one per core by
// default: each run is one thread), and collects their JSON reports. A run that fails is
// recorded with its error; the others go on.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StressReport } from '../stress/report.js';
import type { PhaseProgress } from '../telemetry/phase-progress.js';
import type { SweepRun } from './sweep-file.js';

export interface RunOutcome {
  run: SweepRun;
  /** The run's report, or null when it failed. */
  report: StressReport | null;
  /** Why it failed: its last lines of stderr. */
  error: string | null;
}

/** Runs `cli stress ARGS --json FILE --no-progress` for each run; resolves with every outcome, in run order. */
export async function runSweep(cli: string, runs: readonly SweepRun[], parallel: number, progress: PhaseProgress): Promise<RunOutcome[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kadswarm-sweep-'));
  const outcomes: RunOutcome[] = new Array(runs.length);
  let next = 0;
  let finished = 0;
  progress.start('sweep', runs.length);
  const worker = async () => {
    while (next < runs.length) {
      const run = runs[next++];
      outcomes[run.index] = await runOne(cli, run, join(dir, `run-${run.index}.json`));
      progress.update(++finished);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, runs.length)) }, worker));
  } finally {
    progress.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return outcomes;
}

function runOne(cli: string, run: SweepRun, jsonFile: string): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'stress', ...run.args, '--json', jsonFile, '--no-progress'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.on('error', (error) => resolve({ run, report: null, error: error.message }));
    child.on('exit', (code, signal) => {
      if (code !== 0) {
        const last = stderr.trim().split('\n').slice(-3).join(' | ');
        return resolve({ run, report: null, error: `exit ${code ?? signal}${last ? `: ${last}` : ''}` });
      }
      try {
        resolve({ run, report: JSON.parse(readFileSync(jsonFile, 'utf8')) as StressReport, error: null });
      } catch (error) {
        resolve({ run, report: null, error: `no report: ${(error as Error).message}` });
      }
    });
  });
}
