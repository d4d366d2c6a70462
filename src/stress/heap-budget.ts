// V8 caps its heap at ~4 GB by default, whatever the machine has: enough for ~150,000
// simulated nodes, not for a million. A run that needs more restarts itself once with a
// larger cap (within the machine's memory), rather than dying of "heap out of memory"
// half way through.
import { spawn } from 'node:child_process';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';

/** Peak heap per simulated node, measured at 100,000 nodes (with headroom), plus a base. */
const HEAP_BYTES_PER_NODE = 24 * 1024;
const BASE_HEAP_BYTES = 512 * 1024 * 1024;
/** Never ask for more than this share of the machine's memory. */
const MACHINE_SHARE = 0.85;
/** Set in the restarted process, so it never restarts again. */
export const RESPAWN_ENV = 'KADEMLIA_HEAP_RESPAWNED';

const MB = 1024 * 1024;

export function heapNeededMb(nodes: number): number {
  return Math.ceil((BASE_HEAP_BYTES + nodes * HEAP_BYTES_PER_NODE) / MB);
}

export function heapLimitMb(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / MB);
}

/** The --max-old-space-size to restart with, or null when the current cap will do (or this is the restart). */
export function heapToRequestMb(nodes: number, limitMb = heapLimitMb(), machineMb = totalmem() / MB, respawned = process.env[RESPAWN_ENV] === '1'): number | null {
  const needed = heapNeededMb(nodes);
  if (respawned || needed <= limitMb) return null;
  const ceiling = Math.floor(machineMb * MACHINE_SHARE);
  return ceiling > limitMb ? Math.min(needed, ceiling) : null;
}

/**
 * Runs this same command again in a child with a heap cap of `heapMb`, passing stdio
 * through and SIGINT/SIGTERM on; resolves with the child's exit code.
 */
export function rerunWithHeap(heapMb: number): Promise<number> {
  process.stderr.write(`kademlia: restarting with a ${heapMb.toLocaleString('en-US')} MB heap cap (V8's default, ${heapLimitMb().toLocaleString('en-US')} MB, is too small for this run)\n`);
  const args = [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), `--max-old-space-size=${heapMb}`, ...process.argv.slice(1)];
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o && !o.startsWith('--max-old-space-size')).join(' ');
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions, [RESPAWN_ENV]: '1' } });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
