// The seed's workload in one process (`kademlia stress`): N nodes join through node 0,
// node i stores key<i>, node 0 reads every key back plus some never stored.
import { backend } from '../distance/index.js';
import { SeededRandom } from '../util/random.js';
import type { NodeOptions } from '../node/options.js';
import { chooseUdpIo } from '../net/udp-socket-group.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { churn, type GetSample, getPhase, itemKeyOf, joinPhase, keyOf, missingKeyOf, storePhase, valueOf } from './phases.js';
import { keyFromString } from '../id/id.js';
import type { ProtocolName } from '../protocol/wire-codec.js';
import type { Address } from '../net/transport.js';
import { formatAddress } from '../net/udp-transport.js';
import { heapLimitMb } from './heap-budget.js';
import { createProgress } from './progress.js';
import type { StressReport } from './report.js';
import { ascending, peakRssMb, percentile } from '../util/stats.js';
import { spreadsOverLoopback, type Swarm, udpNodeOptions } from './swarm.js';
import { nodeParameters } from './run-parameters.js';
import { packageVersion } from '../util/version.js';
import { createSimSwarm } from './sim-swarm.js';
import { simNodeOptions } from './sim-share.js';
import { type ExperimentOptions, type ExperimentResult, type Operation, runExperiment } from './experiment.js';
import { idToHex } from '../id/id.js';
import type { ChurnTrace } from './churn-trace.js';
import { describeSessions } from './session-model.js';
import { createThreadedUdpSwarm } from './threaded-swarm.js';
import { type AttackContext, type AttackKind, chooseAttackers, createAttack } from './attacks/index.js';

export interface StressOptions {
  nodes: number;
  transport: 'udp' | 'sim';
  host: string;
  basePort: number;
  misses: number;
  churn: number;
  seed: number;
  progress: boolean;
  latencyMs: [number, number];
  loss: number;
  concurrency: number;
  timeoutMs: number;
  /** udp: threads the nodes are spread over (this one included). */
  threads: number;
  /** The attack scenario, and the fraction of the nodes that run it (0: none). */
  attack: AttackKind | 'none';
  attackers: number;
  /** kadswarm: values stored as our owned plain values; mainline: as BEP 44 immutable items, over KRPC on udp. */
  protocol: ProtocolName;
  /** udp: a node of an existing network that node 0 joins first (the swarm then loads that network). */
  bootstrap?: Address;
  /** Node settings given on the command line (--k, --alpha, --ttl...): over the run's own. */
  nodeSettings?: NodeOptions;
  /** An experiment over time in place of the seed's churn and read-back (--duration and the flags that go with it). */
  experiment?: ExperimentSettings;
}

/** What --duration, --warmup, --sessions, --arrivals, --trace, --lookup-interval, --store-interval and --miss-ratio say. */
export interface ExperimentSettings extends Omit<ExperimentOptions, 'seed' | 'items' | 'traceBase' | 'trace'> {
  trace: ChurnTrace | null;
  /** Where the trace was read from (for the report's parameters). */
  traceFile: string | null;
}

/** The experiment's settings as report parameters (all of them, null where unset). */
function experimentParameters(e: ExperimentSettings | undefined): Record<string, unknown> {
  return {
    duration_ms: e?.durationMs ?? null,
    warmup_ms: e?.warmupMs ?? null,
    sessions: e?.sessions ? describeSessions(e.sessions) : null,
    arrivals_per_s: e?.arrivalsPerMs == null ? null : e.arrivalsPerMs * 1000,
    trace: e?.traceFile ?? null,
    trace_events: e?.trace?.events.length ?? null,
    lookup_interval_ms: e?.lookupIntervalMs ?? null,
    store_interval_ms: e?.storeIntervalMs ?? null,
    miss_ratio: e ? e.missRatio : null,
  };
}

/**
 * Nodes made down, for arrivals to bring up: with sessions, as many as can leave (an
 * arrival then finds as many down as up, and a node that left is back after about one
 * session, as in Li et al.'s alternating model); with a trace, one per trace node.
 */
export function spareNodes(options: Pick<StressOptions, 'nodes' | 'experiment'>): number {
  const experiment = options.experiment;
  if (!experiment) return 0;
  if (experiment.trace) return experiment.trace.labels.length;
  return experiment.sessions || experiment.arrivalsPerMs !== null ? options.nodes - 1 : 0;
}

/** A run watched live: its telemetry, and a hook that sees the swarm before the phases start. */
export interface LiveRun {
  telemetry: Telemetry;
  started(swarm: Swarm): Promise<void>;
}

