// Randomized parity: the native addon and the pure-TS engine must agree bit for bit on
// the same inputs, across sizes, byte offsets, duplicate ids and n < k.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNativeAddon } from '../../src/native/binding.js';
import { nativeEngine } from '../../src/distance/native-engine.js';
import { tsEngine } from '../../src/distance/ts-engine.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { RoutingTable } from '../../src/routing/routing-table.js';
import { rng, seededBytes } from '../helpers/reference.js';

const loaded = loadNativeAddon();
const skip = loaded.ok ? false : `native addon not loadable: ${loaded.reason}`;

test('native and TS agree on random inputs', { skip }, () => {
  if (!loaded.ok) return;
  const native = nativeEngine(loaded.addon);
  const random = rng(20261123);
  const sizes = [0, 1, 2, 19, 20, 21, 64, 65, 100, 1000, 5000];
  let round = 0;
  for (const n of sizes) {
    for (let rep = 0; rep < 6; rep++, round++) {
      const offset = Math.floor(random() * 9);
      const buffer = seededBytes(`parity-${round}`, offset + n * 20 + 20 + 3);
      const packed = buffer.subarray(offset, offset + n * 20);
      // sprinkle duplicates and near-duplicates
      for (let d = 0; d < n / 4; d++) {
        const from = Math.floor(random() * n);
        const to = Math.floor(random() * n);
        packed.copyWithin(to * 20, from * 20, from * 20 + 20);
        if (random() < 0.5) packed[to * 20 + 19] ^= 1;
      }
      const targetAt = offset + n * 20 + Math.floor(random() * 3);
      const target = n > 0 && random() < 0.2 ? packed.slice(0, 20) : buffer.subarray(targetAt, targetAt + 20);
      for (const k of [0, 1, 3, 20, 64, 65, n, n + 5]) {
        const expected = tsEngine.closest(target, packed, k);
        assert.deepEqual(native.closest(target, packed, k), expected, `closest n=${n} k=${k} round=${round}`);
        assert.deepEqual(loaded.addon.closest(target, packed, k), expected, `raw addon closest n=${n} k=${k}`);
      }
      assert.deepEqual(
        native.commonPrefixLengths(target, packed, new Uint8Array(n)),
        tsEngine.commonPrefixLengths(target, packed, new Uint8Array(n)),
        `commonPrefixLengths n=${n}`,
      );
      if (n >= 2) {
        const a = packed.subarray(0, 20);
        const b = packed.subarray(20, 40);
        assert.deepEqual(native.xorDistance(a, b), tsEngine.xorDistance(a, b));
        assert.equal(native.commonPrefixLength(a, b), tsEngine.commonPrefixLength(a, b));
      }
    }
  }
});

test('native and TS agree on routing-table queries', { skip }, () => {
  if (!loaded.ok) return;
  const native = nativeEngine(loaded.addon);
  const random = rng(7);
  for (let round = 0; round < 30; round++) {
    const arena = new ContactArena(4);
    const self = arena.intern(seededBytes(`self-${round}`, 20), '127.0.0.1', 1);
    const table = new RoutingTable(arena, self, { k: 1 + Math.floor(random() * 30) });
    const population = Math.floor(random() * 600);
    for (let i = 0; i < population; i++) {
      const id = seededBytes(`c-${round}-${i}`, 20);
      // bias some contacts close to us so deep buckets fill too
      const shared = Math.floor(random() * 12);
      const selfId = arena.id(self);
      for (let byte = 0; byte < shared; byte++) id[byte] = selfId[byte];
      table.observe(arena.intern(id, '127.0.0.1', 2 + i), i);
    }
    const words = (table as unknown as { words: Uint32Array }).words;
    for (let q = 0; q < 20; q++) {
      const target = q === 0 ? arena.id(self) : seededBytes(`t-${round}-${q}`, 20);
      for (const count of [0, 1, 8, 20, 100]) {
        const a = new Uint32Array(count);
        const b = new Uint32Array(count);
        const na = native.tableClosest(arena.ids, words, target, a);
        const nb = tsEngine.tableClosest(arena.ids, words, target, b);
        assert.equal(na, nb);
        assert.deepEqual(a, b, `round ${round} query ${q} count ${count}`);
      }
    }
  }
});

test('both engines reject corrupt tables instead of reading out of bounds', () => {
  const arena = new Uint8Array(20 * 4);
  const target = new Uint8Array(20);
  for (const engine of loaded.ok ? [nativeEngine(loaded.addon), tsEngine] : [tsEngine]) {
    const table = new Uint32Array(44 + 2);
    table[0] = 9; // self outside the arena
    assert.throws(() => engine.tableClosest(arena, table, target, new Uint32Array(3)), { name: 'RangeError', message: 'table is corrupt' });
    table[0] = 0;
    table[1] = 5; // more contacts than words
    assert.throws(() => engine.tableClosest(arena, table, target, new Uint32Array(3)), { name: 'RangeError', message: 'table is corrupt' });
    table[1] = 2;
    new Uint8Array(table.buffer)[16] = 2;
    table[44] = 1;
    table[45] = 77; // contact outside the arena
    assert.throws(() => engine.tableClosest(arena, table, target, new Uint32Array(3)), { name: 'RangeError', message: 'table is corrupt' });
    assert.throws(() => engine.tableClosest(arena, new Uint32Array(10), target, new Uint32Array(3)), {
      name: 'RangeError',
      message: 'table is corrupt',
    });
    assert.throws(() => engine.tableClosest(arena, new Uint8Array(200) as unknown as Uint32Array, target, new Uint32Array(3)), {
      name: 'TypeError',
      message: 'table must be a Uint32Array',
    });
  }
});
