// A simulated swarm on one or more threads: a conservative parallel discrete-event
// simulation. Time advances in windows no longer than the shortest one-way latency, so
// nothing a node sends inside a window can arrive before the window ends: each thread runs
// its nodes' events of the window on its own, then all meet at a barrier and hand over
// what crossed threads. Every event is keyed by the actor that made it (see precedes), and
// every node draws from a random stream of its own, so the same seed gives the same run
// for any number of threads; one thread runs the very same rounds, without the barriers.
import { Worker } from 'node:worker_threads';
import type { Address } from '../net/transport.js';
import type { GetResult, JoinResult, StoreResult } from '../node/kademlia-node.js';
import { newQueueBuffer } from './record-queue.js';
import { NodeIdTable } from './message-record.js';
import { CENSUS_AT, RPC_AT, SimControl, type Mode } from './sim-control.js';
import { type Order, type OrderResult, type ShareQueues, SimShare, type SimShareSetup } from './sim-share.js';
import type { SimWorkerData } from './sim-worker.js';
import {
  addCensus,
  addTotals,
  BUCKETS_COUNTED,
  type Census,
  censusOf,
  RPC_TOTAL_FIELDS,
  type RpcTotals,
  rpcTotalsOf,
  type Swarm,
  type SwarmOptions,
  type Traffic,
} from './swarm.js';
import { ClockEvent } from '../clock/clock-event.js';

export interface SimSwarmOptions extends SwarmOptions {
  latencyMs: [number, number];
  loss: number;
  /** Threads the nodes are split over, this one included (default 1). */
  threads?: number;
  /** Nodes made after the `nodes` that start: down until a rejoin brings them up (continuous churn; default 0). */
  spares?: number;
}

/** Something the driver does at a time of its choosing: it runs inside thread 0's window, as actor 0. */
class DriverEvent extends ClockEvent {
  constructor(private readonly callback: () => void) {
    super();
  }

  run(): void {
    this.callback();
  }
}

/** Rounds run between yields to the event loop (progress bars, signals) at most this far apart in wall time. */
const SLICE_MS = 50;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The window: the shortest latency, so a window's datagrams all land in later windows (1 ms when it is 0, on one thread). */
export function simWindowMs(latencyMs: [number, number], threads: number): number {
  if (latencyMs[0] > 0) return latencyMs[0];
  if (threads > 1)
    throw new RangeError('a simulation on several threads needs a shortest latency above 0 (--latency MIN-MAX with MIN > 0)');
  return 1;
}

/**
 * The queue buffers of every direction between threads, [parity][from][to], where `to` =
 * threads is the results channel to the driver (null where a thread would write to itself).
 */
function queueBuffers(threads: number): Array<Array<Array<SharedArrayBuffer | null>>> {
  // thread 0 is the driver: it sends itself no results
  const needed = (from: number, to: number) => from !== to && !(from === 0 && to === threads);
  return [0, 1].map(() =>
    Array.from({ length: threads }, (_, from) =>
      Array.from({ length: threads + 1 }, (_, to) => (threads > 1 && needed(from, to) ? newQueueBuffer() : null)),
    ),
  );
}

function queuesOf(buffers: Array<Array<Array<SharedArrayBuffer | null>>>, thread: number, threads: number): ShareQueues {
  return {
    out: buffers.map((parity) => parity[thread]),
    inbound: buffers.map((parity) => parity.map((row) => row[thread])),
    results: buffers.map((parity) => parity.map((row) => (thread === 0 ? row[threads] : null))),
  };
}

/** The driver's side of a simulated swarm: thread 0's share, the workers, and the orders in flight. */
class SimDriver {
  readonly share: SimShare;
  readonly window: number;
  readonly threads: number;
  private readonly control: SimControl | null;
  private readonly workers: Worker[] = [];
  private readonly ready: Promise<void>;
  private readonly callbacks = new Map<number, (result: OrderResult) => void>();
  private nextOrder = 0;
  /** While a result's callback runs: its time, which is the driver's now. */
  private callbackAt: number | null = null;
  /** The other threads' RpcTotals as of the last gather. */
  private gathered: RpcTotals = rpcTotalsOf([]);
  /** The other threads' census as of the last gather. */
  private gatheredCensus: Census = { running: 0, contacts: 0, buckets: [] };
  private closed = false;

