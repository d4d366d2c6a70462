// A UDP swarm spread over threads, so datagram work (Node's dgram layer, the kernel's
// loopback path and our node code) runs on every core. This thread hosts node 0 (the
// entry point); node i lives in thread i % threads (see threadOf), each worker thread with
// its own sockets and event loop. Nodes still talk only through real UDP sockets: what
// crosses threads is the phases' orders (join, publish, stop) and traffic counts.
import { Worker } from 'node:worker_threads';
import type { GetResult, JoinResult, StoreResult } from '../node/kademlia-node.js';
import {
  checkSocketBudget,
  createUdpSwarm,
  addCensus,
  addTotals,
  type Census,
  lostOnTheWay,
  rpcTotalsOf,
  type Swarm,
  type UdpSwarm,
  type UdpSwarmOptions,
} from './swarm.js';
import type { FromWorker, ToWorker, WorkerSetup, WorkerTraffic } from './worker-protocol.js';

export interface ThreadedSwarmOptions extends UdpSwarmOptions {
  /** Threads in all, this one included. */
  threads: number;
  /** Nodes made after the `nodes` that start: down until a rejoin brings them up. */
  spares?: number;
}

/**
 * The thread that hosts node i. Nodes are dealt out in turn, not in blocks: the phases
 * start operations in node order, and with blocks one thread would start all of them in
 * the first half of each phase and the other in the second.
 */
export function threadOf(threads: number, i: number): number {
  return i % threads;
}

/** Node i's place among its thread's nodes. */
export function indexInThread(threads: number, i: number): number {
  return Math.floor(i / threads);
}

/** How many of `nodes` nodes each of `threads` threads hosts (see threadOf): they differ by at most one. */
export function shareSizes(nodes: number, threads: number): number[] {
  const count = Math.max(1, Math.min(threads, nodes));
  return Array.from({ length: count }, (_, t) => Math.floor(nodes / count) + (t < nodes % count ? 1 : 0));
}

/** A seed for thread t's node ids: a stream of its own (thread 0 keeps the run's seed). */
export function threadSeed(seed: number, thread: number): number {
  return (seed + Math.imul(thread, 0x9e3779b9)) >>> 0;
}

type Request = ToWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

/** One worker thread and the `count` nodes it hosts (see threadOf). */
class WorkerShare {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  /** Its counts as of its last report. */
  traffic: WorkerTraffic = { sent: 0, received: 0, ...rpcTotalsOf([]) };
  /** Why it can no longer take orders (it died), or null. */
  failure: Error | null = null;
  private readonly pending = new Map<number, (message: FromWorker) => void>();
  private nextId = 1;
  private closing = false;

  constructor(
    readonly count: number,
    setup: WorkerSetup,
    /** Which nodes it hosts, for errors. */
    private readonly label: string,
  ) {
    this.worker = new Worker(new URL('./swarm-worker.js', import.meta.url), { workerData: setup });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') return resolve();
        if (message.type === 'failed') return reject(new Error(message.message));
        const reply = this.pending.get(message.id);
        this.pending.delete(message.id);
        reply?.(message);
      });
      this.worker.on('error', (error) => {
        this.fail(`${this.label} failed: ${error.message}`);
        reject(this.failure);
      });
      this.worker.on('exit', (code) => {
        if (!this.closing) this.fail(`${this.label} exited (code ${code})`);
        reject(this.failure);
      });
    });
  }

  request(message: Request, reply: (message: FromWorker) => void): void {
    const id = this.nextId++;
    this.pending.set(id, reply);
    this.worker.postMessage({ ...message, id });
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  refreshTraffic(): Promise<void> {
    if (this.failure) return Promise.resolve();
    return new Promise((resolve) =>
      this.request({ type: 'traffic' }, (message) => {
        if (message.type === 'traffic') {
          const { type: _type, id: _id, ...traffic } = message;
          this.traffic = traffic;
        }
        resolve();
      }),
    );
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    this.worker.unref();
  }

  private fail(reason: string): void {
    this.failure ??= new Error(reason);
  }
}

