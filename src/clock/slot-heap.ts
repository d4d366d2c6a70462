// A binary min-heap of (time, actor, seq, sink, slot) entries in typed arrays: what a
// virtual clock runs for sinks that keep their events as records (a simulated network's
// datagrams in flight), so scheduling one makes no object. In the clock's order (precedes).
import { grown } from '../util/grown.js';
import { precedes } from './event-heap.js';

export class SlotHeap {
  private at = new Float64Array(64);
  private actors = new Int32Array(64);
  private seqs = new Float64Array(64);
  private sinks = new Int32Array(64);
  private slots = new Int32Array(64);
  size = 0;

  /** Time of the earliest entry (only when size > 0). */
  get headAt(): number {
    return this.at[0];
  }

  get headActor(): number {
    return this.actors[0];
  }

  get headSeq(): number {
    return this.seqs[0];
  }

  get headSink(): number {
    return this.sinks[0];
  }

  get headSlot(): number {
    return this.slots[0];
  }

  push(at: number, actor: number, seq: number, sink: number, slot: number): void {
    if (this.size === this.at.length) {
      const size = this.size * 2;
      this.at = grown(this.at, size);
      this.actors = grown(this.actors, size);
      this.seqs = grown(this.seqs, size);
      this.sinks = grown(this.sinks, size);
      this.slots = grown(this.slots, size);
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (precedes(this.at[parent], this.actors[parent], this.seqs[parent], at, actor, seq)) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, at, actor, seq, sink, slot);
  }

  /** Removes the earliest entry (read it first with the head getters). */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const at = this.at[n];
    const actor = this.actors[n];
    const seq = this.seqs[n];
    const sink = this.sinks[n];
    const slot = this.slots[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && precedes(this.at[right], this.actors[right], this.seqs[right], this.at[child], this.actors[child], this.seqs[child]))
        child = right;
      if (precedes(at, actor, seq, this.at[child], this.actors[child], this.seqs[child])) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, at, actor, seq, sink, slot);
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from];
    this.actors[to] = this.actors[from];
    this.seqs[to] = this.seqs[from];
    this.sinks[to] = this.sinks[from];
    this.slots[to] = this.slots[from];
  }

  private set(i: number, at: number, actor: number, seq: number, sink: number, slot: number): void {
    this.at[i] = at;
    this.actors[i] = actor;
    this.seqs[i] = seq;
    this.sinks[i] = sink;
    this.slots[i] = slot;
  }
}
