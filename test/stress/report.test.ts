import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type StressReport, summaryTable } from '../../src/stress/report.js';

const report: StressReport = {
  version: '0.0.0',
  parameters: {},
  nodes: 1000,
  transport: 'sim',
  protocol: 'kadswarm',
  attack: 'none',
  attackers: 0,
  attack_tried: 0,
  attack_refused: 0,
  attack_ms: 0,
  attack_wall_ms: 0,
  attack_messages: 0,
  threads: 1,
  backend: 'ts',
  time_basis: 'virtual',
  seed: 1,
  concurrency: 256,
  join_ms: 1000,
  store_ms: 2000,
  churn_ms: 0,
  experiment_ms: 0,
  get_ms: 300,
  join_wall_ms: 100,
  store_wall_ms: 200,
  churn_wall_ms: 0,
  experiment_wall_ms: 0,
  get_wall_ms: 30,
  join_messages: 10,
  store_messages: 20,
  churn_messages: 0,
  experiment_messages: 0,
  get_messages: 3,
  joined: 999,
  stored: 1000,
  killed: 0,
  keys: 1000,
  found: 1000,
  wrong: 0,
  misses: 100,
  miss_not_found: 100,
  hit_ms_p50: 80,
  hit_ms_p99: 120,
  miss_ms_p50: 200,
  miss_ms_p99: 280,
  hops_p50: 2,
  hops_p99: 3,
  messages: 33,
  bytes: 4_000,
  dropped: 0,
  timeouts: 0,
  answers: 1000,
  error_answers: 0,
  bootstrap: null,
  internal_errors: 0,
  rss_mb: 100,
  peak_rss_mb: 120,
  heap_limit_mb: 4096,
  wall_ms: 400,
  cpu_ms: 390,
  experiment: null,
  series: null,
  bucket_fill: [10, 10, 10, 8, 3],
};

test('the summary names every phase, and internal errors only when there are some', () => {
  const quiet = summaryTable(report);
  assert.match(quiet, /^kadswarm stress: 1,000 nodes, sim transport, kadswarm protocol, ts backend, seed 1, 256 in flight\n/);
  for (const row of ['join', 'store', 'get', 'hit latency', 'miss latency', 'hops', 'messages', 'memory', 'wall time'])
    assert.match(quiet, new RegExp(`\\n  ${row} +\\S`));
  assert.doesNotMatch(quiet, /internal errors|churn/);
  assert.doesNotMatch(quiet, /error answer|joined to/);
  const outside = summaryTable({ ...report, transport: 'udp', protocol: 'mainline', bootstrap: '127.0.0.9:6881', error_answers: 3 });
  assert.match(outside, /^kadswarm stress: 1,000 nodes, udp transport, mainline protocol, joined to 127\.0\.0\.9:6881, ts backend/);
  assert.match(outside, /\n {2}messages +33 sent, 0 dropped, 0 requests timed out, 3 error answers\n/);
  const buggy = summaryTable({ ...report, internal_errors: 1234 });
  assert.match(buggy, /\n {2}internal errors +1,234 exceptions caught in the nodes and counted: a bug, please report it\n/);
});

test('one unit per kind: phase and run times in seconds, latencies in milliseconds, virtual time said so; counts agree with their nouns', () => {
  const sim = summaryTable({
    ...report,
    join_ms: 17_900,
    store_ms: 3_511,
    get_ms: 250_000,
    get_wall_ms: 95,
    hit_ms_p50: 3.21,
    miss_ms_p99: 1_308,
    timeouts: 1,
    misses: 1,
    miss_not_found: 1,
  });
  assert.match(sim, /\n {2}join +17\.90 s of virtual time \(0\.10 s wall\), 10 messages; 999 of 999 nodes joined\n/);
  assert.match(sim, /\n {2}store +3\.51 s of virtual time/);
  assert.match(
    sim,
    /\n {2}get +250\.0 s of virtual time \(0\.10 s wall\), 3 messages; 1,000 of 1,000 keys found, 0 wrong; 1 of 1 miss Not found\n/,
  );
  assert.match(sim, /\n {2}hit latency +p50 3\.2 ms, p99 120 ms \(virtual\)\n/);
  assert.match(sim, /\n {2}miss latency +p50 200 ms, p99 1,308 ms \(virtual\)\n/);
  assert.match(sim, /1 request timed out/);
  assert.match(sim, /\n {2}wall time +0\.40 s \(CPU 0\.39 s, every thread\)$/);
  for (const row of sim.split('\n').filter((line) => /^ {2}(join|store|get|wall time) /.test(line)))
    assert.doesNotMatch(row, /\d ms\b/, `no time in ms: ${row}`);
  const udp = summaryTable({
    ...report,
    transport: 'udp',
    time_basis: 'wall',
    nodes: 2,
    joined: 1,
    stored: 1,
    keys: 2,
    found: 2,
    join_messages: 1,
  });
  assert.match(udp, /^kadswarm stress: 2 nodes, udp transport/);
  assert.match(udp, /\n {2}join +1\.00 s, 1 message; 1 of 1 node joined\n/);
  assert.doesNotMatch(udp, /virtual/);
});
