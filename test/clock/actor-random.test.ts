// One random stream per clock actor: an actor's draws do not depend on what others drew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { ActorRandom } from '../../src/clock/actor-random.js';

function draws(seed: number, schedule: number[]): Map<number, number[]> {
  const clock = new VirtualClock();
  const random = new ActorRandom(seed, clock);
  const seen = new Map<number, number[]>();
  for (const actor of schedule) {
    clock.actor = actor;
    if (!seen.has(actor)) seen.set(actor, []);
    seen.get(actor)!.push(random.float());
  }
  return seen;
}

test("an actor's stream is its own, however the draws of actors interleave", () => {
  const together = draws(9, [1, 2, 3, 1, 1, 2, 700, 3, 1]);
  const apart = draws(9, [700, 3, 3, 2, 2, 1, 1, 1, 1]);
  for (const actor of [1, 2, 3, 700]) assert.deepEqual(together.get(actor), apart.get(actor), `actor ${actor}`);
  assert.notDeepEqual(together.get(1), together.get(2), 'actors differ');
  assert.notDeepEqual(draws(10, [1]).get(1), together.get(1)!.slice(0, 1), 'seeds differ');
});

test('floats are in [0, 1) and bytes have the asked length', () => {
  const clock = new VirtualClock();
  const random = new ActorRandom(1, clock);
  for (let i = 0; i < 1000; i++) {
    clock.actor = i % 7;
    const f = random.float();
    assert.ok(f >= 0 && f < 1);
  }
  assert.equal(random.bytes(20).length, 20);
  assert.equal(random.bytes(3).length, 3);
});
