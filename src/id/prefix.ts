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