/**
 * Operations in flight per phase unless --concurrency says otherwise. In a simulation,
 * virtual time is free but the protocol's hourly upkeep is not: a phase that runs past the
 * first virtual hour makes every node refresh its idle buckets and every holder re-store
 * what it holds, which at a million nodes is more work than the workload itself (a run
 * with 256 in flight reached that hour a quarter of the way into its store phase, and
 * crawled from there). One operation per 1,000 nodes keeps each phase to minutes of
 * virtual time at any size, and leaves runs of up to 256,000 nodes as they were.
 */
export function defaultConcurrency(transport: 'udp' | 'sim', nodes: number): number {
  return transport === 'udp' ? 32 : Math.max(256, Math.ceil(nodes / 1000));
}

/**
 * How often nodes replicate and refresh while a churn run repairs itself. Simulated time
 * costs nothing, so sim uses 10 minutes. On UDP every node's upkeep is real work for this
 * process's threads: at 5 s, 300 nodes in one thread kept it saturated (and, before the
 * upkeep queue, collapsed it: 122 of 300 keys found). 50 ms per node per thread (15 s for
 * 300 nodes in one thread) leaves the reads room.
 */
export function churnIntervalMs(options: Pick<StressOptions, 'transport' | 'nodes' | 'threads'>): number {
  if (options.transport === 'sim') return 600_000;
  return Math.max(5_000, Math.ceil(options.nodes / options.threads) * UDP_UPKEEP_MS_PER_NODE);
}

const UDP_UPKEEP_MS_PER_NODE = 50;
/** A churn run idles this many upkeep intervals before reading back. */
const CHURN_REPAIR_INTERVALS = 4;

/** Node settings for a run: shorter maintenance intervals when churn must be repaired. */
function nodeOptions(options: StressOptions): NodeOptions {
  // Stress nodes each have an address of their own (simulated, or spread over 127/8), so
  // BEP 42 applies to all of them: no address is exempt as local. Not so in a network we
  // join (--bootstrap): its nodes chose their ids by their own rules, and local addresses
  // keep BEP 42's exemption.
  const spread = (options.transport === 'sim' || spreadsOverLoopback(options.host)) && !options.bootstrap;
  const base: NodeOptions = { requestTimeoutMs: options.timeoutMs, protocol: options.protocol, ...(spread ? { idFromIp: 'all' } : {}) };
  if (options.churn === 0) return { ...base, ...options.nodeSettings };
  const interval = churnIntervalMs(options);
  return { ...base, replicateMs: interval, refreshMs: interval, maintenanceMs: interval / 10, ...options.nodeSettings };
}

/** What every node of the run resolves: the simulator models signatures; nodes sharing one IP run without the per-IP rules. */
function effectiveNodeOptions(options: StressOptions): NodeOptions {
  const node = nodeOptions(options);
  return options.transport === 'sim' ? simNodeOptions(node) : udpNodeOptions(options.host, node);
}

/** The run's every setting, defaults included (threads is the report's own field: it may differ for the same outcome). */
function runParameters(options: StressOptions): Record<string, unknown> {
  return {
    nodes: options.nodes,
    transport: options.transport,
    host: options.host,
    base_port: options.basePort,
    misses: options.misses,
    churn: options.churn,
    seed: options.seed,
    latency_ms: options.latencyMs,
    loss: options.loss,
    concurrency: options.concurrency,
    attack: options.attack,
    attackers: options.attackers,
    bootstrap: options.bootstrap ? formatAddress(options.bootstrap) : null,
    ...experimentParameters(options.experiment),
    ...nodeParameters(effectiveNodeOptions(options)),
  };
}

/** The read-back's lookups as operations, from the start of the run. */
function readBackOperations(samples: GetSample[], kind: 'lookup' | 'miss', runStart: number): Operation[] {
  return samples.map((s) => ({
    kind,
    node: 0,
    key: idToHex(s.key),
    start: s.start - runStart,
    latency: s.ms,
    hops: s.hops,
    messages: s.queried,
    outcome: !s.found ? 'not-found' : s.correct ? 'found' : 'wrong',
  }));
}

/** CPU time of the whole process (every thread, user and system) since `start`, in ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

/**
 * Runs the workload and reports. With `live`, phases and gets also go to its telemetry,
 * and the swarm is left running for the caller (returned), else it is closed.
 */
