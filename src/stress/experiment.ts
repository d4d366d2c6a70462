// An experiment over time, after the join and store phases: nodes leave and arrive (a
// session-time model, an arrival rate, or a trace), every live node looks up a key and
// stores one now and then, and each virtual (or wall) minute is measured. This is how churn
// studies run a DHT (Li et al., IPTPS 2004: sessions of mean 1 h, a lookup per node every
// 10 minutes, 6 hours).
import { idToHex as toHex, keyFromString } from '../id/id.js';
import { immutableKey } from '../protocol/item-signature.js';
import type { PhaseProgress } from '../telemetry/phase-progress.js';
import { ascending, percentile } from '../util/stats.js';
import { SeededRandom } from '../util/random.js';
import { type SessionModel, sampleSession } from './session-model.js';
import type { TraceEvent } from './churn-trace.js';
import type { Swarm } from './swarm.js';

export interface ExperimentOptions {
  /** How long the experiment runs on the swarm's time basis. */
  durationMs: number;
  /** Operations that start before this are left out of the figures (not of the CSV). */
  warmupMs: number;
  /** How long nodes 1..N-1 stay; null: they stay for good (unless a trace says otherwise). */
  sessions: SessionModel | null;
  /** New arrivals per ms (a Poisson process); null with sessions: each leave brings an arrival, so the population holds. */
  arrivalsPerMs: number | null;
  /** Trace events, replayed as given: trace node t is swarm node traceBase + t. */
  trace: TraceEvent[] | null;
  traceBase: number;
  /** Mean time between one node's lookups (exponential), or null for none. */
  lookupIntervalMs: number | null;
  /** Mean time between one node's stores (exponential), or null for none. */
  storeIntervalMs: number | null;
  /** The fraction of lookups that look for a key never stored. */
  missRatio: number;
  seed: number;
  /** Publish BEP 44 immutable items (keyed by the hash of the value) instead of plain values. */
  items: boolean;
}

export type OperationKind = 'lookup' | 'miss' | 'store' | 'join' | 'leave';
export type Outcome = 'found' | 'not-found' | 'wrong' | 'stored' | 'failed' | 'joined' | 'left';

/** One operation of the experiment: a row of --csv. Times are ms since the experiment began. */
export interface Operation {
  kind: OperationKind;
  node: number;
  /** The key looked up or stored, in hex ('' for joins and leaves). */
  key: string;
  start: number;
  latency: number;
  hops: number;
  /** Requests it sent: nodes queried by a lookup, STOREs sent by a store (0 for joins and leaves). */
  messages: number;
  outcome: Outcome;
}

/** One minute of the experiment. Latencies are of successful lookups; rates are per live node. */
export interface MinuteRow {
  minute: number;
  /** Whether the minute is part of the warm-up (left out of the summary). */
  warmup: boolean;
  lookups: number;
  failed: number;
  wrong: number;
  latency_ms_p50: number;
  latency_ms_p99: number;
  hops_mean: number;
  messages_per_node_s: number;
  /** Bytes the nodes sent (encoded sizes in a simulation), per live node per second. */
  bytes_per_node_s: number;
  nodes_alive: number;
  table_fill: number;
  joins: number;
  leaves: number;
}

export interface ExperimentSummary {
  duration_ms: number;
  warmup_ms: number;
  minutes: number;
  lookups: number;
  /** Lookups for a stored key that found it, with the right value. */
  lookups_ok: number;
  lookups_failed: number;
  lookups_wrong: number;
  /** lookups_ok over the lookups for stored keys, and misses answered Not found over the misses. */
  lookup_success: number;
  misses: number;
  misses_ok: number;
  lookup_ms_p50: number;
  lookup_ms_p99: number;
  miss_ms_p50: number;
  miss_ms_p99: number;
  lookup_hops_p50: number;
  lookup_hops_mean: number;
  stores: number;
  stores_ok: number;
  joins: number;
  joins_failed: number;
  leaves: number;
  /** Arrivals that found no node down to bring up (--arrivals faster than nodes leave). */
  arrivals_lost: number;
  /** Leaves per live node per hour, after the warm-up. */
  churn_per_node_h: number;
  messages_per_node_s: number;
  bytes_per_node_s: number;
  nodes_alive_mean: number;
  table_fill_mean: number;
}

