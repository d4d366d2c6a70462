// Many nodes in one process, on the simulated network (virtual time) or on real UDP
// sockets (one per node, on loopback or any local address). Phases drive both the same way.
import { RealClock } from '../clock/clock.js';
import { type CountedUdpTransport, udpSockets, type UdpIo } from '../net/udp-socket-group.js';
import { type GetResult, type JoinResult, KademliaNode, type StoreResult } from '../node/kademlia-node.js';
import type { Address, Transport } from '../net/transport.js';
import type { Message } from '../protocol/messages.js';
import { encodeMessage } from '../protocol/codec.js';
import { type NodeOptions, resolveNodeOptions } from '../node/options.js';
import { ContactArena } from '../routing/contact-arena.js';
import { type RandomSource, SeededRandom } from '../util/random.js';
import { FD_HEADROOM, openFileLimit } from './fd-limit.js';
import { packedIpv4 } from '../util/ipv4.js';

/** What phases do to node i, wherever it lives (this thread or a worker thread). */
export interface SwarmOps {
  join(i: number, entry: Address, done: (result: JoinResult) => void): void;
  /** Node i publishes value under key; key null: a BEP 44 immutable item, stored under the hash of its value. */
  publish(i: number, key: Uint8Array | null, value: Uint8Array, done: (result: StoreResult) => void): void;
  /** A lookup from node i (node 0 only, in a swarm split over threads); `ms` is how long it took on the run's time basis. */
  findValue(i: number, key: Uint8Array, done: (result: GetResult, ms: number) => void): void;
  stop(i: number): void;
  /** Node i comes back (or up for the first time) with its id and key and nothing else, and joins through `entry`. */
  rejoin(i: number, entry: Address, done: (result: JoinResult) => void): void;
}

export interface Traffic {
  /** Datagrams sent. */
  messages: number;
  /** Bytes the nodes sent (encoded sizes in a simulation, which carries messages, not bytes). */
  bytes: number;
  /** Datagrams lost on the way (simulated loss, dead receivers, kernel drops). */
  dropped: number;
  /** Requests that got no answer in time. */
  timeouts: number;
  /** Answers the nodes accepted, and how many of them were error answers (what a network under test said). */
  answers: number;
  errorAnswers: number;
  /** Exceptions the nodes caught and counted (receive path, upkeep, response callbacks): 0 unless there is a bug. */
  internalErrors: number;
}

/** What the attack scenarios need beyond the nodes (only for a swarm whose nodes all live in this thread). */
export interface AttackHooks {
  /** A new endpoint, at `host` or at an address of its own. */
  openEndpoint(host?: string): Promise<Transport>;
  /** The n-th of a range of addresses no node of the swarm has. */
  spareHost(n: number): string;
  /** Sends a message to `to` claiming to come from `from` (over UDP: from a socket of its own instead). */
  forge(from: Address, to: Address, message: Message): void;
}

export interface Swarm extends SwarmOps {
  readonly kind: 'udp' | 'sim';
  /** Nodes in the swarm, across every thread it spans. */
  readonly size: number;
  /** Nodes made in all: the first `size` start, the others are down until a rejoin brings them up. */
  readonly slots: number;
  /** Node 0, the entry point: always in this thread. */
  readonly entry: KademliaNode;
  /** The nodes that live in this thread: all of them unless the swarm spans worker threads. */
  readonly nodes: KademliaNode[];
  /** ms on the run's time basis: virtual for sim, wall for udp. */
  now(): number;
  /** Runs the network until done() holds; `tick` runs between slices (progress bars). */
  runUntil(done: () => boolean, tick?: () => void): Promise<void>;
  /** Lets `ms` of the run's time pass with the network running. */
  idle(ms: number, tick?: () => void): Promise<void>;
  /** Traffic so far; in worker threads as of their last report (see refreshTraffic). */
  traffic(): Traffic;
  /** Brings the worker threads' part of traffic() up to date. */
  refreshTraffic(): Promise<void>;
  /** Starts an operation and resolves with its result, running the network meanwhile (sim: virtual time). */
  drive<T>(start: (done: (result: T) => void) => void): Promise<T>;
  /** Runs `callback` at time `ms` on the run's time basis (now, if that has passed), while the network runs. */
  at(ms: number, callback: () => void): void;
  /** The nodes running and their routing tables, across every thread; brings traffic() up to date as refreshTraffic does. */
  census(): Promise<Census>;
  /** Present when every node lives in this thread. */
  readonly attackHooks?: AttackHooks;
  close(): void;
}

