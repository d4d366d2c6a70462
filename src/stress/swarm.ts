// Many nodes in one process, on the simulated network (virtual time) or on real UDP
// sockets (one per node, on loopback or any local address). Phases drive both the same way.
import { RealClock } from '../clock/clock.js';
import { VirtualClock } from '../clock/virtual-clock.js';
import { MemoryNetwork } from '../net/memory-network.js';
import { UdpTransport } from '../net/udp-transport.js';
import { KademliaNode } from '../node/kademlia-node.js';
import type { NodeOptions } from '../node/options.js';
import { ContactArena } from '../routing/contact-arena.js';
import { type RandomSource, SeededRandom } from '../util/random.js';
import { FD_HEADROOM, openFileLimit } from './fd-limit.js';

export interface Swarm {
  readonly kind: 'udp' | 'sim';
  readonly nodes: KademliaNode[];
  /** ms on the run's time basis: virtual for sim, wall for udp. */
  now(): number;
  /** Runs the network until done() holds; `tick` runs between slices (progress bars). */
  runUntil(done: () => boolean, tick?: () => void): Promise<void>;
  /** Lets `ms` of the run's time pass with the network running. */
  idle(ms: number, tick?: () => void): Promise<void>;
  /** Datagrams sent, and those lost on the way (simulated loss, dead receivers, kernel drops). */
  traffic(): { messages: number; dropped: number };
  /** Starts an operation and resolves with its result, running the network meanwhile (sim: virtual time). */
  drive<T>(start: (done: (result: T) => void) => void): Promise<T>;
  close(): void;
}

export interface SwarmOptions {
  nodes: number;
  seed: number;
  node: NodeOptions;
  /** Default: SeededRandom(seed). Processes that must not share ids pass a CryptoRandom. */
  random?: RandomSource;
}

/** Yield to the event loop: lets sockets deliver, timers fire and progress bars redraw. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createSimSwarm(options: SwarmOptions & { latencyMs: [number, number]; loss: number }): Swarm {
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed);
  const network = new MemoryNetwork(clock, { latencyMs: options.latencyMs, loss: options.loss, random, carryMessages: true });
  const arena = new ContactArena(Math.max(1024, options.nodes * 2));
  const nodes: KademliaNode[] = [];
  for (let i = 0; i < options.nodes; i++) {
    const node = new KademliaNode(network.createTransport(i + 1), clock, { ...options.node, arena, random });
    node.start();
    nodes.push(node);
  }
  const swarm: Swarm = {
    kind: 'sim',
    nodes,
    now: () => clock.now(),
    async runUntil(done, tick) {
      // events in slices, so progress can be drawn; no real timer is ever involved
      while (!done()) {
        if (clock.runWhile(() => !done(), 20_000) === 0 && !done()) throw new Error('simulation stalled: no events left');
        tick?.();
        await yieldToEventLoop();
      }
    },
    async idle(ms, tick) {
      const until = clock.now() + ms;
      while (clock.now() < until) {
        clock.runUntil(Math.min(until, clock.now() + 60_000), 50_000);
        tick?.();
        await yieldToEventLoop();
      }
    },
    traffic: () => ({ messages: network.counters.sent, dropped: network.counters.lost + network.counters.undeliverable }),
    async drive<T>(start: (done: (result: T) => void) => void): Promise<T> {
      let outcome: { result: T } | undefined;
      start((result) => (outcome = { result }));
      await swarm.runUntil(() => outcome !== undefined);
      return outcome!.result;
    },
    close() {
      for (const node of nodes) node.stop();
    },
  };
  return swarm;
}

/** Refuses up front, naming the limit, when N sockets would not fit under `ulimit -n`. */
export function checkSocketBudget(nodes: number, limit = openFileLimit()): void {
  if (nodes + FD_HEADROOM > limit) {
    throw new Error(
      `--nodes ${nodes} needs ${nodes} UDP sockets but this process may open ${limit} files (ulimit -n); ` +
        `use at most ${Math.max(0, limit - FD_HEADROOM)} nodes per process, split the swarm over several "kademlia host" processes, or use --transport sim`,
    );
  }
}

export async function createUdpSwarm(options: SwarmOptions & { host: string; basePort: number }): Promise<Swarm> {
  checkSocketBudget(options.nodes);
  const clock = new RealClock();
  const random = options.random ?? new SeededRandom(options.seed);
  const arena = new ContactArena(Math.max(1024, options.nodes * 2));
  const transports: UdpTransport[] = [];
  try {
    for (let i = 0; i < options.nodes; i += 256) {
      const batch = [];
      for (let j = i; j < Math.min(options.nodes, i + 256); j++) {
        batch.push(UdpTransport.open(options.host, options.basePort === 0 ? 0 : options.basePort + j));
      }
      const settled = await Promise.allSettled(batch);
      for (const s of settled) if (s.status === 'fulfilled') transports.push(s.value);
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  } catch (error) {
    for (const t of transports) t.close();
    throw error;
  }
  const nodes = transports.map((transport) => {
    const node = new KademliaNode(transport, clock, { ...options.node, arena, random });
    node.start();
    return node;
  });
  const sum = (pick: (t: UdpTransport) => number) => transports.reduce((total, t) => total + pick(t), 0);
  return {
    kind: 'udp',
    nodes,
    now: () => performance.now(),
    async runUntil(done, tick) {
      let lastTick = performance.now();
      while (!done()) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (tick && performance.now() - lastTick > 100) {
          tick();
          lastTick = performance.now();
        }
      }
    },
    async idle(ms, tick) {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(200, until - performance.now())));
        tick?.();
      }
    },
    traffic() {
      const sent = sum((t) => t.counters.datagramsOut);
      const received = sum((t) => t.counters.datagramsIn + t.counters.oversizedIn);
      // failed sends, datagrams to stopped nodes, and kernel drops when a socket buffer was full
      return { messages: sent, dropped: Math.max(0, sent - received) };
    },
    drive: <T>(start: (done: (result: T) => void) => void) => new Promise<T>(start),
    close() {
      for (const node of nodes) node.stop();
    },
  };
}
