// `kademlia stress`: its flags, its help, and what it prints and writes. The run itself is
// src/stress/run-stress.ts.
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Gateway } from '../gateway/gateway.js';
import { checkMemoryBudget, fitsInMemory, heapToRequestMb, rerunWithHeap, simulationCapacity } from '../stress/heap-budget.js';
import { summaryTable } from '../stress/report.js';
import { defaultConcurrency, runStress, spareNodes, type StressOptions } from '../stress/run-stress.js';
import type { StressReport } from '../stress/report.js';
import { swarmTarget } from '../stress/swarm-target.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { numberFlag, parseFlags, protocolFlag } from './flags.js';
import { NODE_FLAGS, NODE_FLAGS_HELP, parseNodeFlags } from './node-flags.js';
import { EXPERIMENT_FLAGS, EXPERIMENT_HELP, parseExperimentFlags } from './experiment-flags.js';
import { operationsCsv } from '../stress/operations-csv.js';
import { runReportPage } from '../stress/html-report.js';
import type { Operation } from '../stress/experiment.js';
import { HTTP_FLAGS, type HttpSetting, parseHttpFlags, startCliGateway } from './http-flag.js';
import { UsageError } from './usage-error.js';
import { ATTACK_KINDS, type AttackKind } from '../stress/attacks/index.js';
import { parseAddress } from './address.js';
import type { Address } from '../net/transport.js';

/** The run's options, plus what the command does with its report. */
export interface StressCommandOptions extends StressOptions {
  /** --json: where the report goes as JSON. */
  json: string | undefined;
  /** --csv: where the operations go, one row each. */
  csv: string | undefined;
  /** --report: where the self-contained HTML page goes. */
  report: string | undefined;
  /** --http: where the gateway listens while the run goes on (and after it). */
  http: HttpSetting | undefined;
}

/** Default --threads on a machine with many cores: past a few, threads share too few nodes to pay. */
const MAX_DEFAULT_THREADS = 8;

export const STRESS_HELP = `Usage: kademlia stress [options]
  The seed's workload in one process: node 0 is the entry point, nodes 1..N-1 join through
  it, node i stores key<i> -> value<i>, then node 0 reads every key back, plus --misses
  keys that were never stored.

  --nodes N          nodes (default 10000; this machine's memory holds a simulation of
                     up to about ${simulationCapacity().toLocaleString('en-US')} nodes)
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
  --threads T        spread the nodes over T threads, node 0 in the main one (default: the
                     number of cores, at most ${MAX_DEFAULT_THREADS}; 1 with --http, whose stats read every
                     node in the main thread, and with --attack). sim: a parallel
                     simulation in windows of the shortest latency, whose report is the
                     same for any T (T > 1 needs a latency MIN above 0, and more memory:
                     by default, as many threads as this machine's memory allows)
  --json FILE        write the report as JSON
  --report FILE.html write one self-contained page (opens offline): hops, latency CDFs,
                     messages per phase, the experiment's minutes, table fill, parameters
  --csv FILE         write one row per operation (kind, node, key, start_ms, latency_ms,
                     hops, messages, outcome): the experiment's, or the read-back's
  --http HOST:PORT   serve the HTTP/WebSocket gateway and dashboard during the run, and
                     keep serving (gets and puts through node 0) until SIGINT/SIGTERM
  --http-token T, --http-allow-host NAME: as for a node (kademlia --help)
  --protocol P       kadswarm (default: our MessagePack protocol, values stored as owned
                     plain values) or mainline (BitTorrent's DHT: KRPC over udp, values
                     stored as BEP 44 immutable items and read back by their hash)
  --bootstrap H:P    udp: node 0 first joins the network that the node at H:P is part
                     of, and the swarm joins, stores and reads there: a load test of
                     that network (another implementation too, with --protocol mainline);
                     the report says what the nodes saw (answers, error answers,
                     timeouts, hops)
  --attack KIND      turn some nodes hostile once every key is stored: overwrite, spoof,
                     eclipse, flood or sybil (docs/security.md says what each does)
  --attackers F      the fraction of the nodes that attack (default 0.1 with --attack)
  --no-progress      no progress bars (they only show on a terminal anyway)

${EXPERIMENT_HELP}

${NODE_FLAGS_HELP}

  The JSON report records every setting of the run (defaults included) in "parameters",
  and the package version in "version".`;

function bootstrapFlag(text: string, transport: 'udp' | 'sim'): Address {
  if (transport !== 'udp') throw new UsageError('--bootstrap needs --transport udp: a simulated network cannot reach outside nodes');
  return parseAddress(text, '--bootstrap');
}

