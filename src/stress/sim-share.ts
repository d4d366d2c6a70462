// One thread's part of a simulation split over threads: its nodes, its virtual clock and
// its network, and the records it exchanges with the other threads after each window
// (datagrams to their nodes, the driver's orders, the results of those orders).
//
// Node i of the swarm lives in the thread Placement gives it, at port i + 1; a node is its port's
// actor on the clock, with a random stream of its own (ActorRandom), so what it does does
// not depend on which thread it lives in. The driver (the phases: who joins, publishes,
// looks up, stops) lives in thread 0: its orders reach a node one window after they are
// given, and the results come back at the next barrier, in the clock's order.
import { VirtualClock } from '../clock/virtual-clock.js';
import { ClockEvent } from '../clock/clock-event.js';
import { MemoryNetwork, type RemoteLink } from '../net/memory-network.js';
import type { Address } from '../net/transport.js';
import { type GetResult, type JoinResult, KademliaNode, type StoreResult } from '../node/kademlia-node.js';
import { type NodeOptions, resolveNodeOptions } from '../node/options.js';
import type { Message } from '../protocol/messages.js';
import { ContactArena } from '../routing/contact-arena.js';
import { ActorRandom } from '../clock/actor-random.js';
import { ipv4Host, packedIpv4 } from '../util/ipv4.js';
import { RecordReader, RecordWriter } from './record-queue.js';
import { MessageRecords, NodeIdTable } from './message-record.js';
import { Placement } from './sim-placement.js';
import { addTotals, censusOf, publishOn, revived, RPC_TOTAL_FIELDS, type RpcTotals, rpcTotalsOf } from './swarm.js';

export interface SimShareSetup {
  /** Nodes in the whole swarm: the first `active` start at once, the others are down until they join (continuous churn). */
  nodes: number;
  active: number;
  threads: number;
  /** Which thread this share is. */
  thread: number;
  seed: number;
  latencyMs: [number, number];
  loss: number;
  /** Plain settings (no arena, no random: each share makes its own). */
  node: NodeOptions;
  /** Every node's id by port (NodeIdTable): each share writes its own nodes'. */
  ids: SharedArrayBuffer;
}

/**
 * The queues between threads: out[parity][to] written here (to = threads: results for the
 * driver), inbound[parity][from] read here, results[parity][from] read by thread 0; null
 * where a thread would write to itself. Each direction has two buffers, used in alternate
 * rounds. Results travel apart from datagrams so that thread 0 reads them alone while the
 * others wait for its orders, and the datagrams once they run again.
 */
export interface ShareQueues {
  out: Array<Array<SharedArrayBuffer | null>>;
  inbound: Array<Array<SharedArrayBuffer | null>>;
  results: Array<Array<SharedArrayBuffer | null>>;
}

/** What a simulated node runs with: the run's settings over modelled signatures and tokens. */
export const simNodeOptions = (node: NodeOptions): NodeOptions => ({ crypto: 'model', ...node });

/** Node i's port: its address and its actor on the clock. */
export const portOfNode = (i: number) => i + 1;

/** What the driver asks of a node. */
export type Order =
  | { kind: 'join'; entry: Address }
  /** The node comes back (or up for the first time): its id and key, nothing else it had; then it joins through `entry`. */
  | { kind: 'rejoin'; entry: Address }
  /** key null: an immutable item (its key is the hash of the value). */
  | { kind: 'publish'; key: Uint8Array | null; value: Uint8Array }
  | { kind: 'find'; key: Uint8Array }
  | { kind: 'stop' };

/** An order's result: a find's carries the lookup's time on the node's clock. */
export type OrderResult = JoinResult | StoreResult | (GetResult & { ms: number });

/** A result on its way to the driver, keyed like an event (when, whose, that actor's count). */
export interface Completion {
  at: number;
  actor: number;
  seq: number;
  order: number;
  result: OrderResult;
}

