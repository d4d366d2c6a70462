// UDP transports for many nodes in one thread, on the native socket set: every socket
// behind one epoll descriptor, read in batches with recvmmsg (native/udp_socket_set.cc).
// Each node still gets a Transport of its own that behaves like UdpTransport (same
// address checks, counters, bind errors), at a fraction of dgram's cost per datagram:
// no Buffer, no libuv wakeup and no JS layers per datagram.
import { isIP } from 'node:net';
import { loadNativeAddon, type NativeSocketSet } from '../native/binding.js';
import { MAX_DATAGRAM_BYTES } from '../protocol/limits.js';
import type { Address, DatagramHandler, Transport } from './transport.js';
import { bindFailure, type UdpCounters, UdpTransport, udpAccepts } from './udp-transport.js';

/** Datagrams per batch handed to JS; each has a slot of MAX_DATAGRAM_BYTES (larger ones arrive truncated and are dropped). */
const SLOTS = 64;
const META_FIELDS = 4; // socket index, length (-1: oversized), address id, port
/**
 * Addresses the native set interns before it clears its table and starts again: senders
 * can be spoofed, so the table must not grow with them. A swarm on loopback uses one.
 */
export const DEFAULT_ADDRESS_CAPACITY = 65_536;

/** How a swarm opens its sockets: 'native' (the socket set) or 'dgram' (one Node socket each). */
export type UdpIo = 'native' | 'dgram';

/** A UDP transport with the counters a swarm sums up. */
export type CountedUdpTransport = Transport & { readonly counters: UdpCounters; readonly receiveBufferBytes: number };

export interface UdpSockets {
  readonly io: UdpIo;
  open(host: string, port: number): Promise<CountedUdpTransport>;
}

/**
 * The socket set when it can be used: the native backend is on (KADEMLIA_NATIVE), the addon
 * has the class (Linux), and KADEMLIA_UDP_IO is not "dgram" (kept to compare the two).
 */
export function chooseUdpIo(backend: string, setting = process.env.KADEMLIA_UDP_IO): UdpIo {
  if (setting !== undefined && setting !== '' && setting !== 'native' && setting !== 'dgram') {
    throw new Error(`KADEMLIA_UDP_IO must be native or dgram (got "${setting}")`);
  }
  if (setting === 'native' && backend !== 'native')
    throw new Error('KADEMLIA_UDP_IO=native needs the native backend (KADEMLIA_NATIVE=0 turns it off)');
  if (setting === 'dgram' || backend !== 'native') return 'dgram';
  const loaded = loadNativeAddon();
  if (loaded.ok && loaded.addon.UdpSocketSet) return 'native';
  if (setting === 'native') throw new Error('KADEMLIA_UDP_IO=native but this build has no native socket set (Linux only)');
  return 'dgram';
}

/** Opens transports the chosen way; one group per thread (its sockets share one epoll descriptor). */
export function udpSockets(io: UdpIo): UdpSockets {
  if (io === 'dgram') return { io, open: (host, port) => UdpTransport.open(host, port) };
  const group = new UdpSocketGroup();
  return { io, open: async (host, port) => group.open(host, port) };
}

export class UdpSocketGroup {
  private set: NativeSocketSet | null = null;
  private readonly receive = new Uint8Array(SLOTS * MAX_DATAGRAM_BYTES);
  private readonly meta = new Int32Array(SLOTS * META_FIELDS);
  /** [0]: the native address table's generation; a new one voids every cached id. */
  private readonly state = new Int32Array(1);
  private generation = 0;
  private members: Array<NativeUdpTransport | undefined> = [];
  private openCount = 0;
  /** host -> address id in the current generation (-1: not a numeric IP address). */
  private ids = new Map<string, number>();
  private names: string[] = [];
  /** The hosts of the batch being delivered, resolved before any handler runs. */
  private readonly batchHosts: string[] = new Array<string>(SLOTS).fill('');

  /** @param addressCapacity addresses the native table holds before it starts again. */
  constructor(private readonly addressCapacity = DEFAULT_ADDRESS_CAPACITY) {}

