// Keeps the `capacity` smallest (distance, index) pairs offered, sorted ascending.
// Distances are five big-endian 32-bit words so they compare with integer ops.
// Ties keep the pair offered first: scanning in index order gives "lower index first".
// Capacity is small (k ~ 20), where insertion into a sorted array beats a heap.
export class TopK {
  readonly keys: Uint32Array;
  size = 0;

  constructor(
    readonly capacity: number,
    readonly indices: Uint32Array,
    readonly indicesOffset = 0,
  ) {
    this.keys = new Uint32Array(capacity * 5);
  }

  reset(): void {
    this.size = 0;
  }

  /** True when a distance whose first word is d0 cannot enter: skip the other words. */
  rejects(d0: number): boolean {
    return this.size === this.capacity && (this.capacity === 0 || d0 > this.keys[(this.capacity - 1) * 5]);
  }

  offer(d0: number, d1: number, d2: number, d3: number, d4: number, index: number): void {
    const keys = this.keys;
    const indices = this.indices;
    const base = this.indicesOffset;
    let size = this.size;
    if (this.capacity === 0) return;
    if (size === this.capacity) {
      if (!lessThan(d0, d1, d2, d3, d4, keys, (size - 1) * 5)) return;
      size--;
    }
    let pos = size;
    while (pos > 0 && lessThan(d0, d1, d2, d3, d4, keys, (pos - 1) * 5)) {
      const to = pos * 5;
      keys[to] = keys[to - 5];
      keys[to + 1] = keys[to - 4];
      keys[to + 2] = keys[to - 3];
      keys[to + 3] = keys[to - 2];
      keys[to + 4] = keys[to - 1];
      indices[base + pos] = indices[base + pos - 1];
      pos--;
    }
    const at = pos * 5;
    keys[at] = d0;
    keys[at + 1] = d1;
    keys[at + 2] = d2;
    keys[at + 3] = d3;
    keys[at + 4] = d4;
    indices[base + pos] = index;
    this.size = size + 1;
  }
}

function lessThan(d0: number, d1: number, d2: number, d3: number, d4: number, keys: Uint32Array, at: number): boolean {
  if (d0 !== keys[at]) return d0 < keys[at];
  if (d1 !== keys[at + 1]) return d1 < keys[at + 1];
  if (d2 !== keys[at + 2]) return d2 < keys[at + 2];
  if (d3 !== keys[at + 3]) return d3 < keys[at + 3];
  return d4 < keys[at + 4];
}