/** A datagram's payload: raw bytes, or a message as a record (message-record.ts). */
const RAW = 0;
const RECORD = 1;
const DATAGRAM = 1;
const ORDER = 2;
const COMPLETION = 3;
const ORDER_KINDS = ['join', 'publish', 'find', 'stop', 'rejoin'] as const;
/** How a completion's result is written: which of OrderResult it is. */
const JOINED = 0;
const PUBLISHED = 1;
const FOUND = 2;
const NO_KEY = new Uint8Array(0);

/** An order, as a clock event keyed by the driver: it runs as the node it is for. */
class OrderEvent extends ClockEvent {
  constructor(
    private readonly share: SimShare,
    private readonly node: number,
    private readonly order: number,
    private readonly what: Order,
  ) {
    super();
  }

  run(): void {
    this.share.carryOut(this.node, this.order, this.what);
  }
}

export class SimShare implements RemoteLink {
  readonly clock = new VirtualClock();
  readonly network: MemoryNetwork;
  /** This thread's nodes, in swarm order: node i is nodes[placement.index(i)]. */
  readonly nodes: KademliaNode[] = [];
  /** Results of orders, for the driver (thread 0 only). */
  readonly completions: Completion[] = [];
  /** The earliest arrival among the records sent out this round (Infinity: none). */
  earliestOut = Infinity;
  private round = 0;
  private readonly records: MessageRecords;
  private readonly placement: Placement;
  private readonly writers: RecordWriter[][];
  private readonly readers: Array<Array<RecordReader | null>>;
  private readonly resultReaders: Array<Array<RecordReader | null>>;
  /** The settings every node here is made with (a rejoining node too). */
  private readonly options: NodeOptions;
  /** What the nodes replaced by rejoins had counted. */
  private retired: RpcTotals = rpcTotalsOf([]);

  constructor(
    readonly setup: SimShareSetup,
    queues: ShareQueues,
  ) {
    const { nodes, threads, thread, seed } = setup;
    this.writers = queues.out.map((row) => row.map((b) => new RecordWriter(b ?? new SharedArrayBuffer(8))));
    const readersOf = (rows: Array<Array<SharedArrayBuffer | null>>) => rows.map((row) => row.map((b) => (b ? new RecordReader(b) : null)));
    this.readers = readersOf(queues.inbound);
    this.resultReaders = readersOf(queues.results);
    const random = new ActorRandom(seed, this.clock);
    this.network = new MemoryNetwork(this.clock, {
      latencyMs: setup.latencyMs,
      loss: setup.loss,
      random,
      carryMessages: true,
      ...(threads > 1 ? { remote: this } : {}),
    });
    const placement = (this.placement = new Placement(nodes, threads));
    const arena = new ContactArena(Math.max(1024, placement.counts[thread] * 2));
    // resolved once, shared by every node here; signatures and tokens modelled (security/crypto-suite.ts)
    const options = (this.options = resolveNodeOptions({ ...simNodeOptions(setup.node), arena, random }));
    const ids = new NodeIdTable(setup.ids, nodes);
    for (let i = 0; i < nodes; i++) {
      if (placement.thread(i) !== thread) continue;
      // the node draws its id and its timers' phases from its own stream
      this.clock.actor = portOfNode(i);
      const node = new KademliaNode(this.network.createTransport(portOfNode(i)), this.clock, options);
      if (i < setup.active) node.start();
      ids.set(portOfNode(i), node.id);
      this.nodes.push(node);
    }
    this.clock.actor = 0;
    this.records = new MessageRecords(ids, arena);
  }

  /** Node i of the swarm, if it lives here. */
  node(i: number): KademliaNode | undefined {
    return this.placement.thread(i) === this.setup.thread ? this.nodes[this.placement.index(i)] : undefined;
  }

  isRemote(port: number): boolean {
    const i = port - 1;
    return i >= 0 && i < this.setup.nodes && this.placement.thread(i) !== this.setup.thread;
  }

  send(at: number, actor: number, seq: number, from: Address, to: Address, payload: Uint8Array | Message): void {
    const out = this.writerTo(this.placement.thread(to.port - 1), at);
    out.u8(DATAGRAM);
    out.f64(at);
    out.u32(actor);
    out.f64(seq);
    out.u32(packedIpv4(from.host) >>> 0);
    out.u32(from.port);
    out.u32(packedIpv4(to.host) >>> 0);
    out.u32(to.port);
    if (payload instanceof Uint8Array) {
      out.u8(RAW);
      out.blob(payload);
    } else {
      out.u8(RECORD);
      this.records.write(out, payload);
    }
  }

