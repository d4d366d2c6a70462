// `npm run bench:swarm`: the seed's workload (N nodes join through one entry, node i
// stores value<i>, the entry reads every value back) on real UDP sockets on loopback, each
// run in its own child process so their memory is measured apart:
//   kadswarm   our protocol (owned plain values)
//   mainline   kadswarm speaking the Mainline DHT (BEP 44 immutable put/get over KRPC)
//   mixed      N/2 bittorrent-dht nodes, then N/2 kadswarm Mainline nodes that join
//              their network (stress --bootstrap) and run the workload on it
//   bittorrent-dht (npm, BEP 44 immutable put/get) alone
//   npm run bench:swarm -- [--nodes N] [--limit-min M] [--only kadswarm|mainline|mixed|bittorrent-dht]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import DHT from 'bittorrent-dht';
import { parseStressArgs } from '../src/cli/stress-command.js';
import { runStress, type StressOptions } from '../src/stress/run-stress.js';

interface Result {
  join_ms: number;
  store_ms: number;
  get_ms: number;
  found: number;
  keys: number;
  rss_mb: number;
  wall_ms: number;
}

const CONCURRENCY = 32; // the same for both: more overflows the entry's socket buffer
// bittorrent-dht runs in one thread; so do we here (`kademlia stress` spreads over the cores by default)

async function runOurs(nodes: number, extra: string[] = []): Promise<Result> {
  const options = parseStressArgs([
    ...extra,
    '--nodes',
    String(nodes),
    '--transport',
    'udp',
    '--base-port',
    '0',
    '--misses',
    '0',
    '--no-progress',
    '--concurrency',
    String(CONCURRENCY),
    '--threads',
    '1',
  ]) as StressOptions;
  const r = await runStress(options);
  return { join_ms: r.join_ms, store_ms: r.store_ms, get_ms: r.get_ms, found: r.found, keys: r.keys, rss_mb: r.rss_mb, wall_ms: r.wall_ms };
}

