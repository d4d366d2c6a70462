// The stress report: its JSON fields (docs/cli.md), and a summary table for people.
import { plural } from '../util/plural.js';
import type { ProtocolName } from '../protocol/wire-codec.js';
import type { ExperimentSummary, MinuteRow } from './experiment.js';

export interface StressReport {
  /** The package version that made the report. */
  version: string;
  /** Every setting of the run, flags and node settings, defaults included (all but threads, a field of its own). */
  parameters: Record<string, unknown>;
  nodes: number;
  transport: 'udp' | 'sim';
  /** The wire protocol: 'kadswarm' (MessagePack) or 'mainline' (KRPC; values stored as BEP 44 immutable items). */
  protocol: ProtocolName;
  /** Threads the nodes were spread over. */
  threads: number;
  backend: 'native' | 'ts';
  /** udp: how sockets were read, 'native' (socket set, batched receives) or 'dgram'. */
  udp_io?: 'native' | 'dgram';
  time_basis: 'wall' | 'virtual';
  seed: number;
  /** Operations in flight per phase (--concurrency, or its default for the transport and size). */
  concurrency: number;
  /** The attack scenario ('none', or --attack), and how many nodes ran it. */
  attack: string;
  attackers: number;
  /** What the attackers tried, and how much of it honest nodes turned away (docs/cli.md says what each attack counts). */
  attack_tried: number;
  attack_refused: number;
  join_ms: number;
  store_ms: number;
  attack_ms: number;
  churn_ms: number;
  /** The experiment over time (--duration), 0 without one. */
  experiment_ms: number;
  get_ms: number;
  /** Wall time of each phase (for udp, the same clock as join_ms etc.; for sim, what the virtual time cost). */
  join_wall_ms: number;
  store_wall_ms: number;
  attack_wall_ms: number;
  churn_wall_ms: number;
  experiment_wall_ms: number;
  get_wall_ms: number;
  /** Datagrams sent during each phase (they add up to messages). */
  join_messages: number;
  store_messages: number;
  attack_messages: number;
  churn_messages: number;
  experiment_messages: number;
  get_messages: number;
  joined: number;
  stored: number;
  killed: number;
  keys: number;
  found: number;
  wrong: number;
  misses: number;
  miss_not_found: number;
  hit_ms_p50: number;
  hit_ms_p99: number;
  miss_ms_p50: number;
  miss_ms_p99: number;
  hops_p50: number;
  hops_p99: number;
  messages: number;
  /** Bytes the nodes sent: datagram sizes over UDP, what the codec would have made of each message in a simulation. */
  bytes: number;
  dropped: number;
  /** Requests that got no answer in time, over all nodes. */
  timeouts: number;
  /** Answers the nodes accepted; of those, KRPC error answers (Mainline). */
  answers: number;
  error_answers: number;
  /** The outside node the swarm joined (--bootstrap), as HOST:PORT, or null. */
  bootstrap: string | null;
  /** Exceptions the nodes caught and counted instead of crashing: 0 unless there is a bug. */
  internal_errors: number;
  rss_mb: number;
  peak_rss_mb: number;
  /** V8's heap cap for the run (large runs restart themselves with a larger one). */
  heap_limit_mb: number;
  wall_ms: number;
  /** CPU time of the run: user and system, every thread of the process. */
  cpu_ms: number;
  /** The experiment's figures after its warm-up, and each of its minutes (null without --duration). */
  experiment: ExperimentSummary | null;
  series: MinuteRow[] | null;
  /** Contacts per bucket at the end, averaged over the nodes running then (bucket b: b leading bits shared; the last counted takes the rest). */
  bucket_fill: number[];
}

