// Keeps the `capacity` ids nearest to a target, sorted ascending by XOR distance.
// Each entry keeps only the first 32 bits of its distance (which decide nearly every
// comparison) and where its id bytes are; the other 128 bits are compared from the
// bytes only on a tie. Equal distances keep the entry offered first, so scanning in
// index order gives "lower index first". Capacity is small (k ~ 20), where insertion
// into a sorted array beats a heap.
export class TopK {
  private heads = new Uint32Array(0);
  private offsets = new Uint32Array(0);
  private capacity = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private target: Uint8Array = new Uint8Array(20);
  private results: Uint32Array = new Uint32Array(0);
  private resultsOffset = 0;
  size = 0;

  /**
   * Starts a query: ids live in `bytes`, results go to results[resultsOffset ..]
   * (at most `capacity` of them).
   */
  reset(capacity: number, bytes: Uint8Array, target: Uint8Array, results: Uint32Array, resultsOffset: number): void {
    if (this.heads.length < capacity) {
      this.heads = new Uint32Array(capacity);
      this.offsets = new Uint32Array(capacity);
    }
    this.capacity = capacity;
    this.bytes = bytes;
    this.target = target;
    this.results = results;
    this.resultsOffset = resultsOffset;
    this.size = 0;
  }

  /** Offers the id at bytes[offset..offset+20) under result value `index`. */
  offer(offset: number, index: number): void {
    const capacity = this.capacity;
    if (capacity === 0) return;
    const bytes = this.bytes;
    const t = this.target;
    const head =
      (((bytes[offset] ^ t[0]) << 24) |
        ((bytes[offset + 1] ^ t[1]) << 16) |
        ((bytes[offset + 2] ^ t[2]) << 8) |
        (bytes[offset + 3] ^ t[3])) >>>
      0;
    const heads = this.heads;
    let size = this.size;
    if (size === capacity) {
      const worst = heads[size - 1];
      if (head > worst || (head === worst && !this.tailLess(offset, this.offsets[size - 1]))) return;
      size--;
    }
    const offsets = this.offsets;
    const results = this.results;
    const base = this.resultsOffset;
    let pos = size;
    while (pos > 0 && (head < heads[pos - 1] || (head === heads[pos - 1] && this.tailLess(offset, offsets[pos - 1])))) {
      heads[pos] = heads[pos - 1];
      offsets[pos] = offsets[pos - 1];
      results[base + pos] = results[base + pos - 1];
      pos--;
    }
    heads[pos] = head;
    offsets[pos] = offset;
    results[base + pos] = index;
    this.size = size + 1;
  }

  /** Whether distance bytes 4..19 of the id at `a` are below those of the id at `b`. */
  private tailLess(a: number, b: number): boolean {
    const bytes = this.bytes;
    const t = this.target;
    for (let i = 4; i < 20; i++) {
      const da = bytes[a + i] ^ t[i];
      const db = bytes[b + i] ^ t[i];
      if (da !== db) return da < db;
    }
    return false;
  }
}