  /**
   * The driver's order for node i, due at `at` and keyed (at, 0, seq): scheduled here, or
   * sent to the node's thread.
   */
  give(i: number, at: number, seq: number, order: number, what: Order): void {
    const thread = this.placement.thread(i);
    if (thread === this.setup.thread) {
      this.clock.scheduleAt(new OrderEvent(this, i, order, what), at, 0, seq);
      return;
    }
    const out = this.writerTo(thread, at);
    out.u8(ORDER);
    out.f64(at);
    out.f64(seq);
    out.u32(i);
    out.u32(order);
    out.u8(ORDER_KINDS.indexOf(what.kind));
    if (what.kind === 'join' || what.kind === 'rejoin') {
      out.u32(packedIpv4(what.entry.host) >>> 0);
      out.u32(what.entry.port);
    } else if (what.kind === 'publish') {
      out.blob(what.key ?? NO_KEY); // an id is never empty: empty stands for none
      out.blob(what.value);
    } else if (what.kind === 'find') out.blob(what.key);
  }

  /** @internal Runs order `order` on node i (an OrderEvent, as the node's actor). */
  carryOut(i: number, order: number, what: Order): void {
    const node = this.node(i)!;
    this.clock.actor = portOfNode(i);
    switch (what.kind) {
      case 'join':
        return node.join(what.entry, (result) => this.complete(order, result));
      case 'rejoin':
        return this.revive(i).join(what.entry, (result) => this.complete(order, result));
      case 'publish':
        return publishOn(node, what.key, what.value, (result) => this.complete(order, result));
      case 'find': {
        const start = this.clock.now();
        return node.findValue(what.key, (result) => this.complete(order, { ...result, ms: this.clock.now() - start }));
      }
      case 'stop':
        return node.stop();
    }
  }

  /** Node i as it comes back (see revived): ids never change under a port, which is what records rely on. */
  private revive(i: number): KademliaNode {
    const index = this.placement.index(i);
    const old = this.nodes[index];
    this.retired = addTotals(this.retired, rpcTotalsOf([old]));
    const node = revived(
      old,
      (id, key) => new KademliaNode(this.network.createTransport(portOfNode(i)), this.clock, { ...this.options, id, key }),
    );
    this.nodes[index] = node;
    return node;
  }

  /** An order's result, keyed by the node that finished it. */
  private complete(order: number, result: OrderResult): void {
    const at = this.clock.now();
    const actor = this.clock.actor;
    const seq = this.clock.stamp();
    if (this.setup.thread === 0) {
      this.completions.push({ at, actor, seq, order, result });
      return;
    }
    const out = this.writerTo(this.setup.threads, Infinity);
    out.u8(COMPLETION);
    out.f64(at);
    out.u32(actor);
    out.f64(seq);
    out.u32(order);
    if ('ok' in result) {
      out.u8(JOINED);
      out.u8(result.ok ? 1 : 0);
      out.u32(result.contacts);
      out.blob(Buffer.from(result.reason));
    } else if ('replicas' in result) {
      out.u8(PUBLISHED);
      out.u32(result.replicas);
      out.u32(result.attempted);
      out.u32(result.refusals.length);
      for (const reason of result.refusals) out.blob(Buffer.from(reason));
    } else {
      // what the driver reads of a lookup: the value, its hops, whom it asked and how long it took
      out.u8(FOUND);
      out.blob(result.value ?? NO_KEY);
      out.u8(result.value === null ? 0 : 1);
      out.u32(result.hops);
      out.u32(result.queried);
      out.f64(result.ms);
    }
  }

  /** Starts a round: this round's outgoing buffers, emptied. */
  beginRound(): void {
    this.round++;
    for (const writer of this.writers[this.round & 1]) writer.reset();
    this.earliestOut = Infinity;
  }

  /** Makes what this round wrote readable by the other threads (before the barrier). */
  publishRound(): void {
    for (const writer of this.writers[this.round & 1]) writer.publish();
  }