async function inParallel(count: number, concurrency: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** N bittorrent-dht nodes on 127.0.0.1 joined through the first; resolves with them and the entry's address. */
async function startTheirs(nodes: number): Promise<{ all: DHT[]; entryAddress: string }> {
  const listen = (dht: DHT) => new Promise<void>((resolve) => dht.listen(0, '127.0.0.1', resolve));
  const entry = new DHT({ bootstrap: false, host: '127.0.0.1' });
  await listen(entry);
  const entryAddress = `127.0.0.1:${entry.address().port}`;
  const all: DHT[] = [entry];
  await inParallel(nodes - 1, CONCURRENCY, async () => {
    const dht = new DHT({ bootstrap: [entryAddress], host: '127.0.0.1' });
    all.push(dht);
    await Promise.all([listen(dht), new Promise((resolve) => dht.once('ready', resolve))]);
  });
  return { all, entryAddress };
}

/** Half the nodes bittorrent-dht, joined first; the other half kadswarm Mainline nodes joining their network and running the workload. */
async function runMixed(nodes: number): Promise<Result> {
  const wallStart = performance.now();
  const theirs = Math.floor(nodes / 2);
  const { all, entryAddress } = await startTheirs(theirs);
  const joinTheirs = performance.now() - wallStart;
  const ours = await runOurs(nodes - theirs, ['--protocol', 'mainline', '--bootstrap', entryAddress, '--host', '127.0.100.1']);
  for (const dht of all) dht.destroy();
  return {
    ...ours,
    join_ms: joinTheirs + ours.join_ms,
    rss_mb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    wall_ms: performance.now() - wallStart,
  };
}

async function runTheirs(nodes: number): Promise<Result> {
  const wallStart = performance.now();
  let start = performance.now();
  const { all } = await startTheirs(nodes);
  const entry = all[0];
  const joinMs = performance.now() - start;
  start = performance.now();
  const hashes: Buffer[] = new Array(nodes);
  await inParallel(
    nodes,
    CONCURRENCY,
    (i) =>
      new Promise<void>((resolve) => {
        all[i].put({ v: Buffer.from(`value${i}`) }, (error, hash) => {
          if (!error) hashes[i] = hash;
          resolve();
        });
      }),
  );
  const storeMs = performance.now() - start;
  start = performance.now();
  let found = 0;
  await inParallel(
    nodes,
    CONCURRENCY,
    (i) =>
      new Promise<void>((resolve) => {
        if (!hashes[i]) return resolve();
        entry.get(hashes[i], (error, result) => {
          if (!error && result?.v?.toString() === `value${i}`) found++;
          resolve();
        });
      }),
  );
  const getMs = performance.now() - start;
  const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
  for (const dht of all) dht.destroy();
  return { join_ms: joinMs, store_ms: storeMs, get_ms: getMs, found, keys: nodes, rss_mb: rss, wall_ms: performance.now() - wallStart };
}

const { values: flags } = parseArgs({
  options: { nodes: { type: 'string' }, only: { type: 'string' }, 'limit-min': { type: 'string' } },
  strict: true,
});
const nodes = Number(flags.nodes ?? 10_000);
if (!Number.isInteger(nodes) || nodes < 2) throw new Error(`--nodes must be an integer of at least 2 (got ${flags.nodes})`);
const RUNS = ['kadswarm', 'mainline', 'mixed', 'bittorrent-dht'] as const;
type Run = (typeof RUNS)[number];
const only = flags.only as Run | undefined;
if (only !== undefined && !RUNS.includes(only)) throw new Error(`--only must be one of ${RUNS.join(', ')} (got ${only})`);
// bittorrent-dht took 30 min for the default 10,000 nodes here: the limit leaves it room
const limitMinutes = Number(flags['limit-min'] ?? 45);
if (!(limitMinutes > 0)) throw new Error(`--limit-min must be a positive number of minutes (got ${flags['limit-min']})`);

if (only) {
  const result =
    only === 'kadswarm'
      ? await runOurs(nodes)
      : only === 'mainline'
        ? await runOurs(nodes, ['--protocol', 'mainline'])
        : only === 'mixed'
          ? await runMixed(nodes)
          : await runTheirs(nodes);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  const self = fileURLToPath(import.meta.url);
  // Each side gets --limit-min minutes (default 45); one that runs over is reported as such.
  const run = (which: string): Result | null => {
    process.stderr.write(`running ${which} with ${nodes.toLocaleString('en-US')} nodes (limit ${limitMinutes} min)...\n`);
    const child = spawnSync(process.execPath, [self, '--nodes', String(nodes), '--only', which], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: limitMinutes * 60_000,
    });
    if (child.status !== 0) {
      process.stderr.write(`${which}: ${child.signal ? `stopped after ${limitMinutes} min` : `failed (exit ${child.status})`}\n`);
      return null;
    }
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Result;
    process.stderr.write(`${which}: ${JSON.stringify(result)}\n`);
    return result;
  };
  const results = Object.fromEntries(RUNS.map((which) => [which, run(which)])) as Record<Run, Result | null>;
  const theirs = results['bittorrent-dht'];
  const dnf = `did not finish in ${limitMinutes} min`;
  const s = (ms: number | undefined) => (ms === undefined ? dnf : `${(ms / 1000).toFixed(2)} s`);
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${(b / a).toFixed(2)}x`);
  console.log(
    `\nbench:swarm, ${nodes.toLocaleString('en-US')} nodes on UDP loopback, one thread each, concurrency ${CONCURRENCY}: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`,
  );
  console.log('mixed: half bittorrent-dht nodes, half kadswarm Mainline nodes that join them and run the workload');
  console.log('"x bittorrent-dht" > 1 means faster than bittorrent-dht alone\n');
  console.log(`| phase | ${RUNS.join(' | ')} | kadswarm x bittorrent-dht | mainline x bittorrent-dht |`);
  console.log(`|---|${RUNS.map(() => '---:').join('|')}|---:|---:|`);
  for (const phase of ['join_ms', 'store_ms', 'get_ms', 'wall_ms'] as const) {
    const cells = RUNS.map((which) => s(results[which]?.[phase]));
    console.log(
      `| ${phase.replace('_ms', '')} | ${cells.join(' | ')} | ${ratio(results.kadswarm?.[phase], theirs?.[phase])} | ${ratio(results.mainline?.[phase], theirs?.[phase])} |`,
    );
  }
  const found = (r: Result | null) => (r ? `${r.found} / ${r.keys}` : '-');
  const rss = (r: Result | null) => (r ? `${r.rss_mb} MB` : '-');
  console.log(`| values found | ${RUNS.map((which) => found(results[which])).join(' | ')} | | |`);
  console.log(`| RSS at the end | ${RUNS.map((which) => rss(results[which])).join(' | ')} | | |`);
}
