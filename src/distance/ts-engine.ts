// The pure-TypeScript backend: the reference the native addon must match bit for bit.
import { ID_BYTES } from '../id/id.js';
import { prefixLengthAt } from '../id/prefix.js';
import { TABLE_COUNTS_BYTE, TABLE_HEADER_WORDS, TABLE_SELF_WORD, TABLE_SIZE_WORD } from '../routing/table-layout.js';
import type { DistanceEngine } from './engine.js';
import { TopK } from './top-k.js';
import { assertCount, assertId, assertPackedIds, assertUint8Array } from './validate.js';

// Above this k, insertion into a sorted top-k costs more than sorting every candidate.
const INSERTION_TOP_K_LIMIT = 64;

/** Big-endian 32-bit word of (bytes[at..at+4) XOR t[tAt..tAt+4)). */
function xorWord(bytes: Uint8Array, at: number, t: Uint8Array, tAt: number): number {
  return (
    (((bytes[at] ^ t[tAt]) << 24) |
      ((bytes[at + 1] ^ t[tAt + 1]) << 16) |
      ((bytes[at + 2] ^ t[tAt + 2]) << 8) |
      (bytes[at + 3] ^ t[tAt + 3])) >>>
    0
  );
}

/** Offers the id stored at byte offset `at` of `bytes` to `top` under `index`. */
function offerAt(top: TopK, bytes: Uint8Array, at: number, t: Uint8Array, index: number): void {
  const d0 = xorWord(bytes, at, t, 0);
  if (top.rejects(d0)) return;
  top.offer(d0, xorWord(bytes, at + 4, t, 4), xorWord(bytes, at + 8, t, 8), xorWord(bytes, at + 12, t, 12), xorWord(bytes, at + 16, t, 16), index);
}

function closestBySorting(target: Uint8Array, ids: Uint8Array, n: number, k: number): Uint32Array {
  const keys = new Uint32Array(n * 5);
  for (let i = 0; i < n; i++) {
    for (let w = 0; w < 5; w++) keys[i * 5 + w] = xorWord(ids, i * ID_BYTES + w * 4, target, w * 4);
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    for (let w = 0; w < 5; w++) {
      const d = keys[a * 5 + w] - keys[b * 5 + w];
      if (d !== 0) return d;
    }
    return a - b;
  });
  return order.slice(0, k);
}

export const tsEngine: DistanceEngine = {
  name: 'ts',

  xorDistance(a, b) {
    assertId(a, 'a');
    assertId(b, 'b');
    const out = new Uint8Array(ID_BYTES);
    for (let i = 0; i < ID_BYTES; i++) out[i] = a[i] ^ b[i];
    return out;
  },

  commonPrefixLength(a, b) {
    assertId(a, 'a');
    assertId(b, 'b');
    return prefixLengthAt(a, 0, b, 0);
  },

  commonPrefixLengths(id, packedIds, out) {
    assertId(id, 'id');
    assertPackedIds(packedIds, 'packedIds');
    assertUint8Array(out, 'out');
    const n = packedIds.length / ID_BYTES;
    if (out.length < n) throw new RangeError(`out must hold at least ${n} entries (got ${out.length})`);
    for (let i = 0; i < n; i++) out[i] = prefixLengthAt(packedIds, i * ID_BYTES, id, 0);
    return out;
  },

  closest(target, packedIds, k) {
    assertId(target, 'target');
    assertPackedIds(packedIds, 'packedIds');
    assertCount(k, 'k');
    const n = packedIds.length / ID_BYTES;
    const count = Math.min(k, n);
    if (count > INSERTION_TOP_K_LIMIT) return closestBySorting(target, packedIds, n, count);
    const out = new Uint32Array(count);
    if (count === 0) return out;
    const top = new TopK(count, out);
    for (let i = 0; i < n; i++) offerAt(top, packedIds, i * ID_BYTES, target, i);
    return out;
  },

  tableClosest(arenaIds, table, target, out) {
    assertPackedIds(arenaIds, 'arenaIds');
    if (!(table instanceof Uint32Array)) throw new TypeError('table must be a Uint32Array');
    assertId(target, 'target');
    if (!(out instanceof Uint32Array)) throw new TypeError('out must be a Uint32Array');
    const arenaCount = arenaIds.length / ID_BYTES;
    const self = table[TABLE_SELF_WORD];
    const size = table[TABLE_SIZE_WORD];
    if (table.length < TABLE_HEADER_WORDS || self >= arenaCount || TABLE_HEADER_WORDS + size > table.length) {
      throw new RangeError('table is corrupt');
    }
    const counts = new Uint8Array(table.buffer, table.byteOffset + TABLE_COUNTS_BYTE, 160);
    const b0 = Math.min(prefixLengthAt(arenaIds, self * ID_BYTES, target, 0), 160);
    let start = 0;
    for (let b = 0; b < b0; b++) start += counts[b];
    if (start > size) throw new RangeError('table is corrupt');

    // Buckets b0 and deeper (one run at the end) are closer than any shallower bucket;
    // then each shallower bucket, nearest first. See native/table_query.cc.
    const wanted = out.length;
    const offerSlots = (top: TopK, from: number, to: number): void => {
      for (let s = from; s < to; s++) {
        const contact = table[TABLE_HEADER_WORDS + s];
        if (contact >= arenaCount) throw new RangeError('table is corrupt');
        offerAt(top, arenaIds, contact * ID_BYTES, target, contact);
      }
    };
    const near = new TopK(wanted, out);
    offerSlots(near, start, size);
    let written = near.size;
    let end = start;
    for (let b = b0 - 1; b >= 0 && written < wanted; b--) {
      const from = end - counts[b];
      const group = new TopK(wanted - written, out, written);
      offerSlots(group, from, end);
      written += group.size;
      end = from;
    }
    return written;
  },
};
