// What a running node or swarm has done, for the gateway: the phase of a stress run and
// its progress, and the latency and hop count of every get. Recent latencies are kept in
// fixed rings (percentiles, CDFs); all of them also go to Prometheus histograms.
import { Histogram, Registry } from 'prom-client';
import type { PhaseProgress } from './phase-progress.js';
import { percentile } from '../util/stats.js';
import { refuseUnknownOptions } from '../util/options.js';

/** Latencies kept per kind (hit, miss) for percentiles and CDFs. */
const RECENT_SAMPLES = 4096;
/** Hop counts above this are counted in the last bin. */
export const MAX_HOPS_BIN = 16;

export interface PhaseState {
  /** 'starting', a stress phase (join, store, churn, get, misses), 'serving' or 'done'. */
  name: string;
  done: number;
  total: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

/** A ring of the most recent samples. */
class RecentSamples {
  private readonly values = new Float64Array(RECENT_SAMPLES);
  private next = 0;
  count = 0;

  add(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % RECENT_SAMPLES;
    this.count++;
  }

  /** Ascending. */
  sorted(): Float64Array {
    return this.values.slice(0, Math.min(this.count, RECENT_SAMPLES)).sort();
  }
}

/** How get latencies are timed: real time, or a simulation's virtual clock. */
export type TimeBasis = 'wall' | 'virtual';

export interface TelemetryOptions {
  /** 'virtual' for a simulation: its latencies are simulated time (default 'wall'). */
  timeBasis?: TimeBasis;
}

export class Telemetry {
  readonly registry = new Registry();
  readonly timeBasis: TimeBasis;
  private readonly getSeconds = new Histogram({
    name: 'kadswarm_get_duration_seconds',
    help: 'Time to answer a get, by result (hit or miss); clock="virtual" in a simulation, where the seconds are simulated time.',
    labelNames: ['result', 'clock'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly getHops = new Histogram({
    name: 'kadswarm_get_hops',
    help: 'Rounds of the iterative lookup behind a get (0 = answered locally).',
    buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 16],
    registers: [this.registry],
  });
  private readonly hitSeconds;
  private readonly missSeconds;
  private readonly hits = new RecentSamples();
  private readonly misses = new RecentSamples();
  /** hopCounts[h] = gets answered after h rounds (the last bin: MAX_HOPS_BIN or more). */
  readonly hopCounts: number[] = new Array(MAX_HOPS_BIN + 1).fill(0);
  private state: PhaseState = { name: 'starting', done: 0, total: 0 };
  private readonly phaseListeners: Array<(phase: PhaseState) => void> = [];

  constructor(options: TelemetryOptions = {}) {
    refuseUnknownOptions(options, ['timeBasis'] satisfies Array<keyof TelemetryOptions>, 'telemetry option');
    const timeBasis = options.timeBasis ?? 'wall';
    if (timeBasis !== 'wall' && timeBasis !== 'virtual')
      throw new RangeError(`timeBasis must be "wall" or "virtual" (got ${String(timeBasis)})`);
    this.timeBasis = timeBasis;
    this.hitSeconds = this.getSeconds.labels({ result: 'hit', clock: timeBasis });
    this.missSeconds = this.getSeconds.labels({ result: 'miss', clock: timeBasis });
  }

  /** One get: how long it took (ms), its lookup rounds, and whether a value came back. */
  recordGet(ms: number, hops: number, found: boolean): void {
    (found ? this.hits : this.misses).add(ms);
    this.hopCounts[Math.min(hops, MAX_HOPS_BIN)]++;
    (found ? this.hitSeconds : this.missSeconds).observe(ms / 1000);
    this.getHops.observe(hops);
  }

  latency(kind: 'hit' | 'miss'): LatencySummary {
    const recent = kind === 'hit' ? this.hits : this.misses;
    const sorted = recent.sorted();
    const at = (p: number) => Math.round(percentile(sorted, p) * 100) / 100;
    return { count: recent.count, p50: at(50), p90: at(90), p99: at(99) };
  }

  /** Hit and miss CDFs over recent gets, on one shared grid of `points` latencies (ms). */
  latencyCdf(points = 50): { ms: number[]; hit: number[]; miss: number[] } {
    const hits = this.hits.sorted();
    const misses = this.misses.sorted();
    const top = Math.max(hits[hits.length - 1] ?? 0, misses[misses.length - 1] ?? 0);
    if (top === 0) return { ms: [], hit: [], miss: [] };
    const ms = Array.from({ length: points }, (_, i) => Math.round(((top * (i + 1)) / points) * 1000) / 1000);
    const fraction = (sorted: Float64Array, x: number) => (sorted.length === 0 ? 0 : countAtMost(sorted, x) / sorted.length);
    return { ms, hit: ms.map((x) => fraction(hits, x)), miss: ms.map((x) => fraction(misses, x)) };
  }

  get phase(): PhaseState {
    return { ...this.state };
  }

  /** Sets the phase (and its size); listeners hear every change of name. */
  setPhase(name: string, total = 0): void {
    this.state = { name, done: 0, total };
    for (const listener of this.phaseListeners) listener(this.phase);
  }

  onPhase(listener: (phase: PhaseState) => void): void {
    this.phaseListeners.push(listener);
  }

  /** A PhaseProgress that reports here, and to `also` (the terminal's progress bars). */
  progress(also: PhaseProgress): PhaseProgress {
    return {
      start: (phase, total) => {
        this.setPhase(phase, total);
        also.start(phase, total);
      },
      update: (done) => {
        this.state.done = done;
        also.update(done);
      },
      stop: () => also.stop(),
    };
  }
}

/** How many of the ascending `sorted` are <= x (binary search). */
function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