export interface SwarmOptions {
  nodes: number;
  seed: number;
  node: NodeOptions;
  /** Default: SeededRandom(seed). Processes that must not share ids pass a CryptoRandom. */
  random?: RandomSource;
}

/** SwarmOps.publish on one node: key null publishes an immutable item. */
export function publishOn(node: KademliaNode, key: Uint8Array | null, value: Uint8Array, done: (result: StoreResult) => void): void {
  if (key === null) node.publishImmutable(value, done);
  else node.publish(key, value, done);
}

/** SwarmOps over nodes that all live in this thread. */
export function localOps(nodes: KademliaNode[]): Omit<SwarmOps, 'rejoin'> {
  return {
    join: (i, entry, done) => nodes[i].join(entry, done),
    publish: (i, key, value, done) => publishOn(nodes[i], key, value, done),
    findValue(i, key, done) {
      const start = performance.now();
      nodes[i].findValue(key, (result) => done(result, performance.now() - start));
    },
    stop: (i) => nodes[i].stop(),
  };
}

/**
 * A node as it comes back after a session ends: a new node (made by `make`) with the old
 * one's id and key and the values it publishes, as a client restarted with its state keeps
 * them (a node keeps its identity across sessions, as Kad's and Mainline's clients do),
 * and nothing else: no contacts, nothing it held for others. Its values are due for
 * republishing from its first upkeep pass, or when it is told to publish them again.
 */
export function revived(old: KademliaNode, make: (id: Uint8Array, key: KademliaNode['key']) => KademliaNode): KademliaNode {
  old.stop();
  old.transport.close(); // a node that never started still holds its endpoint
  const node = make(old.id, old.key);
  node.resume({ contacts: [], published: old.savedState().published }); // before start: nothing goes out yet
  node.start();
  return node;
}

/** Failed sends, datagrams to stopped nodes, and kernel drops when a socket buffer was full. */
export const lostOnTheWay = (sent: number, received: number) => Math.max(0, sent - received);

/** What the nodes' RPC layers counted, summed: the part of Traffic that needs a pass over the nodes. */
export interface RpcTotals {
  timeouts: number;
  internalErrors: number;
  answers: number;
  errorAnswers: number;
  /** Bytes the nodes sent (see RpcCounters.bytesSent). */
  bytes: number;
}

/** RpcTotals' fields, in the order a simulation's threads report them (SimShare.traffic). */
export const RPC_TOTAL_FIELDS = ['timeouts', 'internalErrors', 'answers', 'errorAnswers', 'bytes'] as const satisfies ReadonlyArray<
  keyof RpcTotals
>;

/** The totals of `nodes` (none: all zero). */
export function rpcTotalsOf(nodes: readonly KademliaNode[]): RpcTotals {
  const totals: RpcTotals = { timeouts: 0, internalErrors: 0, answers: 0, errorAnswers: 0, bytes: 0 };
  for (const node of nodes) {
    const rpc = node.rpcCounters; // not stats(): that copies every counter, and this runs over every node
    totals.timeouts += rpc.timeouts;
    totals.internalErrors += node.exceptionsCaught;
    totals.answers += rpc.responsesAccepted;
    totals.errorAnswers += rpc.errorAnswers;
    totals.bytes += rpc.bytesSent;
  }
  return totals;
}

/** Adds b's counts to a's. */
/** Buckets a census counts one by one: the last takes every bucket past it (a million nodes fill ~17). */
export const BUCKETS_COUNTED = 32;

/** The nodes running, across every thread, and their routing tables' fill. */
export interface Census {
  running: number;
  contacts: number;
  /** Contacts per bucket, summed over the running nodes (bucket b: b leading bits shared with the node's id). */
  buckets: number[];
}

/** Running nodes among `nodes`, their contacts, and their contacts per bucket (the last bucket counted takes every farther one). */
export function censusOf(nodes: readonly KademliaNode[]): Census {
  const census: Census = { running: 0, contacts: 0, buckets: new Array<number>(BUCKETS_COUNTED).fill(0) };
  for (const node of nodes) {
    if (!node.isRunning) continue;
    census.running++;
    const fill = node.bucketFill();
    census.contacts += node.contactCount;
    for (let b = 0; b < fill.length; b++) census.buckets[Math.min(b, BUCKETS_COUNTED - 1)] += fill[b];
  }
  return census;
}

