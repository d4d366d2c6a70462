// The contract both backends implement. Every function validates its arguments and
// throws the same TypeError/RangeError messages on both backends.
export type BackendName = 'native' | 'ts';

export interface DistanceEngine {
  readonly name: BackendName;
  /** a XOR b, as a new 20-byte array. */
  xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** Leading zero bits of a XOR b: 0..160, 160 when the ids are equal. */
  commonPrefixLength(a: Uint8Array, b: Uint8Array): number;
  /** out[i] = commonPrefixLength(id, ids[i]) for each 20-byte id packed in `packedIds`. */
  commonPrefixLengths(id: Uint8Array, packedIds: Uint8Array, out: Uint8Array): Uint8Array;
  /** Indices of the min(k, n) ids nearest to target, nearest first, ties by lower index. */
  closest(target: Uint8Array, packedIds: Uint8Array, k: number): Uint32Array;
  /**
   * Closest contacts of one routing table (layout in ./table-layout.ts), written
   * to `out` nearest first; returns how many were written (at most out.length).
   */
  tableClosest(arenaIds: Uint8Array, table: Uint32Array, target: Uint8Array, out: Uint32Array): number;
}
