// A simulated network for tests and simulations: datagrams between in-process endpoints,
// delivered by the clock after a latency drawn from [min, max], or lost with probability
// `loss`. With a VirtualClock and a SeededRandom, a run is fully reproducible.
import type { Clock } from '../clock/clock.js';
import { type SlotSink, VirtualClock } from '../clock/virtual-clock.js';
import type { RandomSource } from '../util/random.js';
import { SeededRandom } from '../util/random.js';
import { refuseUnknownOptions } from '../util/options.js';
import type { Message } from '../protocol/messages.js';
import type { Address, DatagramHandler, MessageHandler, Transport } from './transport.js';
import { encodeMessage } from '../protocol/codec.js';
import { MAX_DATAGRAM_BYTES } from '../protocol/limits.js';
import { ipv4Host, packedIpv4 } from '../util/ipv4.js';

/**
 * A simulated endpoint's IPv4 address: endpoint p is a 10.x.y.z of its own (many
 * endpoints may share one when given it, as a sybil's do). Ports are unique across a
 * network: they name endpoints; the address is what per-IP rules see. The port's low 18
 * bits go where BEP 42's mask (0x030f3fff) reads them (x's low 4 bits, y's low 6, z), the
 * rest above them, so up to 262,144 endpoints get distinct masked addresses and ids
 * spread over the id space as real addresses' do.
 */
export function simHost(port: number): string {
  return ipv4Host(simIpv4(port));
}

/** simHost(port) as a packed IPv4 address. */
export function simIpv4(port: number): number {
  const x = ((port >>> 14) & 0x0f) | (((port >>> 18) & 0x0f) << 4);
  const y = ((port >>> 8) & 0x3f) | (((port >>> 22) & 0x03) << 6);
  return ((10 << 24) | (x << 16) | (y << 8) | (port & 0xff)) >>> 0;
}

export interface MemoryNetworkOptions {
  /** One-way latency range in ms (default [10, 50]). */
  latencyMs?: [number, number];
  /** Probability that a datagram is lost (default 0). */
  loss?: number;
  random?: RandomSource;
  /**
   * Carry decoded messages instead of MessagePack bytes (default false). Much cheaper per
   * message, for large simulations; the bytes path is what UDP uses and what the codec
   * tests cover. Raw datagrams can still be sent either way.
   */
  carryMessages?: boolean;
  /** Where datagrams to endpoints that live in other threads go (a simulation split over threads; needs a VirtualClock). */
  remote?: RemoteLink;
}

/** The way out of this thread, for datagrams to endpoints of a simulation that live in other threads. */
export interface RemoteLink {
  /** Whether the endpoint at `port` lives in another thread. */
  isRemote(port: number): boolean;
  /** Hands a datagram over, with the time it arrives and its clock key (see VirtualClock.scheduleAt). */
  send(at: number, actor: number, seq: number, from: Address, to: Address, payload: Uint8Array | Message): void;
}

export interface MemoryNetworkCounters {
  sent: number;
  delivered: number;
  lost: number;
  /** Sent to an address where nobody listens (e.g. a node that was killed). */
  undeliverable: number;
}

export class MemoryNetwork implements SlotSink {
  readonly counters: MemoryNetworkCounters = { sent: 0, delivered: 0, lost: 0, undeliverable: 0 };
  /**
   * Endpoints by port. An array, not a Map: every datagram looks its receiver up here, and
   * sim ports are dense from 1, so this is one indexed load instead of a hash probe.
   */
  private readonly endpoints: Array<MemoryTransport | undefined> = [];
  private nextPort = 1;
  private readonly latency: [number, number];
  private readonly loss: number;
  private readonly random: RandomSource;
  readonly carriesMessages: boolean;
  /**
   * The clock as a VirtualClock, when it is one: datagrams in flight are then records
   * here (payload, source, destination by slot), and the clock orders their slots.
   */
  private readonly virtualClock: VirtualClock | null;
  private readonly sink: number;
  private readonly payloads: Array<Uint8Array | Message | null> = [];
  private readonly sources: Array<Address | null> = [];
  private readonly destinations: Array<Address | null> = [];
  private readonly freeSlots: number[] = [];
  private readonly remote: RemoteLink | null;

  constructor(
    readonly clock: Clock,
    options: MemoryNetworkOptions = {},
  ) {
    refuseUnknownOptions(
      options,
      ['latencyMs', 'loss', 'random', 'carryMessages', 'remote'] satisfies Array<keyof MemoryNetworkOptions>,
      'network option',
    );
    this.latency = options.latencyMs ?? [10, 50];
    if (!(this.latency[0] >= 0 && this.latency[1] >= this.latency[0])) throw new RangeError('latency must be MIN-MAX with 0 <= MIN <= MAX');
    this.loss = options.loss ?? 0;
    if (!(this.loss >= 0 && this.loss < 1)) throw new RangeError('loss must be in [0, 1)');
    this.random = options.random ?? new SeededRandom(1);
    this.carriesMessages = options.carryMessages ?? false;
    this.virtualClock = clock instanceof VirtualClock ? clock : null;
    this.sink = this.virtualClock ? this.virtualClock.addSink(this) : -1;
    this.remote = options.remote ?? null;
    if (this.remote && !this.virtualClock) throw new TypeError('a network with a remote link needs a VirtualClock');
  }