export function addCensus(a: Census, b: Census): Census {
  return { running: a.running + b.running, contacts: a.contacts + b.contacts, buckets: a.buckets.map((n, k) => n + b.buckets[k]) };
}

export function addTotals(a: RpcTotals, b: RpcTotals): RpcTotals {
  return {
    timeouts: a.timeouts + b.timeouts,
    internalErrors: a.internalErrors + b.internalErrors,
    answers: a.answers + b.answers,
    errorAnswers: a.errorAnswers + b.errorAnswers,
    bytes: a.bytes + b.bytes,
  };
}

/** Whether a swarm listening on `host` spreads its nodes over addresses (IPv4 loopback). */
export function spreadsOverLoopback(host: string): boolean {
  const ip = packedIpv4(host);
  return ip >= 0 && ip >>> 24 === 127;
}

/**
 * Where swarm node g listens. On IPv4 loopback, nodes spread over 127.0.0.0/8 (Linux
 * routes all of it to lo), one address each from `host` on: every per-IP rule of a node
 * (quotas, rate limits, contacts per IP, BEP 42) applies to them as to separate hosts.
 * Elsewhere they share `host` (see sharedAddressRules).
 */
export function nodeHost(host: string, g: number): string {
  if (!spreadsOverLoopback(host)) return host;
  const ip = packedIpv4(host);
  const spread = (ip + g) & 0xffffff; // stays in 127/8
  return `127.${spread >>> 16}.${(spread >>> 8) & 0xff}.${spread & 0xff}`;
}

/** Node options for a swarm whose nodes share one IP (not loopback): the per-IP rules would stop it working, so they are off. */
export function sharedAddressRules(host: string): NodeOptions {
  if (spreadsOverLoopback(host)) return {};
  return { maxContactsPerIp: Infinity, rateLimit: false, idFromIp: 'off' };
}

/** What a UDP swarm's node runs with: the run's settings over the rules for its address. */
export const udpNodeOptions = (host: string, node: NodeOptions): NodeOptions => ({ ...sharedAddressRules(host), ...node });

/** Refuses up front, naming the limit, when N sockets would not fit under `ulimit -n`. */
export function checkSocketBudget(nodes: number, limit = openFileLimit()): void {
  if (nodes + FD_HEADROOM > limit) {
    throw new Error(
      `--nodes ${nodes} needs ${nodes} UDP sockets but this process may open ${limit} files (ulimit -n); ` +
        `use at most ${Math.max(0, limit - FD_HEADROOM)} nodes per process, split the swarm over several "kademlia host" processes, or use --transport sim`,
    );
  }
}

/** A swarm on UDP sockets, with its raw datagram counts (threads add them up before subtracting). */
export interface UdpSwarm extends Swarm {
  /** How its sockets are read: the native socket set or dgram. */
  readonly io: UdpIo;
  datagrams(): { sent: number; received: number };
  /** What the nodes counted, those that rejoins replaced included. */
  rpcTotals(): RpcTotals;
}

export interface UdpSwarmOptions extends SwarmOptions {
  host: string;
  basePort: number;
  /** Node j listens on basePort + j * portStep (default 1; a thread of a threaded swarm skips the other threads' ports). */
  portStep?: number;
  /** The swarm-wide index of node 0 here (default 0): node j is firstIndex + j * portStep. */
  firstIndex?: number;
  /** How sockets are opened and read (see chooseUdpIo). */
  io: UdpIo;
  /** Nodes of the whole swarm that start (default all): the others wait, down, for a rejoin. */
  active?: number;
  /** Node j's saved id and key, where it has them (`kademlia host --state`). */
  identities?: ReadonlyArray<Pick<NodeOptions, 'id' | 'key'> | undefined>;
}