const n = (v: number) => v.toLocaleString('en-US');
/** Durations of phases and runs: always seconds, two decimals under 100 s. */
const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 100_000 ? 2 : 1)} s`;
/** Latencies: always milliseconds. */
const millis = (ms: number) => `${ms < 100 ? ms.toFixed(1) : Math.round(ms).toLocaleString('en-US')} ms`;

type Rows = Array<[string, string]>;
type PhaseText = (time: number, wall: number, messages: number) => string;

function readBackRows(r: StressReport, phase: PhaseText, virtual: boolean): Rows {
  return [
    [
      'get',
      `${phase(r.get_ms, r.get_wall_ms, r.get_messages)}; ${n(r.found)} of ${plural(r.keys, 'key')} found, ${n(r.wrong)} wrong; ${n(r.miss_not_found)} of ${plural(r.misses, 'miss', 'misses')} Not found`,
    ],
    ['hit latency', `p50 ${millis(r.hit_ms_p50)}, p99 ${millis(r.hit_ms_p99)}${virtual ? ' (virtual)' : ''}`],
    ['miss latency', `p50 ${millis(r.miss_ms_p50)}, p99 ${millis(r.miss_ms_p99)}${virtual ? ' (virtual)' : ''}`],
    ['hops', `p50 ${r.hops_p50}, p99 ${r.hops_p99}`],
  ];
}

function experimentRows(r: StressReport, e: ExperimentSummary, phase: PhaseText, virtual: boolean): Rows {
  const percent = (v: number) => `${(v * 100).toFixed(2)}%`;
  return [
    [
      'experiment',
      `${phase(r.experiment_ms, r.experiment_wall_ms, r.experiment_messages)}; figures after a warm-up of ${seconds(e.warmup_ms)}`,
    ],
    [
      'lookups',
      `${n(e.lookups_ok)} of ${n(e.lookups)} found (${percent(e.lookup_success)}), ${n(e.lookups_wrong)} wrong; ${n(e.misses_ok)} of ${plural(e.misses, 'miss', 'misses')} Not found`,
    ],
    [
      'lookup latency',
      `p50 ${millis(e.lookup_ms_p50)}, p99 ${millis(e.lookup_ms_p99)}${virtual ? ' (virtual)' : ''}; hops p50 ${e.lookup_hops_p50}, mean ${e.lookup_hops_mean}`,
    ],
    [
      'churn',
      `${plural(e.leaves, 'leave')}, ${plural(e.joins, 'join')} (${n(e.joins_failed)} failed); ${e.churn_per_node_h} leaves per node per hour; ${n(Math.round(e.nodes_alive_mean))} nodes up on average`,
    ],
    ['stores', `${n(e.stores_ok)} of ${n(e.stores)} stored`],
    [
      'load',
      `${e.messages_per_node_s} messages and ${e.bytes_per_node_s} bytes per node per second; ${e.table_fill_mean} contacts per table`,
    ],
  ];
}

export function summaryTable(r: StressReport): string {
  const virtual = r.time_basis === 'virtual';
  // a phase's time; in a simulation also what it took in wall time, and its messages either way
  const phase = (time: number, wall: number, messages: number) =>
    `${seconds(time)}${virtual ? ` of virtual time (${seconds(wall)} wall)` : ''}, ${plural(messages, 'message')}`;
  const rows: Array<[string, string]> = [
    ['join', `${phase(r.join_ms, r.join_wall_ms, r.join_messages)}; ${n(r.joined)} of ${plural(r.nodes - 1, 'node')} joined`],
    ['store', `${phase(r.store_ms, r.store_wall_ms, r.store_messages)}; ${n(r.stored)} of ${plural(r.nodes, 'value')} stored`],
    ...(r.attack !== 'none'
      ? ([
          [
            'attack',
            `${r.attack} by ${plural(r.attackers, 'node')}: ${n(r.attack_refused)} of ${n(r.attack_tried)} tries refused; first strike ${phase(r.attack_ms, r.attack_wall_ms, r.attack_messages)}`,
          ],
        ] as Array<[string, string]>)
      : []),
    ...(r.killed > 0
      ? ([
          [
            'churn',
            `${phase(r.churn_ms, r.churn_wall_ms, r.churn_messages)}; ${plural(r.killed, 'node')} stopped, then republish/refresh ran`,
          ],
        ] as Array<[string, string]>)
      : []),
    ...(r.experiment ? experimentRows(r, r.experiment, phase, virtual) : readBackRows(r, phase, virtual)),
    [
      'messages',
      `${n(r.messages)} sent, ${n(r.dropped)} dropped, ${plural(r.timeouts, 'request')} timed out${r.error_answers > 0 ? `, ${plural(r.error_answers, 'error answer')}` : ''}`,
    ],
    ...(r.internal_errors > 0
      ? ([
          ['internal errors', `${plural(r.internal_errors, 'exception')} caught in the nodes and counted: a bug, please report it`],
        ] as Array<[string, string]>)
      : []),
    ['memory', `RSS ${n(r.rss_mb)} MB, peak ${n(r.peak_rss_mb)} MB (heap cap ${n(r.heap_limit_mb)} MB)`],
    ['wall time', `${seconds(r.wall_ms)} (CPU ${seconds(r.cpu_ms)}, every thread)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `kadswarm stress: ${plural(r.nodes, 'node')}, ${r.transport} transport${r.threads > 1 ? ` over ${r.threads} threads` : ''}, ${r.protocol} protocol${r.bootstrap ? `, joined to ${r.bootstrap}` : ''}, ${r.backend} backend${r.udp_io ? `, ${r.udp_io} UDP I/O` : ''}, seed ${r.seed}, ${n(r.concurrency)} in flight`;
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