  /**
   * A new endpoint; `port` picks it (default: the next free one), `host` its IPv4 address
   * (default: simHost(port)).
   */
  createTransport(port?: number, host?: string): MemoryTransport {
    const chosen = port ?? this.nextPort;
    if (!Number.isInteger(chosen) || chosen < 1 || chosen > 0xffffffff)
      throw new RangeError(`sim port must be 1 to 2^32 - 1 (got ${chosen})`);
    if (this.endpoints[chosen] !== undefined) throw new Error(`sim port ${chosen} is in use`);
    this.nextPort = Math.max(this.nextPort, chosen + 1);
    const local = { host: host ?? simHost(chosen), port: chosen };
    const transport = this.carriesMessages ? new MessageTransport(this, local) : new MemoryTransport(this, local);
    this.endpoints[chosen] = transport;
    return transport;
  }

  /** @internal */
  transmit(from: Address, to: Address, payload: Uint8Array | Message): void {
    this.counters.sent++;
    if ((payload instanceof Uint8Array && payload.length > MAX_DATAGRAM_BYTES) || (this.loss > 0 && this.random.float() < this.loss)) {
      this.counters.lost++;
      return;
    }
    const [min, max] = this.latency;
    const delay = min === max ? min : min + this.random.float() * (max - min);
    const clock = this.virtualClock;
    if (clock === null) {
      this.clock.setTimeout(() => this.arrive(to, payload, from), delay);
      return;
    }
    // keyed by the sender, whichever thread the receiver lives in
    const at = clock.now() + delay;
    const actor = clock.actor;
    const seq = clock.stamp();
    if (this.remote !== null && this.remote.isRemote(to.port)) this.remote.send(at, actor, seq, from, to, payload);
    else this.arriveAt(at, actor, seq, from, to, payload);
  }

  /**
   * A datagram that arrives at `to` at time `at`, keyed (actor, seq) for the clock: what
   * transmit does here, and what another thread of the simulation sent here.
   */
  arriveAt(at: number, actor: number, seq: number, from: Address, to: Address, payload: Uint8Array | Message): void {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.payloads.length;
      this.payloads.push(null);
      this.sources.push(null);
      this.destinations.push(null);
    }
    this.payloads[slot] = payload;
    this.sources[slot] = from;
    this.destinations[slot] = to;
    this.virtualClock!.scheduleSlotAt(this.sink, slot, at, actor, seq);
  }

  /** @internal The datagram in flight in `slot` is due: it runs as its receiver. */
  runSlot(slot: number): void {
    const payload = this.payloads[slot]!;
    const from = this.sources[slot]!;
    const to = this.destinations[slot]!;
    this.payloads[slot] = null;
    this.sources[slot] = null;
    this.destinations[slot] = null;
    this.freeSlots.push(slot);
    this.virtualClock!.actor = to.port;
    this.arrive(to, payload, from);
  }

  /** @internal A datagram reaches `to`, if anyone still listens there. */
  arrive(to: Address, payload: Uint8Array | Message, from: Address): void {
    const target = this.endpoints[to.port];
    if (!target || target.local.host !== to.host) {
      this.counters.undeliverable++;
      return;
    }
    this.counters.delivered++;
    target.deliver(payload, from);
  }

  /** @internal */
  detach(transport: MemoryTransport): void {
    if (this.endpoints[transport.local.port] === transport) this.endpoints[transport.local.port] = undefined;
  }
}

export class MemoryTransport implements Transport {
  private handler: DatagramHandler = () => {};
  protected messageHandler: MessageHandler | null = null;
  protected closed = false;

  constructor(
    protected readonly network: MemoryNetwork,
    readonly local: Address,
  ) {}

  /** Present on endpoints of a network that carries messages (MessageTransport). */
  sendMessage?(to: Address, message: Message): void;
  onMessage?(handler: MessageHandler): void;

  send(to: Address, datagram: Uint8Array): void {
    if (!this.closed) this.network.transmit(this.local, to, datagram);
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  accepts(address: Address & { ipv4?: number }): boolean {
    // arena records and decoded contacts carry their host's packed form: no lookup
    const ipv4 = address.ipv4 ?? packedIpv4(address.host);
    return ipv4 >= 0 && Number.isInteger(address.port) && address.port >= 1 && address.port <= 0xffffffff;
  }

  /** @internal */
  deliver(payload: Uint8Array | Message, from: Address): void {
    if (this.closed) return;
    if (payload instanceof Uint8Array) this.handler(payload, from);
    else if (this.messageHandler) this.messageHandler(payload, from);
    else this.handler(encodeMessage(payload), from); // an endpoint that only reads bytes
  }

  close(): void {
    this.closed = true;
    this.network.detach(this);
  }
}

/**
 * An endpoint of a network that carries decoded messages: a MemoryTransport that also has
 * sendMessage and onMessage (a subclass, so that a million endpoints share these methods
 * instead of holding two closures each).
 */
export class MessageTransport extends MemoryTransport {
  override sendMessage(to: Address, message: Message): void {
    if (!this.closed) this.network.transmit(this.local, to, message);
  }

  override onMessage(handler: MessageHandler): void {
    this.messageHandler = handler;
  }
}
