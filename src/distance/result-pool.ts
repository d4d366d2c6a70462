// Allocation of result arrays. In Node 20 a typed array over 64 bytes cannot live on the
// V8 heap: `new Uint32Array(20)` costs ~1.1 us (an off-heap backing store), 40x the
// query it would hold. Small results are therefore views on a shared 64 KiB slab, as
// Node's own Buffer pool does; `.buffer` of a result is the slab, not a private buffer.
const SLAB_BYTES = 64 * 1024;
const MAX_POOLED_ELEMENTS = 1024;
const ON_HEAP_LIMIT_BYTES = 64;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

export function allocUint32(length: number): Uint32Array {
  const bytes = length * 4;
  if (bytes <= ON_HEAP_LIMIT_BYTES || length > MAX_POOLED_ELEMENTS) return new Uint32Array(length);
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const view = new Uint32Array(slab, used, length);
  used += bytes;
  return view;
}
