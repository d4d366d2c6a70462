// Small statistics helpers: percentiles, and the process's peak memory.
import { readFileSync } from 'node:fs';

/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function ascending(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Peak resident set size in MB: the kernel's high-water mark where there is one. */
export function peakRssMb(sampledPeakBytes: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Math.round(Number(hwm[1]) / 1024);
  } catch {
    // not Linux: use what we sampled
  }
  return Math.round(sampledPeakBytes / 1024 / 1024);
}
