// Which thread of a split simulation hosts which node. Where a node lives changes nothing
// in the run's outcome (see sim-swarm.ts), only how evenly the threads are loaded: node 0,
// the entry point, answers every joiner first and runs every lookup of the read phase, so
// thread 0, which hosts it and the driver, takes fewer of the other nodes.

/** The part of an even share of nodes that thread 0 leaves to the others. */
export const ENTRY_THREAD_SHEDS = 0.15;

/** The golden ratio's fractional part: consecutive nodes land evenly spread over the weights. */
const SPREAD = 0.6180339887498949;

export class Placement {
  /** Per node, its thread. */
  private readonly threadOf: Uint8Array;
  /** Per node, its place among its thread's nodes. */
  private readonly indexOf: Int32Array;
  /** Nodes each thread hosts. */
  readonly counts: number[];

  constructor(
    readonly nodes: number,
    readonly threads: number,
    sheds = ENTRY_THREAD_SHEDS,
  ) {
    if (threads > 255) throw new RangeError('at most 255 threads');
    this.threadOf = new Uint8Array(nodes);
    this.indexOf = new Int32Array(nodes);
    this.counts = new Array<number>(threads).fill(0);
    const first = threads === 1 ? 1 : 1 - sheds;
    const total = first + threads - 1;
    for (let i = 0; i < nodes; i++) {
      let thread = 0;
      if (i > 0) {
        const u = ((i * SPREAD) % 1) * total;
        thread = u < first ? 0 : Math.min(threads - 1, 1 + Math.floor(u - first));
      }
      this.threadOf[i] = thread;
      this.indexOf[i] = this.counts[thread]++;
    }
  }

  thread(i: number): number {
    return this.threadOf[i];
  }

  /** Node i's place among its thread's nodes. */
  index(i: number): number {
    return this.indexOf[i];
  }
}