export interface ExperimentResult {
  summary: ExperimentSummary;
  series: MinuteRow[];
  operations: Operation[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MINUTE_MS = 60_000;
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

interface StoredKey {
  key: Uint8Array;
  value: string;
}

/** A key in the network, with whoever publishes it, and its place in the list of live keys (-1: not in it). */
interface PublishedKey extends StoredKey {
  owner: number;
  at: number;
}

/**
 * The keys a lookup may look for: those whose publisher is up and has stored them since it
 * came up. A key whose publisher left lasts until its TTL runs out, and that is the design,
 * not a failure, so it is not looked for.
 */
class LiveKeys {
  private readonly list: PublishedKey[] = [];

  get size(): number {
    return this.list.length;
  }

  add(k: PublishedKey): void {
    if (k.at >= 0) return;
    k.at = this.list.length;
    this.list.push(k);
  }

  remove(k: PublishedKey): void {
    if (k.at < 0) return;
    const last = this.list.pop()!;
    if (last !== k) {
      this.list[k.at] = last;
      last.at = k.at;
    }
    k.at = -1;
  }

  pick(random: () => number): PublishedKey {
    return this.list[Math.floor(random() * this.list.length)];
  }
}

/** Runs the experiment on a swarm whose first `swarm.size` nodes have joined, and whose node i published `initialKeys[i]`. */
export async function runExperiment(
  swarm: Swarm,
  options: ExperimentOptions,
  initialKeys: StoredKey[],
  progress: PhaseProgress,
): Promise<ExperimentResult> {
  const t0 = swarm.now();
  const end = t0 + options.durationMs;
  const random = new SeededRandom(options.seed ^ 0xe4e41);
  const exp = (mean: number) => -mean * Math.log(1 - random.float());
  const operations: Operation[] = [];
  /** What each node publishes, across its sessions. */
  const published: PublishedKey[][] = Array.from({ length: swarm.slots }, () => []);
  const live = new LiveKeys();
  initialKeys.forEach((k, owner) => {
    const key = { ...k, owner, at: -1 };
    published[owner].push(key);
    live.add(key);
  });
  const alive = new Uint8Array(swarm.slots);
  alive.fill(1, 0, swarm.size);
  /** Bumped when a node leaves: its pending timers see it and lapse. */
  const epoch = new Uint32Array(swarm.slots);
  /** Down nodes that an arrival may bring up (never node 0, the stable entry point). */
  const down: number[] = [];
  for (let i = swarm.size; i < swarm.slots; i++) if (options.trace === null || i < options.traceBase) down.push(i);
  let inFlight = 0;
  let arrivalsLost = 0;
  let storeCount = 0;
  let missCount = 0;
  /** Operations by the minute they ended in (0-based). */
  const byMinute: Operation[][] = [];
  const record = (op: Operation) => {
    operations.push(op);
    const m = Math.floor((op.start + op.latency) / MINUTE_MS);
    (byMinute[m] ??= []).push(op);
  };
  const since = () => swarm.now() - t0;

  const lookup = (i: number) => {
    const miss = live.size === 0 || random.float() < options.missRatio;
    const target = miss ? { key: keyFromString(`missing-${options.seed}-${missCount++}`), value: null } : live.pick(() => random.float());
    const start = since();
    inFlight++;
    swarm.findValue(i, target.key, (result, ms) => {
      inFlight--;
      const got = result.value === null ? null : decoder.decode(result.value);
      const outcome: Outcome = got === null ? 'not-found' : got === target.value ? 'found' : 'wrong';
      record({
        kind: miss ? 'miss' : 'lookup',
        node: i,
        key: toHex(target.key),
        start,
        latency: ms,
        hops: result.hops,
        messages: result.queried,
        outcome,
      });
    });
  };

  /** Node i stores `k` (a new key, or one of its own again after it came back); once stored, lookups may look for it. */
  const publish = (i: number, k: PublishedKey, fresh: boolean) => {
    const mine = epoch[i];
    const start = since();
    inFlight++;
    swarm.publish(i, options.items ? null : k.key, encoder.encode(k.value), (result) => {
      inFlight--;
      const ok = result.replicas > 0;
      if (ok && fresh) published[i].push(k);
      if (ok && epoch[i] === mine) live.add(k);
      record({
        kind: 'store',
        node: i,
        key: toHex(k.key),
        start,
        latency: since() - start,
        hops: 0,
        messages: result.attempted,
        outcome: ok ? 'stored' : 'failed',
      });
    });
  };

  const store = (i: number) => {
    const value = `value-${i}-${storeCount++}`;
    const key = options.items ? immutableKey(encoder.encode(value)) : keyFromString(`key-${i}-${storeCount}`);
    publish(i, { key, value, owner: i, at: -1 }, true);
  };

  /** Node i's next lookup or store, while it stays up and the experiment lasts. */
  const every = (i: number, meanMs: number | null, act: (i: number) => void) => {
    if (meanMs === null) return;
    const mine = epoch[i];
    const next = () => {
      const at = swarm.now() + exp(meanMs);
      if (at >= end) return;
      swarm.at(at, () => {
        if (epoch[i] !== mine || alive[i] === 0) return;
        act(i);
        next();
      });
    };
    next();
  };

  const leave = (i: number) => {
    if (alive[i] === 0) return;
    alive[i] = 0;
    epoch[i]++;
    swarm.stop(i);
    for (const k of published[i]) live.remove(k);
    record({ kind: 'leave', node: i, key: '', start: since(), latency: 0, hops: 0, messages: 0, outcome: 'left' });
  };

  /** Node i comes up; with sessions, its leave is drawn now. */
  const arrive = (i: number) => {
    alive[i] = 1;
    const mine = epoch[i];
    const start = since();
    inFlight++;
    if (options.sessions) scheduleLeave(i);
    swarm.rejoin(i, swarm.entry.address, (result) => {
      inFlight--;
      record({
        kind: 'join',
        node: i,
        key: '',
        start,
        latency: since() - start,
        hops: 0,
        messages: 0,
        outcome: result.ok ? 'joined' : 'failed',
      });
      if (epoch[i] !== mine) return; // it left before it was in
      for (const k of published[i]) publish(i, k, false); // what it published, stored again as it comes back
      every(i, options.lookupIntervalMs, lookup);
      every(i, options.storeIntervalMs, store);
    });
  };

  /** Brings a random down node up (an arrival); false when none is down. */
  const arriveAny = () => {
    if (down.length === 0) return false;
    const at = Math.floor(random.float() * down.length);
    const i = down[at];
    down[at] = down[down.length - 1];
    down.pop();
    arrive(i);
    return true;
  };

  const scheduleLeave = (i: number) => {
    const mine = epoch[i];
    const at = swarm.now() + sampleSession(options.sessions!, random);
    if (at >= end) return;
    swarm.at(at, () => {
      if (epoch[i] !== mine) return;
      leave(i);
      // steady population: someone else arrives as it goes, then it may come back later
      if (options.arrivalsPerMs === null) arriveAny();
      down.push(i);
    });
  };

  // node 0 is the stable entry point: it never leaves, but it looks up and stores like the rest
  for (let i = 0; i < swarm.size; i++) {
    if (i > 0 && options.sessions) scheduleLeave(i);
    every(i, options.lookupIntervalMs, lookup);
    every(i, options.storeIntervalMs, store);
  }
  if (options.arrivalsPerMs !== null) {
    const mean = 1 / options.arrivalsPerMs;
    const next = () => {
      const at = swarm.now() + exp(mean);
      if (at >= end) return;
      swarm.at(at, () => {
        if (!arriveAny()) arrivalsLost++;
        next();
      });
    };
    next();
  }
  for (const event of options.trace ?? []) {
    const i = options.traceBase + event.node;
    swarm.at(t0 + event.timeMs, () => {
      if (!event.join) leave(i);
      else if (alive[i] === 0) arrive(i);
    });
  }

  const minutes = Math.ceil(options.durationMs / MINUTE_MS);
  const series: MinuteRow[] = [];
  let before = swarm.traffic();
  progress.start('experiment', minutes);
  for (let m = 1; m <= minutes; m++) {
    const until = t0 + Math.min(m * MINUTE_MS, options.durationMs);
    await swarm.idle(until - swarm.now());
    const census = await swarm.census(); // traffic() too
    const traffic = swarm.traffic();
    const perNodeS = (n: number) => n / Math.max(1, census.running) / ((until - (t0 + (m - 1) * MINUTE_MS)) / 1000);
    series.push(
      minuteRow(m, byMinute[m - 1] ?? [], options.warmupMs, {
        running: census.running,
        contacts: census.contacts,
        messagesPerNodeS: perNodeS(traffic.messages - before.messages),
        bytesPerNodeS: perNodeS(traffic.bytes - before.bytes),
      }),
    );
    before = traffic;
    progress.update(m);
  }
  // what is in flight at the end finishes (requests time out), and is counted where it started
  await swarm.runUntil(() => inFlight === 0);
  progress.stop();
  operations.sort((a, b) => a.start - b.start || a.node - b.node || a.kind.localeCompare(b.kind));
  return {
    summary: summarize(options, operations, series, arrivalsLost),
    series,
    operations,
  };
}

/** The lookups for stored keys among `operations`: counts by outcome, and the latencies (ascending) and hops of those found. */
function lookupFigures(operations: Operation[]) {
  const lookups = operations.filter((op) => op.kind === 'lookup');
  const ok = lookups.filter((op) => op.outcome === 'found');
  return {
    count: lookups.length,
    ok: ok.length,
    failed: lookups.filter((op) => op.outcome === 'not-found').length,
    wrong: lookups.filter((op) => op.outcome === 'wrong').length,
    latencies: ascending(ok.map((op) => op.latency)),
    hops: ascending(ok.map((op) => op.hops)),
    hopsMean: ok.length === 0 ? 0 : ok.reduce((s, op) => s + op.hops, 0) / ok.length,
  };
}

/** What the swarm looked like at the end of a minute, and what it sent in it. */
interface MinuteState {
  running: number;
  contacts: number;
  messagesPerNodeS: number;
  bytesPerNodeS: number;
}

/** Minute m (1-based) from the operations that ended in it. */
function minuteRow(m: number, ended: Operation[], warmupMs: number, state: MinuteState): MinuteRow {
  const lookups = lookupFigures(ended);
  return {
    minute: m,
    warmup: m * MINUTE_MS <= warmupMs,
    lookups: lookups.count,
    failed: lookups.failed,
    wrong: lookups.wrong,
    latency_ms_p50: round(percentile(lookups.latencies, 50)),
    latency_ms_p99: round(percentile(lookups.latencies, 99)),
    hops_mean: round(lookups.hopsMean),
    messages_per_node_s: round(state.messagesPerNodeS, 3),
    bytes_per_node_s: round(state.bytesPerNodeS, 1),
    nodes_alive: state.running,
    table_fill: round(state.running === 0 ? 0 : state.contacts / state.running),
    joins: ended.filter((op) => op.kind === 'join').length,
    leaves: ended.filter((op) => op.kind === 'leave').length,
  };
}

function summarize(options: ExperimentOptions, operations: Operation[], series: MinuteRow[], arrivalsLost: number): ExperimentSummary {
  const counted = operations.filter((op) => op.start >= options.warmupMs);
  const of = (kind: OperationKind) => counted.filter((op) => op.kind === kind);
  const lookups = lookupFigures(counted);
  const misses = of('miss');
  const missMs = ascending(misses.map((op) => op.latency));
  const measured = series.filter((row) => !row.warmup);
  const mean = (pick: (row: MinuteRow) => number) =>
    measured.length === 0 ? 0 : measured.reduce((s, row) => s + pick(row), 0) / measured.length;
  const stores = of('store');
  const joins = of('join');
  const leaves = of('leave');
  const hours = Math.max(1, options.durationMs - options.warmupMs) / 3_600_000;
  return {
    duration_ms: options.durationMs,
    warmup_ms: options.warmupMs,
    minutes: series.length,
    lookups: lookups.count,
    lookups_ok: lookups.ok,
    lookups_failed: lookups.failed,
    lookups_wrong: lookups.wrong,
    lookup_success: round(lookups.count === 0 ? 0 : lookups.ok / lookups.count, 5),
    misses: misses.length,
    misses_ok: misses.filter((op) => op.outcome === 'not-found').length,
    lookup_ms_p50: round(percentile(lookups.latencies, 50)),
    lookup_ms_p99: round(percentile(lookups.latencies, 99)),
    miss_ms_p50: round(percentile(missMs, 50)),
    miss_ms_p99: round(percentile(missMs, 99)),
    lookup_hops_p50: percentile(lookups.hops, 50),
    lookup_hops_mean: round(lookups.hopsMean),
    stores: stores.length,
    stores_ok: stores.filter((op) => op.outcome === 'stored').length,
    joins: joins.length,
    joins_failed: joins.filter((op) => op.outcome === 'failed').length,
    leaves: leaves.length,
    arrivals_lost: arrivalsLost,
    churn_per_node_h: round(
      leaves.length /
        Math.max(
          1,
          mean((row) => row.nodes_alive),
        ) /
        hours,
      4,
    ),
    messages_per_node_s: round(
      mean((row) => row.messages_per_node_s),
      3,
    ),
    bytes_per_node_s: round(
      mean((row) => row.bytes_per_node_s),
      1,
    ),
    nodes_alive_mean: round(mean((row) => row.nodes_alive)),
    table_fill_mean: round(mean((row) => row.table_fill)),
  };
}
