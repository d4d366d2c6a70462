// The distance primitives through the root exports: runs once per backend
// (KADEMLIA_NATIVE=1 and =0) and checks against a BigInt reference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backend, closest, commonPrefixLength, commonPrefixLengths, xorDistance } from '../../src/index.js';
import { referenceClosest, referenceDistance, referencePrefixLength, seededBytes, splitIds, toBigInt } from '../helpers/reference.js';

const expected = process.env.KADEMLIA_NATIVE === '0' ? 'ts' : process.env.KADEMLIA_NATIVE === '1' ? 'native' : backend;

test(`backend follows KADEMLIA_NATIVE (${backend})`, () => {
  assert.equal(backend, expected);
});

test('xorDistance matches the reference and returns a fresh 20-byte array', () => {
  const [a, b] = splitIds(seededBytes('xor', 40));
  const d = xorDistance(a, b);
  assert.equal(d.length, 20);
  assert.equal(toBigInt(d), referenceDistance(a, b));
  assert.notEqual(d.buffer, a.buffer);
  assert.equal(toBigInt(xorDistance(a, a)), 0n);
});

test('commonPrefixLength at every bit position, and 160 for equal ids', () => {
  const a = seededBytes('cpl', 20);
  assert.equal(commonPrefixLength(a, a), 160);
  for (let bit = 0; bit < 160; bit++) {
    const b = a.slice();
    b[bit >> 3] ^= 0x80 >> (bit & 7);
    assert.equal(commonPrefixLength(a, b), bit);
    // a later difference does not change the answer
    if (bit < 159) b[19] ^= 1;
    assert.equal(commonPrefixLength(a, b), bit, `bit ${bit} with a later difference`);
  }
});

test('inputs may be views with a non-zero byteOffset', () => {
  const bytes = seededBytes('views', 20 * 50 + 7);
  const target = bytes.subarray(3, 23);
  const packed = bytes.subarray(7, 7 + 20 * 50);
  const ids = splitIds(packed);
  assert.deepEqual(Array.from(closest(target, packed, 20)), referenceClosest(target, ids, 20));
  assert.equal(commonPrefixLength(target, ids[4]), referencePrefixLength(target, ids[4]));
  assert.equal(toBigInt(xorDistance(target, ids[9])), referenceDistance(target, ids[9]));
  const cpls = commonPrefixLengths(target, packed);
  assert.deepEqual(
    Array.from(cpls),
    ids.map((id) => referencePrefixLength(target, id)),
  );
});

test('closest: nearest first, all ids when n < k, empty for k = 0 or n = 0', () => {
  const packed = seededBytes('closest', 20 * 30);
  const ids = splitIds(packed);
  const target = seededBytes('target', 20);
  assert.deepEqual(Array.from(closest(target, packed, 20)), referenceClosest(target, ids, 20));
  assert.deepEqual(Array.from(closest(target, packed, 100)), referenceClosest(target, ids, 100));
  assert.equal(closest(target, packed, 100).length, 30);
  assert.equal(closest(target, packed, 0).length, 0);
  assert.equal(closest(target, new Uint8Array(0), 20).length, 0);
  assert.ok(closest(target, packed, 5) instanceof Uint32Array);
});

test('closest: duplicate ids tie by lower index, and the target itself comes first', () => {
  const target = seededBytes('dup-target', 20);
  const other = seededBytes('dup-other', 20);
  const packed = new Uint8Array(20 * 6);
  packed.set(other, 0);
  packed.set(target, 20);
  packed.set(other, 40);
  packed.set(target, 60);
  packed.set(other, 80);
  packed.set(other, 100);
  assert.deepEqual(Array.from(closest(target, packed, 4)), [1, 3, 0, 2]);
  assert.deepEqual(Array.from(closest(target, packed, 6)), [1, 3, 0, 2, 4, 5]);
});

test('closest with a large k (sorting path) equals the reference', () => {
  const packed = seededBytes('large-k', 20 * 500);
  const target = seededBytes('large-k-target', 20);
  packed.set(packed.subarray(0, 200), 2000); // duplicates across the array
  assert.deepEqual(Array.from(closest(target, packed, 300)), referenceClosest(target, splitIds(packed), 300));
});

test('commonPrefixLengths writes into a given array and checks its size', () => {
  const packed = seededBytes('batch', 20 * 10);
  const id = seededBytes('batch-id', 20);
  const out = new Uint8Array(12).fill(255);
  assert.equal(commonPrefixLengths(id, packed, out), out);
  assert.deepEqual(
    Array.from(out.subarray(0, 10)),
    splitIds(packed).map((x) => referencePrefixLength(id, x)),
  );
  assert.equal(out[10], 255);
  assert.throws(() => commonPrefixLengths(id, packed, new Uint8Array(9)), {
    name: 'RangeError',
    message: 'out must hold at least 10 entries (got 9)',
  });
});

test('wrong types and lengths throw clear errors', () => {
  const id = seededBytes('err', 20);
  const cases: Array<[() => unknown, string, string]> = [
    [() => xorDistance(new Uint8Array(19), id), 'RangeError', 'a must be 20 bytes (got 19)'],
    [() => xorDistance(id, new Uint8Array(21)), 'RangeError', 'b must be 20 bytes (got 21)'],
    [() => xorDistance([1, 2] as unknown as Uint8Array, id), 'TypeError', 'a must be a Uint8Array'],
    [() => commonPrefixLength(id, 'x' as unknown as Uint8Array), 'TypeError', 'b must be a Uint8Array'],
    [() => commonPrefixLength(new Uint16Array(10) as unknown as Uint8Array, id), 'TypeError', 'a must be a Uint8Array'],
    [() => closest(id, new Uint8Array(41), 3), 'RangeError', 'packedIds length must be a multiple of 20 (got 41)'],
    [() => closest(new Uint8Array(0), new Uint8Array(40), 3), 'RangeError', 'target must be 20 bytes (got 0)'],
    [() => closest(id, new Uint8Array(40), -1), 'RangeError', 'k must be between 0 and 4294967295'],
    [() => closest(id, new Uint8Array(40), 1.5), 'TypeError', 'k must be an integer'],
    [() => closest(id, new Uint8Array(40), '3' as unknown as number), 'TypeError', 'k must be an integer'],
    [() => closest(id, null as unknown as Uint8Array, 3), 'TypeError', 'packedIds must be a Uint8Array'],
    [() => commonPrefixLengths(id, new Uint8Array(30)), 'RangeError', 'packedIds length must be a multiple of 20 (got 30)'],
  ];
  for (const [call, name, message] of cases) assert.throws(call, { name, message });
});

test('results of successive calls never alias each other', () => {
  const packed = seededBytes('alias', 20 * 200);
  const ids = splitIds(packed);
  const results: Array<{ target: Uint8Array; got: Uint32Array }> = [];
  for (let i = 0; i < 2000; i++) {
    // enough calls to roll over the result slab several times
    const target = seededBytes(`alias-t-${i}`, 20);
    results.push({ target, got: closest(target, packed, 20 + (i % 30)) });
  }
  for (const { target, got } of results.filter((_, i) => i % 97 === 0)) {
    assert.deepEqual(Array.from(got), referenceClosest(target, ids, got.length));
  }
});