  constructor(options: SimSwarmOptions) {
    this.threads = Math.max(1, Math.min(options.threads ?? 1, options.nodes));
    this.window = simWindowMs(options.latencyMs, this.threads);
    const slots = options.nodes + (options.spares ?? 0);
    const ids = NodeIdTable.create(slots);
    const setup = (thread: number): SimShareSetup => ({
      nodes: slots,
      active: options.nodes,
      threads: this.threads,
      thread,
      seed: options.seed,
      latencyMs: options.latencyMs,
      loss: options.loss,
      node: options.node,
      ids: ids.buffer,
    });
    const buffers = queueBuffers(this.threads);
    this.control = this.threads > 1 ? SimControl.create(this.threads) : null;
    const started: Array<Promise<void>> = [];
    for (let t = 1; t < this.threads; t++) {
      const workerData: SimWorkerData = { setup: setup(t), queues: queuesOf(buffers, t, this.threads), control: this.control!.buffer };
      const worker = new Worker(new URL('./sim-worker.js', import.meta.url), { workerData });
      this.workers.push(worker);
      started.push(
        new Promise((resolve, reject) => {
          worker.on('message', (message: { type: string; message?: string }) => {
            if (message.type === 'ready') resolve();
            else if (message.type === 'failed') reject(new Error(message.message));
          });
          worker.on('error', reject);
          worker.on('exit', (code) => reject(new Error(`simulation thread ${t} exited (code ${code}) before it was ready`)));
        }),
      );
    }
    // thread 0 builds its share while the workers build theirs
    this.share = new SimShare(setup(0), queuesOf(buffers, 0, this.threads));
    this.ready = Promise.all(started).then(() => {});
    this.ready.catch(() => {}); // reported where it is awaited
  }

  /** The driver's time: a result's while its callback runs, else where every thread's clock stands. */
  now(): number {
    return this.callbackAt ?? this.share.clock.now();
  }

  /** Gives node i an order, due one window from now; `done` gets its result. */
  give(i: number, what: Order, done?: (result: OrderResult) => void): void {
    if (this.closed) throw new Error('the simulation is closed');
    const order = this.nextOrder++;
    if (done) this.callbacks.set(order, done);
    const clock = this.share.clock;
    const running = clock.actor; // an order given from inside a node's callback (one thread only)
    clock.actor = 0;
    const seq = clock.stamp();
    clock.actor = running;
    this.share.give(i, this.now() + this.window, seq, order, what);
  }

  /** Runs `callback` at time `at` of the run (at the earliest now), in thread 0's window. */
  at(at: number, callback: () => void): void {
    const clock = this.share.clock;
    const running = clock.actor;
    clock.actor = 0;
    clock.scheduleAt(new DriverEvent(callback), Math.max(at, clock.now()), 0, clock.stamp());
    clock.actor = running;
  }

  /** The earliest event any thread knows of. */
  private nextStart(): number {
    let at = Math.min(this.share.clock.nextAt(), this.share.earliestOut);
    for (let t = 1; t < this.threads; t++) at = Math.min(at, this.control!.nextAt(t));
    return at;
  }

  /** One round: every thread runs its events before `end` (mode run), or reports its counters (gather). */
  private round(mode: Mode, end: number): void {
    const share = this.share;
    const control = this.control;
    if (control) {
      share.publishRound();
      control.order(mode, end);
      control.arrive(); // the workers start the round
      share.receive(share.currentRound);
    }
    share.beginRound();
    if (mode === 'run') share.clock.runBefore(end);
    if (control) {
      control.arrive(); // every worker has run it and written what crosses threads
      const failure = control.failure;
      if (failure) throw new Error(failure);
      share.receiveResults(share.currentRound);
      if (mode === 'gather') {
        const sum = (k: number) => {
          let total = 0;
          for (let t = 1; t < this.threads; t++) total += control.traffic(t, k);
          return total;
        };
        const gathered = rpcTotalsOf([]);
        RPC_TOTAL_FIELDS.forEach((field, i) => (gathered[field] = sum(RPC_AT + i)));
        this.gathered = gathered;
        this.gatheredCensus = {
          running: sum(CENSUS_AT),
          contacts: sum(CENSUS_AT + 1),
          buckets: Array.from({ length: BUCKETS_COUNTED }, (_, b) => sum(CENSUS_AT + 2 + b)),
        };
      }
    }
    this.settle();
  }

  /** Runs the callbacks of the results this round brought, in the clock's order. */
  private settle(): void {
    const completions = this.share.completions;
    if (completions.length === 0) return;
    const due = completions.splice(0).sort((a, b) => a.at - b.at || a.actor - b.actor || a.seq - b.seq);
    try {
      for (const completion of due) {
        const done = this.callbacks.get(completion.order);
        this.callbacks.delete(completion.order);
        this.callbackAt = completion.at;
        done?.(completion.result);
      }
    } finally {
      this.callbackAt = null;
    }
  }

