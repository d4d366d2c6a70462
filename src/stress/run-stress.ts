// `kademlia stress`: the seed's workload (N nodes join through node 0, node i stores
// key<i>, node 0 reads every key back plus some never stored) in one process.
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { backend } from '../distance/index.js';
import { UsageError } from '../cli/usage-error.js';
import { numberFlag, parseFlags } from '../cli/flags.js';
import { SeededRandom } from '../util/random.js';
import type { NodeOptions } from '../node/options.js';
import { parseAddress } from '../cli/address.js';
import { startCliGateway } from '../cli/http-flag.js';
import type { Address } from '../net/transport.js';
import { chooseUdpIo } from '../net/udp-socket-group.js';
import type { Gateway } from '../gateway/gateway.js';
import { swarmTarget } from '../gateway/target.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { churn, type GetSample, getPhase, joinPhase, keyOf, missingKeyOf, storePhase, valueOf } from './phases.js';
import { checkMemoryBudget, heapLimitMb, heapToRequestMb, rerunWithHeap } from './heap-budget.js';
import { createProgress } from './progress.js';
import { type StressReport, summaryTable } from './report.js';
import { ascending, peakRssMb, percentile } from './stats.js';
import { createSimSwarm, type Swarm } from './swarm.js';
import { createThreadedUdpSwarm } from './threaded-swarm.js';

export interface StressOptions {
  nodes: number;
  transport: 'udp' | 'sim';
  host: string;
  basePort: number;
  misses: number;
  churn: number;
  seed: number;
  json: string | undefined;
  progress: boolean;
  latencyMs: [number, number];
  loss: number;
  concurrency: number;
  timeoutMs: number;
  /** udp: threads the nodes are spread over (this one included). */
  threads: number;
  /** --http: where the gateway listens while the run goes on (and after it). */
  http: Address | undefined;
}

/** A run watched live: its telemetry, and a hook that sees the swarm before the phases start. */
export interface LiveRun {
  telemetry: Telemetry;
  started(swarm: Swarm): Promise<void>;
}

/** Default --threads on a machine with many cores: past a few, threads share too few nodes to pay. */
const MAX_DEFAULT_THREADS = 8;

export const STRESS_HELP = `Usage: kademlia stress [options]
  The seed's workload in one process: node 0 is the entry point, nodes 1..N-1 join through
  it, node i stores key<i> -> value<i>, then node 0 reads every key back, plus --misses
  keys that were never stored.

  --nodes N          nodes (default 10000)
  --transport T      udp: one real UDP socket per node; sim: the simulated network (default udp)
  --host H           address the udp nodes listen on (default 127.0.0.1)
  --base-port P      node i listens on P+i; 0 lets the system pick (default 8081)
  --misses M         never-stored keys to read (default 100)
  --churn P          stop a fraction P of the nodes (never node 0) before reading back,
                     then let republish and refresh run (default 0)
  --seed S           seeds node ids, the simulated network and churn (default 1)
  --latency MIN-MAX  sim: one-way latency in ms (default 10-50)
  --loss P           sim: probability that a datagram is lost (default 0)
  --concurrency C    operations in flight per phase (default: sim 256, or one per 1,000
                     nodes when that is more, so a phase stays well within the first
                     virtual hour; udp 32, where more overflows the entry node's socket
                     buffer and turns into timeouts)
  --timeout MS       the longest a request waits (default 1000; answers timed bring it down
                     to srtt + 4 rttvar, at least 250 ms)
  --threads T        udp: spread the nodes over T threads, node 0 in the main one (default:
                     the number of cores, at most ${MAX_DEFAULT_THREADS}; 1 with --http, whose stats read every
                     node in the main thread). sim runs in one thread.
  --json FILE        write the report as JSON
  --http HOST:PORT   serve the HTTP/WebSocket gateway and dashboard during the run, and
                     keep serving (gets and puts through node 0) until SIGINT/SIGTERM
  --no-progress      no progress bars (they only show on a terminal anyway)`;

