// Byte-offset helpers over ids stored inside larger arrays (arenas, packed id lists),
// so hot loops never allocate subarray views.
import { ID_BITS, ID_BYTES } from './id.js';

/** Leading zero bits of (a[aAt..aAt+20) XOR b[bAt..bAt+20)), 160 when equal. */
export function prefixLengthAt(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[aAt + i] ^ b[bAt + i];
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

export function idEqualAt(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): boolean {
  for (let i = 0; i < ID_BYTES; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/**
 * Bits 0-29 of the id at a[at..]: small-integer words (V8 keeps numbers below 2^30 inline,
 * never boxed), so the XOR of two of them orders distances without reading id bytes.
 */
export function idHeadAt(a: Uint8Array, at: number): number {
  return (a[at] << 22) | (a[at + 1] << 14) | (a[at + 2] << 6) | (a[at + 3] >> 2);
}

/** Bits 30-59 of the id at a[at..] (see idHeadAt). */
export function idNextAt(a: Uint8Array, at: number): number {
  return ((a[at + 3] & 3) << 28) | (a[at + 4] << 20) | (a[at + 5] << 12) | (a[at + 6] << 4) | (a[at + 7] >> 4);
}
