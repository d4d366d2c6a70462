// A small simulated network for node tests: virtual time, in-memory datagrams, one arena.
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { MemoryNetwork, type MemoryNetworkOptions } from '../../src/net/memory-network.js';
import { KademliaNode } from '../../src/node/kademlia-node.js';
import type { NodeOptions } from '../../src/node/options.js';
import { ContactArena } from '../../src/routing/contact-arena.js';
import { SeededRandom } from '../../src/util/random.js';

export interface Sim {
  clock: VirtualClock;
  network: MemoryNetwork;
  arena: ContactArena;
  nodes: KademliaNode[];
  addNode(options?: NodeOptions): KademliaNode;
  /** Starts an operation and runs virtual time until its callback fires. */
  settle<T>(start: (done: (result: T) => void) => void): T;
}

export function createSim(options: { seed?: number; network?: MemoryNetworkOptions; node?: NodeOptions } = {}): Sim {
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed ?? 1);
  const network = new MemoryNetwork(clock, { random, ...options.network });
  const arena = new ContactArena();
  const nodes: KademliaNode[] = [];
  const sim: Sim = {
    clock,
    network,
    arena,
    nodes,
    addNode(extra = {}) {
      const node = new KademliaNode(network.createTransport(), clock, { arena, random, ...options.node, ...extra });
      node.start();
      nodes.push(node);
      return node;
    },
    settle<T>(start: (done: (result: T) => void) => void): T {
      let result: { value: T } | undefined;
      start((value) => (result = { value }));
      clock.runWhile(() => result === undefined);
      if (!result) throw new Error('operation never finished');
      return result.value;
    },
  };
  return sim;
}

/** n nodes, each joined through node 0. */
export function createNetwork(n: number, options: Parameters<typeof createSim>[0] = {}): Sim {
  const sim = createSim(options);
  const entry = sim.addNode();
  for (let i = 1; i < n; i++) {
    const node = sim.addNode();
    const joined = sim.settle<{ ok: boolean }>((done) => node.join(entry.address, done));
    if (!joined.ok) throw new Error(`node ${i} could not join`);
  }
  return sim;
}

export const text = (s: string) => new TextEncoder().encode(s);
export const untext = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