export function parseStressArgs(args: string[]): StressOptions | 'help' {
  const values = parseFlags(args, {
        nodes: { type: 'string' },
        transport: { type: 'string' },
        host: { type: 'string' },
        'base-port': { type: 'string' },
        misses: { type: 'string' },
        churn: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        'no-progress': { type: 'boolean' },
        latency: { type: 'string' },
        loss: { type: 'string' },
        concurrency: { type: 'string' },
        timeout: { type: 'string' },
        threads: { type: 'string' },
        http: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const int = (v: number) => Number.isInteger(v);
  const nodes = numberFlag('nodes', values.nodes, 10_000, (v) => int(v) && v >= 2 && v <= 10_000_000, 'an integer from 2 to 10000000');
  const transport = values.transport ?? 'udp';
  if (transport !== 'udp' && transport !== 'sim') throw new UsageError(`--transport must be udp or sim (got "${transport}")`);
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0) throw new UsageError(`--host must be an IP address (got "${host}")`);
  const basePort = numberFlag('base-port', values['base-port'], 8081, (v) => int(v) && v >= 0 && v <= 65535, 'a port from 0 to 65535');
  if (transport === 'udp' && basePort !== 0 && basePort + nodes - 1 > 65535) {
    throw new UsageError(`--base-port ${basePort} + ${nodes} nodes runs past port 65535`);
  }
  let latencyMs: [number, number] = [10, 50];
  if (values.latency !== undefined) {
    const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(values.latency);
    if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--latency must be MIN-MAX in ms, MIN <= MAX (got "${values.latency}")`);
    latencyMs = [Number(m[1]), Number(m[2])];
  }
  const http = values.http === undefined ? undefined : parseAddress(values.http, '--http', { allowPortZero: true });
  const defaultThreads = transport === 'udp' && http === undefined ? Math.min(availableParallelism(), MAX_DEFAULT_THREADS) : 1;
  const threads = numberFlag('threads', values.threads, defaultThreads, (v) => int(v) && v >= 1 && v <= 64, 'an integer from 1 to 64');
  if (threads > 1 && transport === 'sim') throw new UsageError('--threads applies to --transport udp: a simulation runs in one thread, on one virtual clock');
  if (threads > 1 && http) throw new UsageError('--threads must be 1 with --http: the gateway reads every node, and only the main thread\'s are in reach');
  return {
    nodes,
    transport,
    host,
    basePort,
    misses: numberFlag('misses', values.misses, 100, (v) => int(v) && v >= 0, 'a non-negative integer'),
    churn: numberFlag('churn', values.churn, 0, (v) => v >= 0 && v < 1, 'a fraction in [0, 1)'),
    seed: numberFlag('seed', values.seed, 1, (v) => int(v) && v >= 0 && v <= 0xffffffff, 'an integer from 0 to 4294967295'),
    json: values.json,
    progress: !values['no-progress'],
    latencyMs,
    loss: numberFlag('loss', values.loss, 0, (v) => v >= 0 && v < 1, 'a probability in [0, 1)'),
    concurrency: numberFlag('concurrency', values.concurrency, defaultConcurrency(transport, nodes), (v) => int(v) && v >= 1, 'a positive integer'),
    timeoutMs: numberFlag('timeout', values.timeout, 1000, (v) => int(v) && v >= 1, 'a positive integer'),
    threads: Math.min(threads, nodes),
    http,
  };
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
  const base: NodeOptions = { requestTimeoutMs: options.timeoutMs };
  if (options.churn === 0) return base;
  const interval = churnIntervalMs(options);
  return { ...base, replicateMs: interval, refreshMs: interval, maintenanceMs: interval / 10 };
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
export async function runStress(options: StressOptions, live?: LiveRun): Promise<StressReport & { swarm?: Swarm }> {
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
      ? createSimSwarm({ ...swarmOptions, latencyMs: options.latencyMs, loss: options.loss })
      : await createThreadedUdpSwarm({ ...swarmOptions, host: options.host, basePort: options.basePort, threads: options.threads, io: udpIo! });
  const sampleMemory = () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss));
  let keepSwarm = false;
  try {
    await live?.started(swarm);
    // Each phase's time on the run's basis, plus its wall time and messages: in a
    // simulation the phases' costs per message differ (a join builds routing tables).
    const phaseWall = { join: 0, store: 0, churn: 0, get: 0 };
    const phaseMessages = { join: 0, store: 0, churn: 0, get: 0 };
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
    const [joined, joinMs] = await timed('join', () => joinPhase(swarm, options.concurrency, progress));
    const [stored, storeMs] = await timed('store', () => storePhase(swarm, options.concurrency, progress));
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
    const keys = Array.from({ length: options.nodes }, (_, i) => keyOf(i));
    const misses = Array.from({ length: options.misses }, (_, i) => missingKeyOf(i));
    const [[hits, missSamples], getMs] = await timed('get', async () => {
      const h = await getPhase(swarm, 'get', keys, (i) => valueOf(i), options.concurrency, progress, record);
      const m = await getPhase(swarm, 'misses', misses, () => null, options.concurrency, progress, record);
      return [h, m] as const;
    });
    const traffic = swarm.traffic();
    const found = hits.filter((s) => s.found);
    const hitMs = ascending(found.map((s) => s.ms));
    const missMs = ascending(missSamples.map((s) => s.ms));
    const hops = ascending(hits.map((s) => s.hops));
    const round = (v: number) => Math.round(v * 100) / 100;
    keepSwarm = live !== undefined;
    return {
      ...(keepSwarm ? { swarm } : {}),
      nodes: options.nodes,
      transport: options.transport,
      threads: options.threads,
      backend,
      ...(udpIo ? { udp_io: udpIo } : {}),
      time_basis: options.transport === 'sim' ? 'virtual' : 'wall',
      seed: options.seed,
      concurrency: options.concurrency,
      join_ms: round(joinMs),
      store_ms: round(storeMs),
      churn_ms: round(churnMs),
      get_ms: round(getMs),
      join_wall_ms: Math.round(phaseWall.join),
      store_wall_ms: Math.round(phaseWall.store),
      churn_wall_ms: Math.round(phaseWall.churn),
      get_wall_ms: Math.round(phaseWall.get),
      join_messages: phaseMessages.join,
      store_messages: phaseMessages.store,
      churn_messages: phaseMessages.churn,
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
      dropped: traffic.dropped,
      timeouts: traffic.timeouts,
      internal_errors: traffic.internalErrors,
      rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      peak_rss_mb: peakRssMb(sampleMemory()),
      heap_limit_mb: heapLimitMb(),
      wall_ms: Math.round(performance.now() - wallStart),
      cpu_ms: cpuMsSince(cpuStart),
    };
  } finally {
    if (!keepSwarm) swarm.close();
  }
}

export async function runStressCommand(args: string[]): Promise<void> {
  const options = parseStressArgs(args);
  if (options === 'help') {
    process.stdout.write(`${STRESS_HELP}\n`);
    return;
  }
  // UDP runs are bounded by the socket limit (~20,000 nodes), far below V8's default cap.
  if (options.transport === 'sim') checkMemoryBudget(options.nodes);
  const heapMb = options.transport === 'sim' ? heapToRequestMb(options.nodes) : null;
  if (heapMb !== null) {
    process.exitCode = await rerunWithHeap(heapMb);
    return;
  }
  if (!options.http) {
    const report = await runStress(options);
    process.stdout.write(`${summaryTable(report)}\n`);
    if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const http = options.http;
  const telemetry = new Telemetry();
  let gateway: Gateway | undefined;
  const { swarm, ...report } = await runStress(options, {
    telemetry,
    async started(running) {
      gateway = await startCliGateway(http, swarmTarget('stress', running), telemetry);
    },
  });
  process.stdout.write(`${summaryTable(report)}\n`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  telemetry.setPhase('done');
  process.stderr.write(`run finished; the gateway keeps serving on ${gateway!.url} (SIGINT or SIGTERM stops it)\n`);
  const stop = () => {
    gateway?.close();
    swarm?.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
