// Input checks for the distance primitives. The native addon performs the same checks
// with the same messages, so both backends reject bad input identically.
import { ID_BYTES } from '../id/id.js';

export function assertUint8Array(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

export function assertId(value: unknown, name: string): asserts value is Uint8Array {
  assertUint8Array(value, name);
  if (value.length !== ID_BYTES) {
    throw new RangeError(`${name} must be 20 bytes (got ${value.length})`);
  }
}

export function assertPackedIds(value: unknown, name: string): asserts value is Uint8Array {
  assertUint8Array(value, name);
  if (value.length % ID_BYTES !== 0) {
    throw new RangeError(`${name} length must be a multiple of 20 (got ${value.length})`);
  }
}

export function assertCount(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer`);
  }
  if (value < 0 || value > 0xffffffff) {
    throw new RangeError(`${name} must be between 0 and 4294967295`);
  }
}
