// The public distance primitives, bound to the backend chosen at load time.
import { ID_BYTES } from '../id/id.js';
import { engine } from './backend.js';
import { assertPackedIds } from './validate.js';

export { backend } from './backend.js';

/** a XOR b (20 bytes each) as a new 20-byte Uint8Array. */
export const xorDistance: (a: Uint8Array, b: Uint8Array) => Uint8Array = engine.xorDistance;

/** Leading zero bits of a XOR b: 0..160, 160 when a equals b. */
export const commonPrefixLength: (a: Uint8Array, b: Uint8Array) => number = engine.commonPrefixLength;

/**
 * Indices of the min(k, n) ids in `packedIds` (n ids of 20 bytes, back to back) nearest
 * to `target` by XOR distance, nearest first, ties by lower index.
 */
export const closest: (target: Uint8Array, packedIds: Uint8Array, k: number) => Uint32Array = engine.closest;

/** commonPrefixLength(id, each id packed in packedIds), in one call. */
export function commonPrefixLengths(id: Uint8Array, packedIds: Uint8Array, out?: Uint8Array): Uint8Array {
  if (out === undefined) {
    assertPackedIds(packedIds, 'packedIds');
    out = new Uint8Array(packedIds.length / ID_BYTES);
  }
  return engine.commonPrefixLengths(id, packedIds, out);
}
