// One progress bar per phase on stderr, only when stderr is a terminal.
import cliProgress from 'cli-progress';
import { type PhaseProgress, silentProgress } from '../telemetry/phase-progress.js';

export function createProgress(enabled: boolean): PhaseProgress {
  if (!enabled || !process.stderr.isTTY) return silentProgress;
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(phase, total) {
      bar = new cliProgress.SingleBar(
        {
          format: `${phase.padEnd(6)} [{bar}] {value}/{total} {percentage}% {duration_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
