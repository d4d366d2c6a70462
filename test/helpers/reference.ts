// Brute-force reference implementations (BigInt), independent of both backends.
import { createHash } from 'node:crypto';

export function toBigInt(id: Uint8Array): bigint {
  let v = 0n;
  for (const byte of id) v = (v << 8n) | BigInt(byte);
  return v;
}

export function referenceDistance(a: Uint8Array, b: Uint8Array): bigint {
  return toBigInt(a) ^ toBigInt(b);
}

export function referencePrefixLength(a: Uint8Array, b: Uint8Array): number {
  const d = referenceDistance(a, b);
  return d === 0n ? 160 : 160 - d.toString(2).length;
}

export function referenceClosest(target: Uint8Array, ids: Uint8Array[], k: number): number[] {
  return ids
    .map((id, index) => ({ d: referenceDistance(id, target), index }))
    .sort((x, y) => (x.d < y.d ? -1 : x.d > y.d ? 1 : x.index - y.index))
    .slice(0, k)
    .map((e) => e.index);
}

/** Deterministic pseudo-random bytes (SHA-1 chain) so failures reproduce. */
export function seededBytes(seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let block = createHash('sha1').update(seed).digest();
  for (let at = 0; at < length; at += block.length) {
    out.set(block.subarray(0, Math.min(block.length, length - at)), at);
    block = createHash('sha1').update(block).digest();
  }
  return out;
}

export function splitIds(packed: Uint8Array): Uint8Array[] {
  const ids: Uint8Array[] = [];
  for (let at = 0; at < packed.length; at += 20) ids.push(packed.subarray(at, at + 20));
  return ids;
}

/** Small seeded PRNG (mulberry32) for choosing sizes and offsets. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
