// The gateway's view of a target: totals over its nodes, rates between two looks, the
// telemetry of gets and the phase. One object serves /v1/stats, /metrics and the events.
import { backend } from '../distance/index.js';
import { ID_BITS } from '../id/id.js';
import type { LatencySummary, PhaseState, Telemetry } from '../telemetry/telemetry.js';
import type { GatewayTarget } from './target.js';

/** Nodes whose routing tables are averaged for the fill chart (evenly spaced). */
const FILL_SAMPLE = 200;
/**
 * A snapshot walks every node's counters. For targets larger than this it is reused for
 * SNAPSHOT_REUSE_MS, so that however often clients ask, a million-node run pays for at
 * most one walk a second. Smaller targets are counted afresh every time.
 */
const LARGE_TARGET = 1000;
const SNAPSHOT_REUSE_MS = 1000;

export interface Totals {
  nodes: number;
  alive: number;
  messagesIn: number;
  messagesOut: number;
  dropped: number;
  lookups: number;
  timeouts: number;
  /** Exceptions the nodes caught and counted: 0 unless there is a bug. */
  internalErrors: number;
  storedEntries: number;
  storedBytes: number;
  contacts: number;
}

export interface GatewayStats {
  kind: GatewayTarget['kind'];
  backend: string;
  server: 'uWebSockets.js' | 'uWebSockets.js JS fallback';
  uptime_s: number;
  phase: PhaseState;
  nodes: { total: number; alive: number };
  messages: { in: number; out: number; dropped: number; per_s: number };
  lookups: number;
  timeouts: number;
  internal_errors: number;
  hops: { histogram: number[] };
  /** 'virtual' in a simulation: latency_ms is then simulated time. */
  time_basis: 'wall' | 'virtual';
  latency_ms: { hit: LatencySummary; miss: LatencySummary; cdf: { ms: number[]; hit: number[]; miss: number[] } };
  storage: { entries: number; bytes: number };
  routing: { contacts_mean: number; bucket_fill: number[] };
  rss_mb: number;
}

export class StatsSampler {
  private readonly startedAt = performance.now();
  private last: { at: number; messages: number } | null = null;
  private rate = 0;
  private cached: { at: number; stats: GatewayStats } | null = null;

  constructor(
    readonly target: GatewayTarget,
    readonly telemetry: Telemetry,
    readonly nativeServer: boolean,
  ) {}

  totals(): Totals {
    const t: Totals = {
      nodes: 0,
      alive: 0,
      messagesIn: 0,
      messagesOut: 0,
      dropped: this.target.dropped(),
      lookups: 0,
      timeouts: 0,
      internalErrors: 0,
      storedEntries: 0,
      storedBytes: 0,
      contacts: 0,
    };
    for (const node of this.target.nodes) {
      t.nodes++;
      const stats = node.stats();
      t.messagesIn += stats.traffic.datagramsIn;
      t.messagesOut += stats.rpc.requestsSent + stats.rpc.responsesSent;
      t.lookups += stats.traffic.lookups;
      t.timeouts += stats.rpc.timeouts;
      t.internalErrors += stats.exceptionsCaught;
      if (!stats.running) continue;
      t.alive++;
      t.storedEntries += stats.stored.entries;
      t.storedBytes += stats.stored.bytes;
      t.contacts += stats.contacts;
    }
    return t;
  }

  /** Mean contacts per bucket (bucket 0 = the farthest half of the id space) over a sample of live nodes. */
  bucketFill(): number[] {
    const nodes = this.target.nodes;
    const step = Math.max(1, Math.floor(nodes.length / FILL_SAMPLE));
    const sums = new Array<number>(ID_BITS).fill(0);
    let sampled = 0;
    for (let i = 0; i < nodes.length; i += step) {
      if (!nodes[i].isRunning) continue;
      const buckets = nodes[i].stats().buckets;
      for (let b = 0; b < buckets.length; b++) sums[b] += buckets[b];
      sampled++;
    }
    let used = ID_BITS;
    while (used > 1 && sums[used - 1] === 0) used--;
    return sums.slice(0, used).map((sum) => (sampled === 0 ? 0 : Math.round((sum / sampled) * 100) / 100));
  }

  snapshot(): GatewayStats {
    const now = performance.now();
    if (this.cached && now - this.cached.at < SNAPSHOT_REUSE_MS) return this.cached.stats;
    const stats = this.fresh(now);
    if (this.target.nodes.length > LARGE_TARGET) this.cached = { at: now, stats };
    return stats;
  }

  private fresh(now: number): GatewayStats {
    const totals = this.totals();
    const messages = totals.messagesOut;
    if (this.last && now - this.last.at >= 250) {
      this.rate = ((messages - this.last.messages) * 1000) / (now - this.last.at);
      this.last = { at: now, messages };
    } else if (!this.last) {
      this.last = { at: now, messages };
    }
    return {
      kind: this.target.kind,
      backend,
      server: this.nativeServer ? 'uWebSockets.js' : 'uWebSockets.js JS fallback',
      uptime_s: Math.round((now - this.startedAt) / 100) / 10,
      phase: this.telemetry.phase,
      nodes: { total: totals.nodes, alive: totals.alive },
      messages: { in: totals.messagesIn, out: messages, dropped: totals.dropped, per_s: Math.round(this.rate) },
      lookups: totals.lookups,
      timeouts: totals.timeouts,
      internal_errors: totals.internalErrors,
      hops: { histogram: [...this.telemetry.hopCounts] },
      time_basis: this.telemetry.timeBasis,
      latency_ms: { hit: this.telemetry.latency('hit'), miss: this.telemetry.latency('miss'), cdf: this.telemetry.latencyCdf() },
      storage: { entries: totals.storedEntries, bytes: totals.storedBytes },
      routing: {
        contacts_mean: totals.alive === 0 ? 0 : Math.round((totals.contacts / totals.alive) * 10) / 10,
        bucket_fill: this.bucketFill(),
      },
      rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    };
  }
}
