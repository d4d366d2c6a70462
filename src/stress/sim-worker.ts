// A worker thread of a simulation split over threads: it hosts one SimShare and runs the
// rounds thread 0 orders, in lockstep through the control block's barrier.
import { parentPort, workerData } from 'node:worker_threads';
import { SimControl } from './sim-control.js';
import { type ShareQueues, SimShare, type SimShareSetup } from './sim-share.js';

export interface SimWorkerData {
  setup: SimShareSetup;
  queues: ShareQueues;
  control: SharedArrayBuffer;
}

const data = workerData as SimWorkerData;
const port = parentPort!;
let share: SimShare;
try {
  share = new SimShare(data.setup, data.queues);
} catch (error) {
  port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
const control = new SimControl(data.control, data.setup.threads);
port.postMessage({ type: 'ready' });

const thread = data.setup.thread;
let failed = false;
for (;;) {
  control.arrive(); // thread 0 has said what this round is
  const mode = control.mode;
  if (mode === 'stop') break;
  // after a failure, keep to the barriers (thread 0 waits on them) until told to stop
  if (!failed) {
    try {
      share.receive(share.currentRound);
      share.beginRound();
      if (mode === 'run') share.clock.runBefore(control.windowEnd);
      share.publishRound();
      control.report(thread, Math.min(share.clock.nextAt(), share.earliestOut), share.traffic(mode === 'gather'));
    } catch (error) {
      failed = true;
      control.fail(`simulation thread ${thread} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  control.arrive();
}
for (const node of share.nodes) node.stop();
port.postMessage({ type: 'stopped' });
