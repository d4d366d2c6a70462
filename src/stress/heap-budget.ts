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

/**
 * Peak RSS per simulated node, with headroom: the million-node run peaked at 13,791 MB
 * (14.1 KB per node, everything included). What a run of N nodes needs in all, to refuse up front one that cannot
 * fit: a run past the machine's memory would die of "heap out of memory" half way.
 */
const PEAK_BYTES_PER_NODE = 16 * 1024;
const BASE_RSS_BYTES = 512 * 1024 * 1024;

/**
 * What each thread past the first adds to a simulation's memory, as a share of one
 * thread's: every thread keeps its own arena of the contacts its nodes know. Measured at
 * 100,000 nodes: 2,402 MB on 2 threads against 1,415-1,449 MB on one (1.66-1.70x).
 */
const PER_EXTRA_THREAD = 0.7;

const bytesPerNode = (threads: number) => PEAK_BYTES_PER_NODE * (1 + PER_EXTRA_THREAD * (threads - 1));

export function memoryNeededMb(nodes: number, threads = 1): number {
  return Math.ceil((BASE_RSS_BYTES + nodes * bytesPerNode(threads)) / MB);
}

/** The most simulated nodes (in thousands) a machine with `machineMb` of memory can hold on `threads` threads. */
export function simulationCapacity(machineMb = totalmem() / MB, threads = 1): number {
  const usable = Math.floor(machineMb * MACHINE_SHARE);
  return Math.max(0, Math.floor((usable * MB - BASE_RSS_BYTES) / bytesPerNode(threads) / 1000) * 1000);
}

/** Whether a simulation of `nodes` on `threads` threads fits in this machine's memory. */
export function fitsInMemory(nodes: number, threads = 1, machineMb = totalmem() / MB): boolean {
  return memoryNeededMb(nodes, threads) <= Math.floor(machineMb * MACHINE_SHARE);
}

/** Throws, naming the limit and the way out, when a simulation of `nodes` on `threads` threads cannot fit in this machine's memory. */
export function checkMemoryBudget(nodes: number, machineMb = totalmem() / MB, threads = 1): void {
  if (fitsInMemory(nodes, threads, machineMb)) return;
  const needed = memoryNeededMb(nodes, threads);
  const most = simulationCapacity(machineMb, threads);
  const split = threads > 1 ? ` on ${threads} threads (each keeps its own contacts; fewer threads need less)` : '';
  throw new Error(
    `--nodes ${nodes} needs about ${needed.toLocaleString('en-US')} MB for one simulation${split} (${Number((bytesPerNode(threads) / 1024).toFixed(1))} KB per node) ` +
      `but this machine has ${Math.round(machineMb).toLocaleString('en-US')} MB; simulate at most ${most.toLocaleString('en-US')} nodes here, or use a machine with more memory`,
  );
}

/** The --max-old-space-size to restart with, or null when the current cap will do (or this is the restart). */
export function heapToRequestMb(
  nodes: number,
  limitMb = heapLimitMb(),
  machineMb = totalmem() / MB,
  respawned = process.env[RESPAWN_ENV] === '1',
): number | null {
  const needed = heapNeededMb(nodes);
  if (respawned || needed <= limitMb) return null;
  const ceiling = Math.floor(machineMb * MACHINE_SHARE);
  return ceiling > limitMb ? Math.min(needed, ceiling) : null;
}

/**
 * The young generation's semi-space of a restarted (large) run, in MB. Every scavenge also
 * walks the old generation's pages that point into the young one, so with gigabytes of
 * old generation fewer, larger scavenges pay: 100,000 sim nodes took 276.4 s at 256 MB
 * against 317.8 s at 64 MB (one core each, back to back), at 1,786 against 1,466 MB peak.
 * Runs that fit V8's default cap keep the executable's 64 MB, for the 2 GB budget at
 * 100,000 nodes; a run that needs the restart needs gigabytes anyway.
 */
export const LARGE_RUN_SEMI_SPACE_MB = 256;

/**
 * Runs this same command again in a child with a heap cap of `heapMb`, passing stdio
 * through and SIGINT/SIGTERM on; resolves with the child's exit code.
 */
export function rerunWithHeap(heapMb: number): Promise<number> {
  process.stderr.write(
    `kademlia: restarting with a ${heapMb.toLocaleString('en-US')} MB heap cap (V8's default, ${heapLimitMb().toLocaleString('en-US')} MB, is too small for this run)\n`,
  );
  const ours = (a: string) => a.startsWith('--max-old-space-size') || a.startsWith('--max-semi-space-size');
  const args = [
    ...process.execArgv.filter((a) => !ours(a)),
    `--max-old-space-size=${heapMb}`,
    `--max-semi-space-size=${LARGE_RUN_SEMI_SPACE_MB}`,
    ...process.argv.slice(1),
  ];
  const nodeOptions = (process.env.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter((o) => o && !ours(o))
    .join(' ');
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: nodeOptions, [RESPAWN_ENV]: '1' } });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