export async function createUdpSwarm(options: UdpSwarmOptions): Promise<UdpSwarm> {
  checkSocketBudget(options.nodes);
  const clock = new RealClock();
  const random = options.random ?? new SeededRandom(options.seed);
  const arena = new ContactArena(Math.max(1024, options.nodes * 2));
  const sockets = udpSockets(options.io);
  const transports: CountedUdpTransport[] = [];
  try {
    for (let i = 0; i < options.nodes; i += 256) {
      const batch = [];
      for (let j = i; j < Math.min(options.nodes, i + 256); j++) {
        const step = options.portStep ?? 1;
        const host = nodeHost(options.host, (options.firstIndex ?? 0) + j * step);
        batch.push(sockets.open(host, options.basePort === 0 ? 0 : options.basePort + j * step));
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
  const nodeOptions = resolveNodeOptions({ ...udpNodeOptions(options.host, options.node), arena, random });
  /** Addresses past the nodes', for attack endpoints. */
  let spare = options.nodes;
  let forger: Promise<CountedUdpTransport> | null = null;
  const nodes = transports.map((transport, j) => {
    const identity = options.identities?.[j];
    const node = new KademliaNode(transport, clock, identity ? { ...nodeOptions, ...identity } : nodeOptions);
    if ((options.firstIndex ?? 0) + j * (options.portStep ?? 1) < (options.active ?? Infinity)) node.start();
    return node;
  });
  const sum = (pick: (t: CountedUdpTransport) => number) => transports.reduce((total, t) => total + pick(t), 0);
  /** What the sockets of nodes that rejoined had counted. */
  const retired = { sent: 0, received: 0, rpc: rpcTotalsOf([]) };
  const datagrams = () => ({
    sent: retired.sent + sum((t) => t.counters.datagramsOut),
    received: retired.received + sum((t) => t.counters.datagramsIn + t.counters.oversizedIn),
  });
  /** Node j again, on a new socket at its address (any free port if its own is still held), with its id and key. */
  const revive = async (j: number): Promise<KademliaNode> => {
    const old = nodes[j];
    old.stop();
    transports[j].close(); // its port is free for the node's next session
    const { host, port } = transports[j].local;
    const transport = await sockets.open(host, port).catch(() => sockets.open(host, 0));
    retired.sent += transports[j].counters.datagramsOut;
    retired.received += transports[j].counters.datagramsIn + transports[j].counters.oversizedIn;
    retired.rpc = addTotals(retired.rpc, rpcTotalsOf([old]));
    transports[j] = transport;
    nodes[j] = revived(old, (id, key) => new KademliaNode(transport, clock, { ...nodeOptions, id, key }));
    return nodes[j];
  };
  return {
    kind: 'udp',
    io: sockets.io,
    size: Math.min(nodes.length, options.active ?? Infinity),
    slots: nodes.length,
    entry: nodes[0],
    nodes,
    ...localOps(nodes),
    rejoin(j, entry, done) {
      revive(j).then(
        (node) => node.join(entry, done),
        (error: unknown) =>
          done({ ok: false, contacts: 0, reason: `no socket: ${error instanceof Error ? error.message : String(error)}` }),
      );
    },
    now: () => performance.now(),
    at(ms, callback) {
      setTimeout(callback, Math.max(0, ms - performance.now()));
    },
    census: async () => censusOf(nodes),
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
    datagrams,
    traffic() {
      const { sent, received } = datagrams();
      return {
        messages: sent,
        dropped: lostOnTheWay(sent, received),
        ...addTotals(rpcTotalsOf(nodes), retired.rpc),
      };
    },
    rpcTotals: () => addTotals(rpcTotalsOf(nodes), retired.rpc),
    refreshTraffic: async () => {},
    drive: <T>(start: (done: (result: T) => void) => void) => new Promise<T>(start),
    attackHooks: {
      openEndpoint: async (host) => {
        const endpoint = await sockets.open(host ?? nodeHost(options.host, spare++), 0);
        transports.push(endpoint);
        return endpoint;
      },
      spareHost: (n) => nodeHost(options.host, options.nodes + 4096 + n),
      forge(_from, to, message) {
        // a process cannot forge a source address without raw sockets: send from an address of our own that no token was given to
        forger ??= sockets.open(nodeHost(options.host, spare++), 0).then((t) => (transports.push(t), t));
        void forger.then((t) => t.send(to, encodeMessage(message)));
      },
    },
    close() {
      for (const node of nodes) node.stop();
      for (const t of transports) t.close(); // attack endpoints, and the sockets of nodes that never started
    },
  };
}
