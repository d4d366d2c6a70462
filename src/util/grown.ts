// Growing the columns of record pools: typed arrays cannot grow in place.

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A copy of `array` with room for `size` entries, the new ones `fill` (default 0). */
export function grown<T extends Column>(array: T, size: number, fill = 0): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  if (fill !== 0) bigger.fill(fill, array.length);
  return bigger;
}
