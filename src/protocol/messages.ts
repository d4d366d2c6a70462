// The messages of the protocol. On the wire each is one MessagePack array:
//   [version, type, requestId (bin 8), senderId (bin 20), ...body]
// A response echoes its request's id; the sender's address is the datagram's source.
import type { Peer } from '../routing/peer.js';

/** Where a peer of a torrent (BEP 5) takes connections. */
export interface PeerAddress {
  host: string;
  port: number;
}
export const MessageType = {
  PING: 1,
  PONG: 2,
  STORE: 3,
  STORED: 4,
  FIND_NODE: 5,
  NODES: 6,
  FIND_VALUE: 7,
  VALUE: 8,
  GET_PEERS: 9,
  PEERS: 10,
  ANNOUNCE_PEER: 11,
  ANNOUNCED: 12,
} as const;

/**
 * Who may write a value (BEP 44). Absent on an immutable item, whose key is the SHA-1 of
 * its value. With a salt (possibly empty), a mutable item: its key is SHA-1(publicKey +
 * salt). With salt null, an owned plain value: any key, but only this key's holder may
 * replace it until it expires. The signature covers the salt or key, seq and value
 * (item-signature.ts), so a copy keeps its protection wherever it is replicated.
 */
export interface ItemAuth {
  /** ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** Raised by the publisher for every new version (and every republish of a plain value). */
  readonly seq: number;
  /** 64 bytes. */
  readonly signature: Uint8Array;
  readonly salt: Uint8Array | null;
}

export type RequestBody =
  | { type: 'PING' }
  /**
   * ttlMs: how long the receiver keeps it (a publisher sends the full TTL, a replicating
   * holder what is left). token: the one the receiver gave our IP in a lookup answer (BEP 5).
   * cas: write only if the held item's seq is this one (BEP 44), or null.
   */
  | {
      type: 'STORE';
      key: Uint8Array;
      value: Uint8Array;
      ttlMs: number;
      token: Uint8Array;
      auth: ItemAuth | null;
      cas: number | null;
    }
  | { type: 'FIND_NODE'; target: Uint8Array }
  /** token: one the receiver gave us before, proving we receive at our address (it then sends values of any size). */
  | { type: 'FIND_VALUE'; key: Uint8Array; token: Uint8Array | null }
  /** BEP 5: who announced they have the torrent with this infohash. */
  | { type: 'GET_PEERS'; infoHash: Uint8Array }
  /**
   * BEP 5: we have the torrent, at `port` (or, with impliedPort, at the port this datagram
   * came from); token: the one the receiver's GET_PEERS answer gave our IP.
   */
  | { type: 'ANNOUNCE_PEER'; infoHash: Uint8Array; port: number; impliedPort: boolean; token: Uint8Array };

export type ResponseBody =
  | { type: 'PONG' }
  /** reason is '' when ok. */
  | { type: 'STORED'; ok: boolean; reason: string }
  /** token: what a STORE to us from the asker's IP must carry. */
  | { type: 'NODES'; contacts: Peer[]; token: Uint8Array }
  /**
   * Either the value (with its remaining TTL and its auth) or, when absent, the closest
   * contacts known. withheld: we hold a value too large to send to an unproven address;
   * ask again with the token.
   */
  | {
      type: 'VALUE';
      value: Uint8Array | null;
      ttlMs: number;
      contacts: Peer[];
      token: Uint8Array;
      auth: ItemAuth | null;
      withheld: boolean;
    }
  /** Peers announced for the infohash (possibly none), and our closest contacts to it; a token for ANNOUNCE_PEER. */
  | { type: 'PEERS'; peers: PeerAddress[]; contacts: Peer[]; token: Uint8Array }
  /** reason is '' when ok. */
  | { type: 'ANNOUNCED'; ok: boolean; reason: string };

export type Body = RequestBody | ResponseBody;

export interface Message {
  requestId: Uint8Array;
  sender: Uint8Array;
  body: Body;
  /**
   * BEP 43, on a query: its sender is read-only. It answers no queries, so nobody adds it
   * to a routing table. Absent (not false) on every other message.
   */
  readOnly?: true;
  /**
   * BEP 32, on a query that asks for contacts: the address families wanted (WANT_V4 |
   * WANT_V6). Absent: the contacts we have (a node's table holds its socket's family only,
   * the asker's own when it reached us).
   */
  want?: number;
}

/** On the wire (our MessagePack type byte, a simulator record's): a query from a read-only node (BEP 43). */
export const READ_ONLY_FLAG = 0x80;
export const WANT_V4 = 1;
export const WANT_V6 = 2;

const RESPONSE_TO = {
  PING: 'PONG',
  STORE: 'STORED',
  FIND_NODE: 'NODES',
  FIND_VALUE: 'VALUE',
  GET_PEERS: 'PEERS',
  ANNOUNCE_PEER: 'ANNOUNCED',
} as const;
export type ResponseTypeOf<R extends RequestBody> = (typeof RESPONSE_TO)[R['type']];

export function isRequest(body: Body): body is RequestBody {
  return body.type in RESPONSE_TO;
}

/** The response type a request expects. */
export function expectedResponse(request: RequestBody): ResponseBody['type'] {
  return RESPONSE_TO[request.type];
}