  /** Binds host:port. Throws a one-line Error (code EADDRINUSE etc.), worded as UdpTransport.open's. */
  open(host: string, port: number): NativeUdpTransport {
    const family = isIP(host);
    if (family === 0) throw new Error(`${host} is not an IP address`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0..65535 (got ${port})`);
    const set = (this.set ??= this.createSet());
    let index: number;
    let bound: number;
    try {
      [index, bound] = set.open(host, port);
    } catch (error) {
      if (this.openCount === 0) this.closeSet();
      throw bindFailure({ host, port }, error as NodeJS.ErrnoException);
    }
    const transport = new NativeUdpTransport(this, index, { host, port: bound }, family === 6 ? 6 : 4);
    this.members[index] = transport;
    this.openCount++;
    return transport;
  }

  /** Sends for a member; false when the datagram could not go (counted by the member). */
  send(index: number, to: Address, datagram: Uint8Array): boolean {
    const set = this.set;
    if (set === null) return false;
    let id = this.ids.get(to.host);
    if (id === undefined) {
      id = set.addressId(to.host);
      this.checkGeneration();
      // names that are not IP addresses are cached too (as -1): bound them the same way
      if (this.ids.size >= this.addressCapacity) this.ids.clear();
      this.ids.set(to.host, id);
    }
    return id >= 0 && set.send(index, id, to.port, datagram) === 0;
  }

  /** Addresses the native table holds now (tests: it stays bounded). */
  get addressCount(): number {
    return this.set?.addressCount() ?? 0;
  }

  receiveBufferBytes(index: number): number {
    return this.set?.receiveBufferBytes(index) ?? 0;
  }

  /** A member closed: its socket goes; with the last one, the set and its poll handle go too. */
  release(index: number): void {
    if (this.set === null || this.members[index] === undefined) return;
    this.set.closeSocket(index);
    this.members[index] = undefined;
    if (--this.openCount === 0) this.closeSet();
  }

  private createSet(): NativeSocketSet {
    const loaded = loadNativeAddon();
    const SocketSet = loaded.ok ? loaded.addon.UdpSocketSet : undefined;
    if (!SocketSet) throw new Error('this build has no native socket set (Linux only)');
    this.generation = 0;
    return new SocketSet((count) => this.deliver(count), this.receive, this.meta, this.state, this.addressCapacity);
  }

  /** The native table was cleared (it was full): every id cached here is void. */
  private checkGeneration(): void {
    if (this.state[0] === this.generation) return;
    this.generation = this.state[0];
    this.ids = new Map();
    this.names = [];
  }

  private closeSet(): void {
    this.set?.close();
    this.set = null;
    this.members = [];
    this.ids = new Map();
    this.names = [];
  }

  /** A batch from the native side: `count` datagrams, described in meta, bytes in their slots. */
  private deliver(count: number): void {
    const { meta, receive, set, batchHosts } = this;
    this.checkGeneration();
    // Names first: a handler's send may clear the native table, voiding the ids of the rest of the batch.
    for (let i = 0; i < count; i++) {
      const id = meta[i * META_FIELDS + 2];
      batchHosts[i] = meta[i * META_FIELDS + 1] < 0 ? '' : (this.names[id] ??= set!.addressName(id));
    }
    for (let i = 0; i < count; i++) {
      const m = i * META_FIELDS;
      const member = this.members[meta[m]];
      if (member === undefined) continue; // closed while the batch was read
      const length = meta[m + 1];
      if (length < 0) {
        member.counters.oversizedIn++;
        continue;
      }
      member.counters.datagramsIn++;
      const start = i * MAX_DATAGRAM_BYTES;
      member.handler(receive.subarray(start, start + length), { host: batchHosts[i], port: meta[m + 3] });
      if (this.set !== set) return; // a handler closed the last member: the rest of the batch is stale
    }
  }
}

export class NativeUdpTransport implements Transport {
  readonly counters: UdpCounters = { datagramsIn: 0, datagramsOut: 0, oversizedIn: 0, sendErrors: 0, socketErrors: 0 };
  /** sendto() copies the datagram into the kernel before send() returns. */
  readonly copiesOnSend = true;
  /** @internal the group calls it with each datagram. */
  handler: DatagramHandler = () => {};
  private closed = false;

  constructor(
    private readonly group: UdpSocketGroup,
    private readonly index: number,
    readonly local: Address,
    private readonly family: 4 | 6,
  ) {}

  send(to: Address, datagram: Uint8Array): void {
    if (this.closed) return;
    this.counters.datagramsOut++;
    if (!this.group.send(this.index, to, datagram)) this.counters.sendErrors++;
  }

  /** The handler's bytes live in the group's receive area: valid during the call only. */
  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  get receiveBufferBytes(): number {
    return this.group.receiveBufferBytes(this.index);
  }

  accepts(address: Address): boolean {
    return udpAccepts(address, this.family);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.group.release(this.index);
  }
}
