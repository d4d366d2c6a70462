// Request bookkeeping: every request times out at its own deadline (one FIFO, one timer
// per node), answered requests never time out, and stopping fails whatever is pending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSim } from '../helpers/sim.js';

/** Node a, a live peer and a stopped one, 10 ms apart. */
function nodeWithLiveAndDeadPeers(requestTimeoutMs: number) {
  const sim = createSim({ network: { latencyMs: [10, 10] }, node: { requestTimeoutMs } });
  const a = sim.addNode();
  const alive = sim.addNode();
  const dead = sim.addNode();
  dead.stop();
  return { sim, a, alive, dead };
}

test('each request times out exactly its timeout after it was sent, in order', () => {
  const sim = createSim({ network: { latencyMs: [10, 10] }, node: { requestTimeoutMs: 1000 } });
  const a = sim.addNode();
  const dead = sim.addNode();
  dead.stop();
  const failedAt: number[] = [];
  for (const sendAt of [0, 250, 600, 1700]) {
    sim.clock.runUntil(sendAt);
    a.ping(dead.address, (alive) => {
      assert.equal(alive, false);
      failedAt.push(sim.clock.now());
    });
  }
  sim.clock.advance(5000);
  assert.deepEqual(failedAt, [1000, 1250, 1600, 2700]);
  assert.equal(a.stats().rpc.timeouts, 4);
  assert.equal(a.stats().requestsInFlight, 0);
});

test('answered requests never time out, even when their neighbours in the queue do', () => {
  const { sim, a, alive, dead } = nodeWithLiveAndDeadPeers(500);
  const outcomes: string[] = [];
  a.ping(dead.address, (ok) => outcomes.push(`dead ${ok} at ${sim.clock.now()}`));
  a.ping(alive.address, (ok) => outcomes.push(`alive ${ok} at ${sim.clock.now()}`));
  a.ping(dead.address, (ok) => outcomes.push(`dead ${ok} at ${sim.clock.now()}`));
  sim.clock.advance(2000);
  assert.deepEqual(outcomes, ['alive true at 20', 'dead false at 500', 'dead false at 500']);
  assert.equal(a.stats().rpc.timeouts, 2);
  assert.equal(a.stats().rpc.responsesAccepted, 1);
});

test('stopping a node fails its pending requests at once, and no timer fires later', () => {
  const sim = createSim({ network: { latencyMs: [10, 10] } });
  const a = sim.addNode();
  const dead = sim.addNode();
  dead.stop();
  const results: boolean[] = [];
  a.ping(dead.address, (ok) => results.push(ok));
  a.ping(dead.address, (ok) => results.push(ok));
  a.stop();
  assert.deepEqual(results, [false, false]);
  assert.equal(a.stats().requestsInFlight, 0);
  sim.clock.advance(5000);
  assert.deepEqual(results, [false, false]);
  assert.equal(a.stats().rpc.timeouts, 0);
});

test('a request sent from a timeout callback does not delay the deadlines already queued', () => {
  const sim = createSim({ network: { latencyMs: [10, 10] }, node: { requestTimeoutMs: 1000 } });
  const a = sim.addNode();
  const dead = sim.addNode();
  dead.stop();
  const failedAt: Record<string, number> = {};
  a.ping(dead.address, () => {
    failedAt.first = sim.clock.now();
    a.ping(dead.address, () => (failedAt.third = sim.clock.now())); // sent at 1000 from the callback
  });
  sim.clock.runUntil(400);
  a.ping(dead.address, () => (failedAt.second = sim.clock.now()));
  sim.clock.advance(5000);
  assert.deepEqual(failedAt, { first: 1000, second: 1400, third: 2000 });
});

test('once answers are timed, a dead peer costs srtt + 4 rttvar (at least 250 ms), not the whole timeout', () => {
  const { sim, a, alive, dead } = nodeWithLiveAndDeadPeers(1000);
  assert.equal(a.stats().requestTimeoutMs, 1000, 'nothing timed yet: the whole timeout');
  for (let i = 0; i < 5; i++) {
    a.ping(alive.address, (ok) => assert.equal(ok, true));
    sim.clock.advance(100);
  }
  assert.equal(a.stats().requestTimeoutMs, 250, '20 ms round trips: the floor');
  const sentAt = sim.clock.now();
  let failedAt = -1;
  a.ping(dead.address, () => (failedAt = sim.clock.now()));
  sim.clock.advance(2000);
  assert.equal(failedAt - sentAt, 250);
});

test('a request never expires before one sent earlier, even when the estimate drops between them', () => {
  const { sim, a, alive, dead } = nodeWithLiveAndDeadPeers(1000);
  const failed: string[] = [];
  a.ping(dead.address, () => failed.push(`first at ${sim.clock.now()}`)); // waits 1000: nothing timed yet
  for (let i = 0; i < 5; i++) {
    a.ping(alive.address, () => {});
    sim.clock.advance(50);
  }
  a.ping(dead.address, () => failed.push(`second at ${sim.clock.now()}`)); // sent at 250; its own wait would end at 500
  sim.clock.advance(2000);
  assert.deepEqual(failed, ['first at 1000', 'second at 1000']);
});

test('a node stopped from inside an answer or a timeout hands every record back to the pool, once', async () => {
  const { pendingRequests } = await import('../../src/node/pending-requests.js');
  const before = pendingRequests.used;
  for (const stopOn of ['answer', 'timeout'] as const) {
    const { sim, a, alive, dead } = nodeWithLiveAndDeadPeers(300);
    const results: string[] = [];
    a.ping(stopOn === 'answer' ? alive.address : dead.address, (ok) => {
      results.push(`first ${ok}`);
      a.stop(); // fails the rest from inside the callback
    });
    a.ping(dead.address, (ok) => results.push(`second ${ok}`));
    a.ping(dead.address, (ok) => results.push(`third ${ok}`));
    sim.clock.advance(2000);
    assert.deepEqual(results, [`first ${stopOn === 'answer'}`, 'second false', 'third false']);
    assert.equal(a.stats().requestsInFlight, 0);
    alive.stop();
    assert.equal(pendingRequests.used, before, `${stopOn}: no record left behind or freed twice`);
  }
});
