import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type StressReport, summaryTable } from '../../src/stress/report.js';

const report: StressReport = {
  nodes: 1000, transport: 'sim', threads: 1, backend: 'ts', time_basis: 'virtual', seed: 1, concurrency: 256,
  join_ms: 1000, store_ms: 2000, churn_ms: 0, get_ms: 300,
  join_wall_ms: 100, store_wall_ms: 200, churn_wall_ms: 0, get_wall_ms: 30,
  join_messages: 10, store_messages: 20, churn_messages: 0, get_messages: 3,
  joined: 999, stored: 1000, killed: 0, keys: 1000, found: 1000, wrong: 0, misses: 100, miss_not_found: 100,
  hit_ms_p50: 80, hit_ms_p99: 120, miss_ms_p50: 200, miss_ms_p99: 280, hops_p50: 2, hops_p99: 3,
  messages: 33, dropped: 0, timeouts: 0, internal_errors: 0,
  rss_mb: 100, peak_rss_mb: 120, heap_limit_mb: 4096, wall_ms: 400, cpu_ms: 390,
};

test('the summary names every phase, and internal errors only when there are some', () => {
  const quiet = summaryTable(report);
  assert.match(quiet, /^kadswarm stress: 1,000 nodes, sim transport, ts backend, seed 1, 256 in flight\n/);
  for (const row of ['join', 'store', 'get', 'hit latency', 'miss latency', 'hops', 'messages', 'memory', 'wall time']) assert.match(quiet, new RegExp(`\\n  ${row} +\\S`));
  assert.doesNotMatch(quiet, /internal errors|churn/);
  const buggy = summaryTable({ ...report, internal_errors: 1234 });
  assert.match(buggy, /\n {2}internal errors +1,234 exceptions caught in the nodes and counted: a bug, please report it\n/);
});
