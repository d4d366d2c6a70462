// The stress report: the JSON fields of DESIGN.md, and a summary table for people.
export interface StressReport {
  nodes: number;
  transport: 'udp' | 'sim';
  /** Threads the nodes were spread over. */
  threads: number;
  backend: 'native' | 'ts';
  /** udp: how sockets were read, 'native' (socket set, batched receives) or 'dgram'. */
  udp_io?: 'native' | 'dgram';
  time_basis: 'wall' | 'virtual';
  seed: number;
  join_ms: number;
  store_ms: number;
  churn_ms: number;
  get_ms: number;
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
  dropped: number;
  /** Requests that got no answer in time, over all nodes. */
  timeouts: number;
  rss_mb: number;
  peak_rss_mb: number;
  /** V8's heap cap for the run (large runs restart themselves with a larger one). */
  heap_limit_mb: number;
  wall_ms: number;
}

const n = (v: number) => v.toLocaleString('en-US');
const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);

export function summaryTable(r: StressReport): string {
  const basis = r.time_basis === 'virtual' ? ' (virtual time)' : '';
  const rows: Array<[string, string]> = [
    ['join', `${ms(r.join_ms)}${basis}  ${n(r.joined)} of ${n(r.nodes - 1)} nodes joined`],
    ['store', `${ms(r.store_ms)}${basis}  ${n(r.stored)} of ${n(r.nodes)} values stored`],
    ...(r.killed > 0 ? ([['churn', `${ms(r.churn_ms)}${basis}  ${n(r.killed)} nodes stopped, then republish/refresh ran`]] as Array<[string, string]>) : []),
    ['get', `${ms(r.get_ms)}${basis}  ${n(r.found)} of ${n(r.keys)} found, ${n(r.wrong)} wrong; ${n(r.miss_not_found)} of ${n(r.misses)} misses Not found`],
    ['hit latency', `p50 ${ms(r.hit_ms_p50)}, p99 ${ms(r.hit_ms_p99)}`],
    ['miss latency', `p50 ${ms(r.miss_ms_p50)}, p99 ${ms(r.miss_ms_p99)}`],
    ['hops', `p50 ${r.hops_p50}, p99 ${r.hops_p99}`],
    ['messages', `${n(r.messages)} sent, ${n(r.dropped)} dropped, ${n(r.timeouts)} requests timed out`],
    ['memory', `RSS ${n(r.rss_mb)} MB, peak ${n(r.peak_rss_mb)} MB (heap cap ${n(r.heap_limit_mb)} MB)`],
    ['wall time', ms(r.wall_ms)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const title = `kadswarm stress: ${n(r.nodes)} nodes, ${r.transport} transport${r.threads > 1 ? ` over ${r.threads} threads` : ''}, ${r.backend} backend${r.udp_io ? `, ${r.udp_io} UDP I/O` : ''}, seed ${r.seed}`;
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
