import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY, SlotHash } from '../../src/util/slot-hash.js';
import { SeededRandom } from '../../src/util/random.js';

// Keys with few distinct hashes, so probe chains are long, wrap around and interleave.
const keyOf = new Map<number, number>();
const find = (hash: SlotHash, key: number): number => {
  for (let p = hash.start(key % 7); ; p = (p + 1) & hash.mask) {
    const slot = hash.table[p];
    if (slot === EMPTY || keyOf.get(slot) === key) return slot;
  }
};

test('every placed slot stays findable through removals (backward shift) and growth', () => {
  const hash = new SlotHash(16, (slot) => keyOf.get(slot)! % 7);
  const random = new SeededRandom(3);
  const live = new Set<number>();
  let nextSlot = 0;
  for (let step = 0; step < 5_000; step++) {
    if (live.size > 0 && random.float() < 0.45) {
      const victim = [...live][Math.floor(random.float() * live.size)];
      hash.unplace(victim);
      live.delete(victim);
      assert.equal(find(hash, keyOf.get(victim)!), EMPTY);
    } else {
      const slot = nextSlot++;
      keyOf.set(slot, slot * 13 + 1);
      hash.place(slot);
      live.add(slot);
      hash.fit(live.size, () => live);
    }
    if (step % 250 === 0) for (const slot of live) assert.equal(find(hash, keyOf.get(slot)!), slot);
  }
  assert.ok(hash.table.length >= 2 * live.size, 'kept at most half full');
  for (const slot of live) assert.equal(find(hash, keyOf.get(slot)!), slot);
});
