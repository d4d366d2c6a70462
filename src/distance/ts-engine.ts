// The pure-TypeScript backend: the reference the native addon must match bit for bit.
import { ID_BYTES } from '../id/id.js';
import { prefixLengthAt } from '../id/prefix.js';
import { TABLE_BUCKETS, TABLE_COUNTS_BYTE, TABLE_HEADER_WORDS, TABLE_SELF_WORD, TABLE_SIZE_WORD } from './table-layout.js';
import type { DistanceEngine } from './engine.js';
import { allocUint32 } from './result-pool.js';
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

const scratch = new TopK();

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
  const out = allocUint32(k);
  out.set(order.subarray(0, k));
  return out;
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
    const out = allocUint32(count);
    scratch.reset(count, packedIds, target, out, 0);
    for (let i = 0; i < n; i++) scratch.offer(i * ID_BYTES, i);
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
    // Three tiers of distance, each a contiguous run of slots (see native/table_query.cc):
    // bucket b0, then every deeper bucket, then b0-1, b0-2, ... 0.
    const b0 = prefixLengthAt(arenaIds, self * ID_BYTES, target, 0);
    let start = 0;
    for (let b = 0; b < b0 && b < TABLE_BUCKETS; b++) start += bucketCount(table, b);
    const b0End = b0 < TABLE_BUCKETS ? start + bucketCount(table, b0) : start;
    if (b0End > size) throw new RangeError('table is corrupt');
    const wanted = out.length;
    let written = offerTier(arenaIds, arenaCount, table, start, b0End, target, out, 0);
    if (written < wanted) written += offerTier(arenaIds, arenaCount, table, b0End, size, target, out, written);
    let end = start;
    for (let b = Math.min(b0, TABLE_BUCKETS) - 1; b >= 0 && written < wanted; b--) {
      const from = end - bucketCount(table, b);
      written += offerTier(arenaIds, arenaCount, table, from, end, target, out, written);
      end = from;
    }
    return written;
  },
};

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Contacts in bucket b, read from the table's count bytes without making a byte view. */
function bucketCount(table: Uint32Array, b: number): number {
  const byte = TABLE_COUNTS_BYTE + b;
  const shift = LITTLE_ENDIAN ? (byte & 3) * 8 : (3 - (byte & 3)) * 8;
  return (table[byte >> 2] >>> shift) & 0xff;
}

/** Offers slots [from, to) as one tier; writes its sorted best to out[written..]; returns how many. */
function offerTier(
  arenaIds: Uint8Array,
  arenaCount: number,
  table: Uint32Array,
  from: number,
  to: number,
  target: Uint8Array,
  out: Uint32Array,
  written: number,
): number {
  scratch.reset(out.length - written, arenaIds, target, out, written);
  for (let s = from; s < to; s++) {
    const contact = table[TABLE_HEADER_WORDS + s];
    if (contact >= arenaCount) throw new RangeError('table is corrupt');
    scratch.offer(contact * ID_BYTES, contact);
  }
  return scratch.size;
}
