// Seeded inputs shared by the benchmarks, so every implementation sees the same bytes.
export function seededIds(seed: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 20);
  let a = seed >>> 0;
  for (let i = 0; i < out.length; i += 4) {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const v = (t ^ (t >>> 14)) >>> 0;
    out[i] = v >>> 24;
    out[i + 1] = (v >>> 16) & 0xff;
    out[i + 2] = (v >>> 8) & 0xff;
    out[i + 3] = v & 0xff;
  }
  return out;
}

export function idAt(packed: Uint8Array, i: number): Uint8Array {
  return packed.subarray(i * 20, i * 20 + 20);
}