export async function runStress(
  options: StressOptions,
  live?: LiveRun,
  /** Gets the run's operations one by one (for --csv): the experiment's, or the read-back's lookups. */
  operations?: Operation[],
): Promise<StressReport & { swarm?: Swarm }> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let sampledPeak = process.memoryUsage().rss;
  const bars = createProgress(options.progress);
  const progress = live ? live.telemetry.progress(bars) : bars;
  const record = live ? (s: GetSample) => live.telemetry.recordGet(s.ms, s.hops, s.found) : undefined;
  const udpIo = options.transport === 'udp' ? chooseUdpIo(backend) : undefined;
  const swarmOptions = { nodes: options.nodes, seed: options.seed, node: nodeOptions(options) };
  const swarm: Swarm =
    options.transport === 'sim'
      ? createSimSwarm({
          ...swarmOptions,
          latencyMs: options.latencyMs,
          loss: options.loss,
          threads: options.threads,
          spares: spareNodes(options),
        })
      : await createThreadedUdpSwarm({
          ...swarmOptions,
          host: options.host,
          basePort: options.basePort,
          threads: options.threads,
          io: udpIo!,
          spares: spareNodes(options),
        });
  const sampleMemory = () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss));
  let keepSwarm = false;
  try {
    await live?.started(swarm);
    // Each phase's time on the run's basis, plus its wall time and messages: in a
    // simulation the phases' costs per message differ (a join builds routing tables).
    const phaseWall = { join: 0, store: 0, attack: 0, churn: 0, experiment: 0, get: 0 };
    const phaseMessages = { join: 0, store: 0, attack: 0, churn: 0, experiment: 0, get: 0 };
    const runStart = swarm.now();
    const timed = async <T>(name: keyof typeof phaseWall, phase: () => Promise<T>): Promise<[T, number]> => {
      const start = swarm.now();
      const wallAtStart = performance.now();
      const messagesAtStart = swarm.traffic().messages;
      const result = await phase();
      const elapsed = swarm.now() - start;
      phaseWall[name] = performance.now() - wallAtStart;
      await swarm.refreshTraffic();
      phaseMessages[name] = swarm.traffic().messages - messagesAtStart;
      sampleMemory();
      return [result, elapsed];
    };
    const [joined, joinMs] = await timed('join', async () => {
      const outside = options.bootstrap;
      if (outside) {
        // node 0 joins the network under test; the others join through node 0, as always
        const entered = await swarm.entry.bootstrap(outside);
        if (!entered.ok) throw new Error(`could not join the network through ${formatAddress(outside)}: ${entered.reason}`);
      }
      return joinPhase(swarm, options.concurrency, progress);
    });
    const items = options.protocol === 'mainline';
    const [stored, storeMs] = await timed('store', () => storePhase(swarm, options.concurrency, progress, items));
    // the attack starts once every key is stored, and lasts until the reads are over
    const attack = options.attack === 'none' ? null : createAttack(options.attack);
    let attackContext: AttackContext | null = null;
    let attackMs = 0;
    if (attack) {
      const hooks = swarm.attackHooks;
      if (!hooks) throw new Error('attacks need every node in this thread (--threads 1)');
      const random = new SeededRandom(options.seed ^ 0xa77ac);
      attackContext = { swarm, attackers: chooseAttackers(options.nodes, options.attackers, random), random, ...hooks };
      const context = attackContext;
      [, attackMs] = await timed('attack', () => attack.start(context));
    }
    let killed = 0;
    let churnMs = 0;
    if (options.churn > 0) {
      const pick = new SeededRandom(options.seed ^ 0x5eed);
      [killed, churnMs] = await timed('churn', async () => {
        live?.telemetry.setPhase('churn');
        const n = churn(swarm, options.churn, () => pick.float());
        // let failures be noticed and republish/replication/refresh repair the network
        await swarm.idle(CHURN_REPAIR_INTERVALS * churnIntervalMs(options), sampleMemory);
        return n;
      });
    }
    const storedKeys = Array.from({ length: options.nodes }, (_, i) => (items ? itemKeyOf(i) : keyFromString(keyOf(i))));
    let experiment: ExperimentResult | null = null;
    let experimentMs = 0;
    const settings = options.experiment;
    if (settings) {
      const initial = storedKeys.map((key, i) => ({ key, value: valueOf(i) }));
      [experiment, experimentMs] = await timed('experiment', () =>
        runExperiment(
          swarm,
          { ...settings, trace: settings.trace?.events ?? null, traceBase: options.nodes, seed: options.seed, items },
          initial,
          progress,
        ),
      );
    }
    // an experiment measures its own lookups: the seed's read-back is the other workload
    const keys = experiment ? [] : storedKeys;
    const misses = experiment ? [] : Array.from({ length: options.misses }, (_, i) => keyFromString(missingKeyOf(i)));
    const [[hits, missSamples], getMs] = await timed('get', async () => {
      const h = await getPhase(swarm, 'get', keys, (i) => valueOf(i), options.concurrency, progress, record);
      const m = await getPhase(swarm, 'misses', misses, () => null, options.concurrency, progress, record);
      return [h, m] as const;
    });
    const tally = attack && attackContext ? attack.stop(attackContext) : { tried: 0, refused: 0 };
    const census = await swarm.census();
    let lastBucket = census.buckets.length;
    while (lastBucket > 0 && census.buckets[lastBucket - 1] === 0) lastBucket--;
    const bucketFill = census.buckets.slice(0, lastBucket).map((n) => Math.round((n / Math.max(1, census.running)) * 100) / 100);
    const traffic = swarm.traffic();
    const found = hits.filter((s) => s.found);
    const hitMs = ascending(found.map((s) => s.ms));
    const missMs = ascending(missSamples.map((s) => s.ms));
    const hops = ascending(hits.map((s) => s.hops));
    const round = (v: number) => Math.round(v * 100) / 100;
    keepSwarm = live !== undefined;
    if (operations) {
      const done = experiment?.operations ?? [
        ...readBackOperations(hits, 'lookup', runStart),
        ...readBackOperations(missSamples, 'miss', runStart),
      ];
      for (const op of done) operations.push(op); // one by one: a spread of a million arguments overflows the stack
    }
    return {
      ...(keepSwarm ? { swarm } : {}),
      version: packageVersion(),
      parameters: runParameters(options),
      nodes: options.nodes,
      transport: options.transport,
      protocol: options.protocol,
      threads: options.threads,
      backend,
      ...(udpIo ? { udp_io: udpIo } : {}),
      time_basis: options.transport === 'sim' ? 'virtual' : 'wall',
      seed: options.seed,
      concurrency: options.concurrency,
      attack: options.attack,
      attackers: attackContext?.attackers.length ?? 0,
      attack_tried: tally.tried,
      attack_refused: tally.refused,
      join_ms: round(joinMs),
      store_ms: round(storeMs),
      attack_ms: round(attackMs),
      churn_ms: round(churnMs),
      experiment_ms: round(experimentMs),
      get_ms: round(getMs),
      join_wall_ms: Math.round(phaseWall.join),
      store_wall_ms: Math.round(phaseWall.store),
      attack_wall_ms: Math.round(phaseWall.attack),
      churn_wall_ms: Math.round(phaseWall.churn),
      experiment_wall_ms: Math.round(phaseWall.experiment),
      get_wall_ms: Math.round(phaseWall.get),
      join_messages: phaseMessages.join,
      store_messages: phaseMessages.store,
      attack_messages: phaseMessages.attack,
      churn_messages: phaseMessages.churn,
      experiment_messages: phaseMessages.experiment,
      get_messages: phaseMessages.get,
      joined,
      stored,
      killed,
      keys: keys.length,
      found: found.length,
      wrong: hits.filter((s) => s.found && !s.correct).length,
      misses: misses.length,
      miss_not_found: missSamples.filter((s) => !s.found).length,
      hit_ms_p50: round(percentile(hitMs, 50)),
      hit_ms_p99: round(percentile(hitMs, 99)),
      miss_ms_p50: round(percentile(missMs, 50)),
      miss_ms_p99: round(percentile(missMs, 99)),
      hops_p50: percentile(hops, 50),
      hops_p99: percentile(hops, 99),
      messages: traffic.messages,
      bytes: traffic.bytes,
      dropped: traffic.dropped,
      timeouts: traffic.timeouts,
      answers: traffic.answers,
      error_answers: traffic.errorAnswers,
      bootstrap: options.bootstrap ? formatAddress(options.bootstrap) : null,
      internal_errors: traffic.internalErrors,
      rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      peak_rss_mb: peakRssMb(sampleMemory()),
      heap_limit_mb: heapLimitMb(),
      experiment: experiment?.summary ?? null,
      series: experiment?.series ?? null,
      bucket_fill: bucketFill,
      wall_ms: Math.round(performance.now() - wallStart),
      cpu_ms: cpuMsSince(cpuStart),
    };
  } finally {
    if (!keepSwarm) swarm.close();
  }
}
