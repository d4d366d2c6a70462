// Gateway targets: operations through the entry node, answered in the same tick when the
// value is held locally, else driven to the end (virtual time, on a simulated swarm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyFromString } from '../../src/id/id.js';
import type { GetResult, StoreResult } from '../../src/node/kademlia-node.js';
import { runNowOrLater } from '../../src/gateway/target.js';
import { swarmTarget } from '../../src/stress/swarm-target.js';
import { joinPhase } from '../../src/stress/phases.js';
import { createSimSwarm } from '../../src/stress/sim-swarm.js';

const quiet = { start() {}, update() {}, stop() {} };

test('a simulated swarm as a target: puts and gets run the virtual network until they finish', async () => {
  const swarm = createSimSwarm({ nodes: 60, seed: 3, node: {}, latencyMs: [10, 50], loss: 0 });
  await joinPhase(swarm, 16, quiet);
  const target = swarmTarget('stress', swarm);
  assert.equal(target.entry, swarm.nodes[0]);
  const value = new TextEncoder().encode('through the gateway');

  // in a simulation the network runs right away, so even a store may come back at once
  const start = target.now();
  const stored = await runNowOrLater<StoreResult>(target, (done) => swarm.nodes[0].publish(keyFromString('k'), value, done));
  assert.equal(stored.replicas, 20);
  assert.ok(target.now() > start, 'virtual time ran until the store was done');
  const miss = await runNowOrLater<GetResult>(target, (done) => swarm.nodes[0].findValue(keyFromString('missing'), done));
  assert.equal(miss.value, null);
  assert.ok(miss.queried > 0);

  // its publisher answers from what it publishes (a holder of another's plain value asks the others: see findValue)
  const publisher = swarm.nodes[0];
  const local = runNowOrLater<GetResult>(target, (done) => publisher.findValue(keyFromString('k'), done));
  assert.ok(!(local instanceof Promise), 'a value known locally comes back in the same tick');
  assert.deepEqual(local.value, value);
  assert.equal(local.hops, 0);
  swarm.close();
});
