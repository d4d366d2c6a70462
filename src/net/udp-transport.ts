// The real network: one UDP socket (Node's dgram) per node.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Address, DatagramHandler, Transport } from './transport.js';
import { MAX_DATAGRAM_BYTES } from '../protocol/limits.js';

const RECEIVE_BUFFER_BYTES = 4 << 20;

export interface UdpCounters {
  datagramsIn: number;
  datagramsOut: number;
  oversizedIn: number;
  sendErrors: number;
  socketErrors: number;
}

export class UdpTransport implements Transport {
  readonly counters: UdpCounters = { datagramsIn: 0, datagramsOut: 0, oversizedIn: 0, sendErrors: 0, socketErrors: 0 };
  private handler: DatagramHandler = () => {};
  private closed = false;
  private readonly family: 4 | 6;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: Address,
  ) {
    this.family = isIP(local.host) === 6 ? 6 : 4;
    socket.on('message', (message, rinfo) => {
      if (message.length > MAX_DATAGRAM_BYTES) {
        this.counters.oversizedIn++;
        return;
      }
      this.counters.datagramsIn++;
      this.handler(new Uint8Array(message.buffer, message.byteOffset, message.length), { host: rinfo.address, port: rinfo.port });
    });
    // After a successful bind, socket errors (e.g. ICMP unreachable reports) must not kill the node.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.syscall === 'send') this.counters.sendErrors++;
      else this.counters.socketErrors++;
    });
  }

  /** Binds host:port. Rejects with a one-line Error (code EADDRINUSE etc.) if it cannot. */
  static open(host: string, port: number): Promise<UdpTransport> {
    const family = isIP(host);
    if (family === 0) return Promise.reject(new Error(`${host} is not an IP address`));
    if (!Number.isInteger(port) || port < 0 || port > 65535) return Promise.reject(new Error(`port must be 0..65535 (got ${port})`));
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 });
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(bindFailure({ host, port }, error));
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        // A bigger receive queue: bursts at busy nodes (the entry point above all) overflow
        // the default ~200 KB, and every drop becomes a 1 s timeout. The kernel caps it at
        // net.core.rmem_max; the memory is only used while datagrams wait.
        try {
          socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
        } catch {
          // a platform that refuses: keep its default
        }
        const bound = socket.address();
        resolve(new UdpTransport(socket, { host, port: bound.port }));
      });
    });
  }

  send(to: Address, datagram: Uint8Array): void {
    if (this.closed) return;
    this.counters.datagramsOut++;
    // No completion callback: Node then tries the send synchronously (uv_udp_try_send) and
    // allocates no request; a failure arrives as an 'error' event, counted there.
    this.socket.send(datagram, to.port, to.host);
  }

  /** The socket's receive queue as the kernel granted it (bytes). */
  get receiveBufferBytes(): number {
    return this.socket.getRecvBufferSize();
  }

  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }

  accepts(address: Address): boolean {
    return udpAccepts(address, this.family);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

export function formatAddress(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** A bind error as one line naming the address, keeping the error's code (EADDRINUSE etc.). */
export function bindFailure(address: Address, error: NodeJS.ErrnoException): Error {
  const reason =
    error.code === 'EADDRINUSE'
      ? 'address already in use'
      : error.code === 'EADDRNOTAVAIL'
        ? 'address not available on this machine'
        : error.code === 'EACCES'
          ? 'permission denied'
          : error.message;
  return Object.assign(new Error(`cannot listen on ${formatAddress(address)}: ${reason}`), { code: error.code });
}

/**
 * The last host udpAccepts checked and its family. A lookup checks every contact an answer
 * names, and nearly all of them have one host (a swarm on 127.0.0.1): one string compare
 * instead of isIP's regular expression (~1% of a UDP run's CPU).
 */
let lastHost = '';
let lastFamily = 0;

/** Whether a socket of this family may send to `address`: a numeric IP of the same family, port 1..65535 (no names, so no DNS lookups from peer input). */
export function udpAccepts(address: Address & { ipv4?: number }, family: 4 | 6): boolean {
  const { host, port } = address;
  let hostFamily: number;
  if (address.ipv4 !== undefined && address.ipv4 >= 0)
    hostFamily = 4; // an arena's record knows its IPv4 form: no parsing
  else {
    if (host !== lastHost) {
      lastFamily = isIP(host);
      lastHost = host;
    }
    hostFamily = lastFamily;
  }
  return hostFamily === family && Number.isInteger(port) && port >= 1 && port <= 65535;
}