  /** Takes in the datagrams and orders the other threads wrote to this one in round `round`. */
  receive(round: number): void {
    this.readAll(this.readers[round & 1]);
  }

  /** Thread 0: takes in the results the other threads wrote in round `round`. */
  receiveResults(round: number): void {
    this.readAll(this.resultReaders[round & 1]);
  }

  private readAll(readers: Array<RecordReader | null>): void {
    for (const reader of readers) {
      if (reader === null) continue;
      reader.start();
      while (reader.more) this.receiveRecord(reader);
    }
  }

  get currentRound(): number {
    return this.round;
  }

  private receiveRecord(reader: RecordReader): void {
    const kind = reader.u8();
    // every record is due at or after the window it is read in: anything earlier would be a bug in the windows
    const due = reader.peekF64();
    if (kind !== COMPLETION && due < this.clock.now())
      throw new Error(`a record from another thread is due at ${due}, before ${this.clock.now()}`);
    if (kind === DATAGRAM) {
      const at = reader.f64();
      const actor = reader.u32();
      const seq = reader.f64();
      const from = { host: ipv4Host(reader.u32()), port: reader.u32() };
      const to = { host: ipv4Host(reader.u32()), port: reader.u32() };
      const payload = reader.u8() === RAW ? reader.blob() : this.records.read(reader);
      return this.network.arriveAt(at, actor, seq, from, to, payload);
    }
    if (kind === ORDER) {
      const at = reader.f64();
      const seq = reader.f64();
      const i = reader.u32();
      const order = reader.u32();
      const what = ORDER_KINDS[reader.u8()];
      let given: Order;
      if (what === 'join' || what === 'rejoin') given = { kind: what, entry: { host: ipv4Host(reader.u32()), port: reader.u32() } };
      else if (what === 'publish') {
        const key = reader.blob();
        given = { kind: 'publish', key: key.length === 0 ? null : key, value: reader.blob() };
      } else if (what === 'find') given = { kind: 'find', key: reader.blob() };
      else given = { kind: 'stop' };
      return this.give(i, at, seq, order, given);
    }
    if (kind === COMPLETION) {
      const at = reader.f64();
      const actor = reader.u32();
      const seq = reader.f64();
      const order = reader.u32();
      let result: OrderResult;
      const written = reader.u8();
      if (written === JOINED) {
        const ok = reader.u8() === 1;
        const contacts = reader.u32();
        result = { ok, contacts, reason: Buffer.from(reader.blob()).toString() };
      } else if (written === PUBLISHED) {
        const replicas = reader.u32();
        const attempted = reader.u32();
        const refusals = Array.from({ length: reader.u32() }, () => Buffer.from(reader.blob()).toString());
        result = { replicas, attempted, refusals };
      } else {
        const bytes = reader.blob();
        const value = reader.u8() === 1 ? bytes : null;
        result = { value, auth: null, hops: reader.u32(), queried: reader.u32(), ms: reader.f64() };
      }
      this.completions.push({ at, actor, seq, order, result });
      return;
    }
    throw new Error(`unknown record kind ${kind} between threads`);
  }

  private writerTo(thread: number, at: number): RecordWriter {
    if (at < this.earliestOut) this.earliestOut = at;
    return this.writers[this.round & 1][thread];
  }

  /** What this thread's nodes have counted, the nodes that rejoins replaced included. */
  rpcTotals(): RpcTotals {
    return addTotals(rpcTotalsOf(this.nodes), this.retired);
  }

  /** Counters for the driver: datagrams sent and lost (cheap); with the nodes, timeouts and errors, then the census (a pass over them). */
  traffic(withNodes: boolean): number[] {
    const c = this.network.counters;
    const counted = [c.sent, c.lost + c.undeliverable];
    if (!withNodes) return counted;
    const t = this.rpcTotals();
    const census = censusOf(this.nodes);
    // the layout of sim-control.ts: RPC_AT, then CENSUS_AT
    return [...counted, ...RPC_TOTAL_FIELDS.map((field) => t[field]), census.running, census.contacts, ...census.buckets];
  }
}
