import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryPool } from '../../src/node/entry-pool.js';
import { Storage } from '../../src/node/storage.js';
import { SeededRandom } from '../../src/util/random.js';
import { seededBytes } from '../helpers/reference.js';

const key = (i: number) => seededBytes(`key${i}`, 20);
const value = (i: number) => new TextEncoder().encode(`value${i}`);
const keysOf = (pool: EntryPool, store: number) => {
  const keys: Uint8Array[] = [];
  for (let slot = pool.first(store); slot !== -1; slot = pool.next(slot)) keys.push(pool.key(slot));
  return keys;
};

test('stores in one pool never see each other, even for the same key', () => {
  const pool = new EntryPool();
  const a = pool.openStore();
  const b = pool.openStore();
  pool.add(a, key(1), value(1), null, 'x', 100, 0);
  assert.equal(pool.find(b, key(1)), -1);
  const inB = pool.add(b, key(1), value(2), null, 'y', 200, 0);
  const inA = pool.find(a, key(1));
  assert.notEqual(inA, inB);
  assert.deepEqual(pool.value(inA), value(1));
  assert.deepEqual(pool.value(inB), value(2));
  assert.equal(pool.owner(inB), 'y');
  assert.equal(pool.expiresAt(inB), 200);
  pool.remove(inA);
  assert.equal(pool.find(a, key(1)), -1);
  assert.equal(pool.find(b, key(1)), inB, "removing a's entry leaves b's");
});

test('a store lists its entries in the order they were added, across removals and slot reuse', () => {
  const pool = new EntryPool();
  const s = pool.openStore();
  const slots = [0, 1, 2, 3, 4].map((i) => pool.add(s, key(i), value(i), null, 'o', 1, 0));
  pool.remove(slots[0]);
  pool.remove(slots[2]);
  pool.remove(slots[4]);
  pool.add(s, key(5), value(5), null, 'o', 1, 0); // reuses a freed slot, still goes last
  assert.deepEqual(keysOf(pool, s), [key(1), key(3), key(5)]);
});

test('closing a store frees its entries and its id, and nothing of the others', () => {
  const pool = new EntryPool();
  const a = pool.openStore();
  const b = pool.openStore();
  for (let i = 0; i < 50; i++) pool.add(a, key(i), value(i), null, 'o', 1, 0);
  pool.add(b, key(7), value(7), null, 'o', 1, 0);
  pool.closeStore(a);
  assert.equal(pool.size, 1);
  const c = pool.openStore();
  assert.equal(c, a, 'the closed id is reused');
  assert.deepEqual(keysOf(pool, c), [], 'and starts empty');
  assert.deepEqual(keysOf(pool, b), [key(7)]);
});

test('the pool agrees with a Map model over random adds and removes in many stores', () => {
  const pool = new EntryPool();
  const random = new SeededRandom(7);
  const stores = Array.from({ length: 40 }, () => pool.openStore());
  const model = new Map<string, { slot: number; value: number }>();
  for (let step = 0; step < 20_000; step++) {
    const store = stores[Math.floor(random.float() * stores.length)];
    const k = Math.floor(random.float() * 300);
    const name = `${store}/${k}`;
    const held = model.get(name);
    assert.equal(pool.find(store, key(k)), held ? held.slot : -1, name);
    if (held && random.float() < 0.5) {
      pool.remove(held.slot);
      model.delete(name);
    } else if (!held) {
      model.set(name, { slot: pool.add(store, key(k), value(step), null, 'o', step, step), value: step });
    }
  }
  assert.equal(pool.size, model.size);
  for (const [name, { slot, value: v }] of model) {
    const [store, k] = name.split('/').map(Number);
    assert.equal(pool.find(store, key(k)), slot);
    assert.deepEqual(pool.value(slot), value(v));
    assert.equal(pool.expiresAt(slot), v);
  }
});

test(
  'a Storage the collector takes gives its entries back to the pool',
  { skip: typeof globalThis.gc !== 'function' && 'needs --expose-gc' },
  async () => {
    const pool = new EntryPool();
    (() => {
      const storage = new Storage(undefined, pool);
      for (let i = 0; i < 10; i++) storage.put(key(i), value(i), 1e9, 'o', 0);
    })();
    assert.equal(pool.size, 10);
    for (let i = 0; i < 20 && pool.size > 0; i++) {
      globalThis.gc!();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(pool.size, 0);
  },
);
