// The shared control block of a simulation split over threads: a barrier, what thread 0
// (the driver) tells the others to do next, and what each thread reports back.
import { BUCKETS_COUNTED, RPC_TOTAL_FIELDS } from './swarm.js';

const COUNT = 0;
const GENERATION = 1;
const MODE = 2;
const FAILED = 3;
/** A failed thread's message, after the Int32 fields. */
const FAILURE_AT = 16;
const FAILURE_BYTES = 496;
/** Float64 fields after those. */
const FLOATS_AT = FAILURE_AT + FAILURE_BYTES;
const WINDOW_END = 0;
/**
 * A thread's traffic record (SimShare.traffic): datagrams sent and lost, its RpcTotals
 * (RPC_TOTAL_FIELDS, from RPC_AT), then its census from CENSUS_AT: nodes running,
 * contacts, contacts per bucket.
 */
export const RPC_AT = 2;
export const CENSUS_AT = RPC_AT + RPC_TOTAL_FIELDS.length;
/** Per thread: the earliest event it knows of, then its traffic record. */
const PER_THREAD = 1 + CENSUS_AT + 2 + BUCKETS_COUNTED;
const NEXT_AT = 0;
const TRAFFIC = 1;
/** Spins before sleeping on the barrier: a window is often shorter than a futex round trip. */
const SPINS = 2000;

export type Mode = 'run' | 'gather' | 'stop';
const MODES: Mode[] = ['run', 'gather', 'stop'];

export class SimControl {
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly threads: number,
  ) {
    this.ints = new Int32Array(buffer, 0, FAILURE_AT / 4);
    this.floats = new Float64Array(buffer, FLOATS_AT);
  }

  static create(threads: number): SimControl {
    return new SimControl(new SharedArrayBuffer(FLOATS_AT + 8 * (1 + PER_THREAD * threads)), threads);
  }

  /** Waits until every thread has arrived; the last to arrive wakes the others. */
  arrive(): void {
    const ints = this.ints;
    const generation = Atomics.load(ints, GENERATION);
    if (Atomics.add(ints, COUNT, 1) === this.threads - 1) {
      Atomics.store(ints, COUNT, 0);
      Atomics.add(ints, GENERATION, 1);
      Atomics.notify(ints, GENERATION);
      return;
    }
    for (let spin = 0; spin < SPINS; spin++) if (Atomics.load(ints, GENERATION) !== generation) return;
    while (Atomics.load(ints, GENERATION) === generation) Atomics.wait(ints, GENERATION, generation);
  }

  /** A worker that can no longer take part: the driver reads it after the next barrier. */
  fail(message: string): void {
    const bytes = new TextEncoder().encode(message).subarray(0, FAILURE_BYTES - 4);
    new DataView(this.buffer).setUint32(FAILURE_AT, bytes.length, true);
    new Uint8Array(this.buffer, FAILURE_AT + 4, bytes.length).set(bytes);
    Atomics.store(this.ints, FAILED, 1);
  }

  /** What a failed worker said, or null. */
  get failure(): string | null {
    if (Atomics.load(this.ints, FAILED) === 0) return null;
    const length = new DataView(this.buffer).getUint32(FAILURE_AT, true);
    return new TextDecoder().decode(new Uint8Array(this.buffer, FAILURE_AT + 4, length).slice());
  }

  /** Thread 0: what the next round is (before the barrier that starts it). */
  order(mode: Mode, windowEnd: number): void {
    this.floats[WINDOW_END] = windowEnd;
    Atomics.store(this.ints, MODE, MODES.indexOf(mode));
  }

  get mode(): Mode {
    return MODES[Atomics.load(this.ints, MODE)];
  }

  get windowEnd(): number {
    return this.floats[WINDOW_END];
  }

  /** A thread's report for the round (before the barrier that ends it). */
  report(thread: number, nextAt: number, traffic: readonly number[]): void {
    const base = 1 + thread * PER_THREAD;
    this.floats[base + NEXT_AT] = nextAt;
    for (let k = 0; k < traffic.length; k++) this.floats[base + TRAFFIC + k] = traffic[k];
  }

  nextAt(thread: number): number {
    return this.floats[1 + thread * PER_THREAD + NEXT_AT];
  }

  /** Thread t's traffic counter k (as reported). */
  traffic(thread: number, k: number): number {
    return this.floats[1 + thread * PER_THREAD + TRAFFIC + k];
  }
}