  async runUntil(done: () => boolean, tick?: () => void): Promise<void> {
    await this.ready;
    while (!done()) {
      const sliceEnd = performance.now() + SLICE_MS;
      while (!done() && performance.now() < sliceEnd) {
        const start = this.nextStart();
        if (start === Infinity) throw new Error('simulation stalled: no events left');
        this.round('run', start + this.window);
      }
      tick?.();
      await yieldToEventLoop();
    }
  }

  async idle(ms: number, tick?: () => void): Promise<void> {
    await this.ready;
    const until = this.now() + ms;
    for (;;) {
      const sliceEnd = performance.now() + SLICE_MS;
      while (performance.now() < sliceEnd) {
        const start = this.nextStart();
        // the last round brings every clock to `until`, even with nothing left to run
        const end = Math.min(start + this.window, until);
        this.round('run', end);
        if (end === until) return;
      }
      tick?.();
      await yieldToEventLoop();
    }
  }

  /** Traffic so far: the workers' part of timeouts and errors as of the last gather (refreshTraffic). */
  traffic(): Traffic {
    const [sent, dropped] = this.share.traffic(false);
    let messages = sent;
    let lost = dropped;
    for (let t = 1; t < this.threads; t++) {
      messages += this.control!.traffic(t, 0);
      lost += this.control!.traffic(t, 1);
    }
    return {
      messages,
      dropped: lost,
      ...addTotals(this.share.rpcTotals(), this.gathered),
    };
  }

  async refreshTraffic(): Promise<void> {
    if (this.threads === 1) return;
    await this.ready;
    this.round('gather', this.share.clock.now());
  }

  /** The running nodes and their tables, over every thread (a gather round when there are several). */
  async census(): Promise<Census> {
    const here = censusOf(this.share.nodes);
    if (this.threads === 1) return here;
    await this.refreshTraffic();
    return addCensus(here, this.gatheredCensus);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const node of this.share.nodes) node.stop();
    if (!this.control) return;
    // workers still starting are stopped; ready ones leave their loop at the next barrier
    void this.ready.then(
      () => {
        this.control!.order('stop', 0);
        this.share.publishRound();
        this.control!.arrive();
      },
      () => {},
    );
    for (const worker of this.workers) {
      worker.removeAllListeners('exit');
      void this.ready.catch(() => worker.terminate());
      worker.unref();
    }
  }
}

export function createSimSwarm(options: SimSwarmOptions): Swarm {
  const driver = new SimDriver(options);
  const { share } = driver;
  const single = driver.threads === 1;
  const onlyOneThread = (what: string) => {
    if (!single) throw new Error(`${what} needs every node in this thread (--threads 1)`);
  };
  const swarm: Swarm = {
    kind: 'sim',
    size: options.nodes,
    slots: options.nodes + (options.spares ?? 0),
    entry: share.nodes[0],
    nodes: share.nodes,
    join: (i, entry: Address, done: (result: JoinResult) => void) => driver.give(i, { kind: 'join', entry }, (r) => done(r as JoinResult)),
    publish: (i, key, value, done: (result: StoreResult) => void) =>
      driver.give(i, { kind: 'publish', key, value }, (r) => done(r as StoreResult)),
    findValue: (i, key, done: (result: GetResult, ms: number) => void) =>
      driver.give(i, { kind: 'find', key }, (r) => {
        const { ms, ...result } = r as GetResult & { ms: number };
        done(result, ms);
      }),
    stop: (i) => driver.give(i, { kind: 'stop' }),
    rejoin: (i, entry: Address, done: (result: JoinResult) => void) =>
      driver.give(i, { kind: 'rejoin', entry }, (r) => done(r as JoinResult)),
    at: (ms, callback) => driver.at(ms, callback),
    census: () => driver.census(),
    now: () => driver.now(),
    runUntil: (done, tick) => driver.runUntil(done, tick),
    idle: (ms, tick) => driver.idle(ms, tick),
    traffic: () => driver.traffic(),
    refreshTraffic: () => driver.refreshTraffic(),
    async drive<T>(start: (done: (result: T) => void) => void): Promise<T> {
      onlyOneThread('driving a node directly');
      let outcome: { result: T } | undefined;
      start((result) => (outcome = { result }));
      await driver.runUntil(() => outcome !== undefined);
      return outcome!.result;
    },
    ...(single
      ? {
          attackHooks: {
            openEndpoint: async (host?: string) => share.network.createTransport(undefined, host),
            spareHost: (n: number) => `100.64.${(n >>> 8) & 0xff}.${n & 0xff}`,
            forge: (from, to, message) => share.network.transmit(from, to, message),
          },
        }
      : {}),
    close: () => driver.close(),
  };
  return swarm;
}
