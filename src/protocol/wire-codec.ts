// A protocol on the wire: how messages become datagrams and back. The node, its RPC
// layer and the simulator are the same for both; only this differs.
//   kadswarm: our MessagePack protocol (codec.ts), the default.
//   mainline: BitTorrent's DHT, KRPC (krpc-codec.ts).
import { decodeMessage, encodedSize, encodeMessage, encodeMessageView } from './codec.js';
import { decodeKrpc, encodeKrpc, encodeKrpcError, type KrpcDecodeResult, type PendingLookup } from './krpc-codec.js';
import type { Message, PeerAddress } from './messages.js';

export const PROTOCOLS = ['kadswarm', 'mainline'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

export const isProtocolName = (value: unknown): value is ProtocolName => PROTOCOLS.includes(value as ProtocolName);

export type WireDecodeResult = KrpcDecodeResult;
export type { PendingLookup } from './krpc-codec.js';

export interface WireCodec {
  readonly protocol: ProtocolName;
  /** The datagram for `message` to `to`; with `view`, possibly a view of a buffer the next call reuses. */
  encode(message: Message, to: PeerAddress, view: boolean): Uint8Array;
  /** The length of the datagram encode() would give, for counting the bytes a simulation sends without encoding them. */
  size(message: Message, to: PeerAddress): number;
  /** Never throws; answers are matched to their requests through `pending` where the wire does not name their type. */
  decode(datagram: Uint8Array, from: PeerAddress, pending: PendingLookup): WireDecodeResult;
  /** An error answer to a query we could not take, or null when the protocol has none. */
  encodeError(requestId: Uint8Array, code: number, message: string): Uint8Array | null;
  /**
   * Bytes an answer to an asker that has not proven its address may always take, however
   * small its query. Ours pads queries so that 4x covers a full answer (0 here); Mainline
   * queries are not padded and BEP 44 gets carry no token, so without a floor a Mainline
   * node could never hand a 1,000-byte item to a stranger. Reflection stays bounded by
   * the per-IP rate limit and the node's byte budget for unproven askers.
   */
  readonly unprovenAnswerFloor: number;
}

const kadswarm: WireCodec = {
  protocol: 'kadswarm',
  encode: (message, _to, view) => (view ? encodeMessageView(message) : encodeMessage(message)),
  size: (message) => encodedSize(message),
  decode: (datagram) => decodeMessage(datagram),
  encodeError: () => null,
  unprovenAnswerFloor: 0,
};

const mainline: WireCodec = {
  protocol: 'mainline',
  encode: (message, to) => encodeKrpc(message, to),
  size: (message, to) => encodeKrpc(message, to).length, // bencode: measured by encoding
  decode: decodeKrpc,
  encodeError: encodeKrpcError,
  unprovenAnswerFloor: 1280,
};

export function wireCodec(protocol: ProtocolName): WireCodec {
  return protocol === 'mainline' ? mainline : kadswarm;
}
