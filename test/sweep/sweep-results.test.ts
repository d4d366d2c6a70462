// A sweep's figures: the same fields from an experiment or the read-back, means per
// setting, and the lower convex hull of latency against bandwidth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerHull, runFigures } from '../../src/sweep/sweep-results.js';
import type { StressReport } from '../../src/stress/report.js';

test('the lower hull runs from the least bandwidth to the least latency, skipping points above it', () => {
  // (bandwidth, latency)
  const points: Array<[number, number]> = [
    [1, 500], // cheapest: on the hull
    [2, 450], // above the chord from (1, 500) to (3, 200): off
    [3, 200], // on
    [4, 190], // on: the least latency
    [6, 300], // more bandwidth, worse latency: past the hull's end
    [3.5, 400], // above: off
  ];
  assert.deepEqual(lowerHull(points), [0, 2, 3]);
  assert.deepEqual(lowerHull([]), []);
  assert.deepEqual(lowerHull([[2, 3]]), [0]);
});

test('figures come from the experiment when there is one, else from the read-back', () => {
  const base = {
    nodes: 100,
    messages: 10_000,
    bytes: 1_234_567,
    wall_ms: 1,
    cpu_ms: 2,
    join_ms: 4000,
    store_ms: 3000,
    attack_ms: 0,
    churn_ms: 0,
    get_ms: 3000,
  };
  const readBack = runFigures({
    ...base,
    keys: 100,
    misses: 10,
    found: 99,
    hit_ms_p50: 80,
    hit_ms_p99: 200,
    hops_p50: 2,
    experiment: null,
  } as unknown as StressReport);
  assert.deepEqual(readBack, {
    lookups: 110,
    lookup_success: 0.99,
    lookup_ms_p50: 80,
    lookup_ms_p99: 200,
    hops: 2,
    messages_per_node_s: 10, // 10,000 messages over 100 nodes and 10 s
    bytes_per_node_s: 1234.6,
    churn_per_node_h: 0,
    messages: 10_000,
    wall_ms: 1,
    cpu_ms: 2,
  });
  const experiment = {
    lookups: 900,
    misses: 100,
    lookup_success: 0.995,
    lookup_ms_p50: 150,
    lookup_ms_p99: 700,
    lookup_hops_mean: 2.4,
    messages_per_node_s: 0.2,
    bytes_per_node_s: 31.5,
    churn_per_node_h: 1.01,
  };
  const figures = runFigures({ ...base, experiment } as unknown as StressReport);
  assert.equal(figures.lookups, 1000);
  assert.equal(figures.lookup_success, 0.995);
  assert.equal(figures.hops, 2.4);
  assert.equal(figures.churn_per_node_h, 1.01);
  assert.equal(figures.bytes_per_node_s, 31.5);
});
