// An open-addressing hash index from keys to slot numbers (linear probing, backward-shift
// deletion), for stores that keep their keys in typed arrays by slot. The index holds
// only slot numbers: the owner hashes a slot's key (`hashOf`) and compares keys itself
// when it walks a probe chain from start(hash).
export const EMPTY = -1;

export class SlotHash {
  /** Slot per position, EMPTY where free. Walk a chain from start(h) until EMPTY. */
  table: Int32Array;
  mask: number;

  constructor(
    capacity: number,
    private readonly hashOf: (slot: number) => number,
  ) {
    this.table = new Int32Array(roundUpToPowerOfTwo(capacity)).fill(EMPTY);
    this.mask = this.table.length - 1;
  }

  /** Where the probe chain for `hash` begins. */
  start(hash: number): number {
    return hash & this.mask;
  }

  place(slot: number): void {
    const { table, mask } = this;
    let p = this.hashOf(slot) & mask;
    while (table[p] !== EMPTY) p = (p + 1) & mask;
    table[p] = slot;
  }

  /** Removes a slot; backward-shift deletion keeps probe chains whole. */
  unplace(slot: number): void {
    const { table, mask } = this;
    let hole = this.hashOf(slot) & mask;
    while (table[hole] !== slot) hole = (hole + 1) & mask;
    table[hole] = EMPTY;
    for (let q = (hole + 1) & mask; table[q] !== EMPTY; q = (q + 1) & mask) {
      const home = this.hashOf(table[q]) & mask;
      // move it back into the hole unless its home lies cyclically in (hole, q]
      const stays = hole < q ? home > hole && home <= q : home > hole || home <= q;
      if (!stays) {
        table[hole] = table[q];
        table[q] = EMPTY;
        hole = q;
      }
    }
  }

  /** Keeps the table at most half full: call with the count after an insert. */
  fit(count: number, liveSlots: () => Iterable<number>): void {
    if (count * 2 <= this.table.length) return;
    this.table = new Int32Array(this.table.length * 2).fill(EMPTY);
    this.mask = this.table.length - 1;
    for (const slot of liveSlots()) this.place(slot);
  }

  get byteLength(): number {
    return this.table.byteLength;
  }
}

function roundUpToPowerOfTwo(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
