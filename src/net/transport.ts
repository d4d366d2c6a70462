// How the node core sends and receives datagrams. The core never owns a socket: a
// UdpTransport (dgram) or a MemoryTransport (simulated network) is passed in.
import type { Message } from '../protocol/messages.js';

export interface Address {
  host: string;
  port: number;
}

export type DatagramHandler = (datagram: Uint8Array, from: Address) => void;
export type MessageHandler = (message: Message, from: Address) => void;

export interface Transport {
  /** Where peers reach us. */
  readonly local: Address;
  /** Sends one datagram; never throws (failures are counted by the transport). */
  send(to: Address, datagram: Uint8Array): void;
  /**
   * True when send() is done with the bytes once it returns (it copied them to the
   * kernel), so the caller may pass a view of a buffer it reuses.
   */
  readonly copiesOnSend?: boolean;
  /**
   * Sets the receiver of incoming datagrams (one per transport). The bytes are only valid
   * during the call: a transport may reuse its receive area (the native socket set does).
   */
  onDatagram(handler: DatagramHandler): void;
  /** Whether an address learned from a peer is one this transport can and may reach. */
  accepts(address: Address): boolean;
  close(): void;
  /**
   * Only on transports that carry decoded messages (the simulator in its fast mode): the
   * node hands over the message itself, skipping the MessagePack encode and decode. Such
   * messages are shared, never copied, so neither side may change their bytes.
   */
  sendMessage?(to: Address, message: Message): void;
  /** Sets the receiver of incoming messages; present exactly when sendMessage is. */
  onMessage?(handler: MessageHandler): void;
}