export function parseStressArgs(args: string[]): StressCommandOptions | 'help' {
  const values = parseFlags(args, {
    nodes: { type: 'string' },
    transport: { type: 'string' },
    host: { type: 'string' },
    'base-port': { type: 'string' },
    misses: { type: 'string' },
    churn: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'string' },
    csv: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    latency: { type: 'string' },
    loss: { type: 'string' },
    concurrency: { type: 'string' },
    timeout: { type: 'string' },
    threads: { type: 'string' },
    attackers: { type: 'string' },
    attack: { type: 'string' },
    protocol: { type: 'string' },
    bootstrap: { type: 'string' },
    ...NODE_FLAGS,
    ...EXPERIMENT_FLAGS,
    ...HTTP_FLAGS,
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
  const http = parseHttpFlags(values);
  const attack = values.attack ?? 'none';
  if (attack !== 'none' && !(ATTACK_KINDS as readonly string[]).includes(attack)) {
    throw new UsageError(`--attack must be one of ${ATTACK_KINDS.join(', ')} (got "${attack}")`);
  }
  if (values.attackers !== undefined && attack === 'none') throw new UsageError('--attackers needs --attack KIND');
  const attackers = attack === 'none' ? 0 : numberFlag('attackers', values.attackers, 0.1, (v) => v > 0 && v < 1, 'a fraction in (0, 1)');
  const inOneThread = http !== undefined || attack !== 'none';
  const instant = transport === 'sim' && latencyMs[0] === 0;
  let defaultThreads = inOneThread || instant ? 1 : Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
  // a split simulation holds more memory: as many threads as this machine's memory allows
  while (transport === 'sim' && defaultThreads > 1 && !fitsInMemory(nodes, defaultThreads)) defaultThreads--;
  const threads = numberFlag('threads', values.threads, defaultThreads, (v) => int(v) && v >= 1 && v <= 64, 'an integer from 1 to 64');
  if (threads > 1 && instant)
    throw new UsageError(
      '--threads above 1 needs a shortest latency above 0 (--latency MIN-MAX): a window of the parallel simulation is that long',
    );
  if (threads > 1 && http)
    throw new UsageError("--threads must be 1 with --http: the gateway reads every node, and only the main thread's are in reach");
  if (threads > 1 && attack !== 'none')
    throw new UsageError('--threads must be 1 with --attack: the attackers work on nodes of this thread');
  const churn = numberFlag('churn', values.churn, 0, (v) => v >= 0 && v < 1, 'a fraction in [0, 1)');
  const experiment = parseExperimentFlags(values, churn);
  return {
    nodes,
    transport,
    host,
    basePort,
    misses: numberFlag('misses', values.misses, 100, (v) => int(v) && v >= 0, 'a non-negative integer'),
    churn,
    seed: numberFlag('seed', values.seed, 1, (v) => int(v) && v >= 0 && v <= 0xffffffff, 'an integer from 0 to 4294967295'),
    json: values.json,
    csv: values.csv,
    report: values.report,
    progress: !values['no-progress'],
    latencyMs,
    loss: numberFlag('loss', values.loss, 0, (v) => v >= 0 && v < 1, 'a probability in [0, 1)'),
    concurrency: numberFlag(
      'concurrency',
      values.concurrency,
      defaultConcurrency(transport, nodes),
      (v) => int(v) && v >= 1,
      'a positive integer',
    ),
    timeoutMs: numberFlag('timeout', values.timeout, 1000, (v) => int(v) && v >= 1, 'a positive integer'),
    threads: Math.min(threads, nodes),
    attack: attack as AttackKind | 'none',
    attackers,
    protocol: protocolFlag(values.protocol),
    ...(values.bootstrap === undefined ? {} : { bootstrap: bootstrapFlag(values.bootstrap, transport) }),
    nodeSettings: parseNodeFlags(values),
    ...(experiment ? { experiment } : {}),
    http,
  };
}

/** The summary on stdout, and the files the flags ask for. */
function writeOutputs(options: StressCommandOptions, report: StressReport, operations: Operation[]): void {
  process.stdout.write(`${summaryTable(report)}\n`);
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (options.csv) writeFileSync(options.csv, operationsCsv(operations));
  if (options.report) writeFileSync(options.report, runReportPage(report, operations));
}

export async function runStressCommand(args: string[]): Promise<void> {
  const options = parseStressArgs(args);
  if (options === 'help') {
    process.stdout.write(`${STRESS_HELP}\n`);
    return;
  }
  // UDP runs are bounded by the socket limit (~20,000 nodes), far below V8's default cap.
  const made = options.nodes + spareNodes(options); // an experiment's nodes that start down count too
  if (options.transport === 'sim') checkMemoryBudget(made, undefined, options.threads);
  const heapMb = options.transport === 'sim' ? heapToRequestMb(made) : null;
  if (heapMb !== null) {
    process.exitCode = await rerunWithHeap(heapMb);
    return;
  }
  const operations: Operation[] = [];
  if (!options.http) {
    writeOutputs(options, await runStress(options, undefined, operations), operations);
    return;
  }
  const http = options.http;
  const telemetry = new Telemetry({ timeBasis: options.transport === 'sim' ? 'virtual' : 'wall' });
  let gateway: Gateway | undefined;
  const { swarm, ...report } = await runStress(
    options,
    {
      telemetry,
      async started(running) {
        gateway = await startCliGateway(http, swarmTarget('stress', running), telemetry);
      },
    },
    operations,
  );
  writeOutputs(options, report, operations);
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