export async function createThreadedUdpSwarm(options: ThreadedSwarmOptions): Promise<Swarm> {
  const spares = options.spares ?? 0;
  const total = options.nodes + spares;
  checkSocketBudget(total); // the file limit is the whole process's
  const sizes = shareSizes(total, options.threads);
  if (sizes.length === 1) return createUdpSwarm({ ...options, nodes: total, active: options.nodes });
  const workers: WorkerShare[] = [];
  const threads = sizes.length;
  for (let t = 1; t < threads; t++) {
    const setup: WorkerSetup = {
      nodes: sizes[t],
      host: options.host,
      basePort: options.basePort === 0 ? 0 : options.basePort + t,
      portStep: threads,
      firstIndex: t,
      seed: threadSeed(options.seed, t),
      node: options.node,
      io: options.io,
      active: options.nodes,
    };
    workers.push(new WorkerShare(sizes[t], setup, `the thread hosting nodes ${t}, ${t + threads}, ${t + 2 * threads}, ...`));
  }
  const started = await Promise.allSettled([
    createUdpSwarm({ ...options, nodes: sizes[0], portStep: threads, active: options.nodes }),
    ...workers.map((w) => w.ready),
  ]);
  const local = started[0].status === 'fulfilled' ? started[0].value : null;
  const refused = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (refused || !local) {
    local?.close();
    for (const w of workers) w.close();
    throw refused?.reason;
  }
  return threadedSwarm(local, workers, options.nodes);
}

function threadedSwarm(local: UdpSwarm, workers: WorkerShare[], active: number): Swarm {
  const slots = local.nodes.length + workers.reduce((total, w) => total + w.count, 0);
  const threads = workers.length + 1;
  const ownerOf = (i: number) => workers[threadOf(threads, i) - 1];
  const isLocal = (i: number) => threadOf(threads, i) === 0;
  const failure = () => workers.find((w) => w.failure)?.failure ?? null;
  const failFast = (done: () => boolean) => () => done() || failure() !== null;
  const throwIfFailed = () => {
    const error = failure();
    if (error) throw error;
  };
  return {
    kind: 'udp',
    size: active,
    slots,
    entry: local.entry,
    nodes: local.nodes,
    join(i, entry, done) {
      if (isLocal(i)) return local.join(indexInThread(threads, i), entry, done);
      ownerOf(i).request({ type: 'join', node: indexInThread(threads, i), entry }, (m) => done((m as { result: JoinResult }).result));
    },
    publish(i, key, value, done) {
      if (isLocal(i)) return local.publish(indexInThread(threads, i), key, value, done);
      ownerOf(i).request({ type: 'publish', node: indexInThread(threads, i), key, value }, (m) =>
        done((m as { result: StoreResult }).result),
      );
    },
    findValue(i, key, done) {
      if (isLocal(i)) return local.findValue(indexInThread(threads, i), key, done);
      ownerOf(i).request({ type: 'find', node: indexInThread(threads, i), key }, (m) => {
        const found = m as { result: GetResult; ms: number };
        done(found.result, found.ms);
      });
    },
    rejoin(i, entry, done) {
      if (isLocal(i)) return local.rejoin(indexInThread(threads, i), entry, done);
      ownerOf(i).request({ type: 'rejoin', node: indexInThread(threads, i), entry }, (m) => done((m as { result: JoinResult }).result));
    },
    at: (ms, callback) => local.at(ms, callback),
    async census() {
      const [, ...shares] = await Promise.all([
        Promise.all(workers.map((w) => w.refreshTraffic())), // a census brings traffic() up to date too (see Swarm.census)
        local.census(),
        ...workers.map(
          (w) => new Promise<Census>((resolve) => w.request({ type: 'census' }, (m) => resolve((m as { census: Census }).census))),
        ),
      ]);
      return shares.reduce(addCensus);
    },
    stop(i) {
      if (isLocal(i)) return local.stop(indexInThread(threads, i));
      ownerOf(i).send({ type: 'stop', node: indexInThread(threads, i) });
    },
    now: () => local.now(),
    async runUntil(done, tick) {
      await local.runUntil(failFast(done), tick);
      throwIfFailed();
    },
    async idle(ms, tick) {
      await local.idle(ms, tick);
      throwIfFailed();
    },
    traffic() {
      const mine = local.datagrams();
      const sent = workers.reduce((total, w) => total + w.traffic.sent, mine.sent);
      const received = workers.reduce((total, w) => total + w.traffic.received, mine.received);
      const totals = workers.reduce((total, w) => addTotals(total, w.traffic), local.rpcTotals());
      return { messages: sent, dropped: lostOnTheWay(sent, received), ...totals };
    },
    async refreshTraffic() {
      await Promise.all(workers.map((w) => w.refreshTraffic()));
    },
    drive: (start) => local.drive(start),
    close() {
      local.close();
      for (const w of workers) w.close();
    },
  };
}
