// Random streams, one per actor of a virtual clock: a simulated node's draws (its id,
// request ids, timer phases, the latency of what it sends) come from a stream of its own,
// so they do not depend on what other nodes drew before them, or on which thread they live in.
import type { VirtualClock } from './virtual-clock.js';
import { grown } from '../util/grown.js';
import { mulberry32Output, mulberry32Step, Random32 } from '../util/random.js';

/** Where actor a's stream starts, for a run seeded `seed` (a SplitMix32-style mix: nearby inputs give unrelated states). */
export function streamStart(seed: number, actor: number): number {
  let h = (seed ^ Math.imul(actor + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A RandomSource that draws from the stream of the clock's current actor (mulberry32, as
 * SeededRandom): one object shared by every node, its states one typed-array column.
 */
export class ActorRandom extends Random32 {
  private states = new Uint32Array(0);

  constructor(
    private readonly seed: number,
    private readonly clock: VirtualClock,
  ) {
    super();
  }

  next32(): number {
    const actor = this.clock.actor;
    if (actor >= this.states.length) this.grow(actor + 1);
    const state = mulberry32Step(this.states[actor]);
    this.states[actor] = state;
    return mulberry32Output(state);
  }

  private grow(size: number): void {
    const from = this.states.length;
    this.states = grown(this.states, Math.max(size, from * 2, 64));
    for (let a = from; a < this.states.length; a++) this.states[a] = streamStart(this.seed, a);
  }
}
