// The messages of the protocol. On the wire each is one MessagePack array:
//   [version, type, requestId (bin 8), senderId (bin 20), ...body]
// A response echoes its request's id; the sender's address is the datagram's source.
import type { Peer } from '../routing/peer.js';
export const MessageType = {
  PING: 1,
  PONG: 2,
  STORE: 3,
  STORED: 4,
  FIND_NODE: 5,
  NODES: 6,
  FIND_VALUE: 7,
  VALUE: 8,
} as const;

export type RequestBody =
  | { type: 'PING' }
  /** ttlMs: how long the receiver keeps it (a publisher sends the full TTL, a replicating holder what is left). */
  | { type: 'STORE'; key: Uint8Array; value: Uint8Array; ttlMs: number }
  | { type: 'FIND_NODE'; target: Uint8Array }
  | { type: 'FIND_VALUE'; key: Uint8Array };

export type ResponseBody =
  | { type: 'PONG' }
  /** reason is '' when ok. */
  | { type: 'STORED'; ok: boolean; reason: string }
  | { type: 'NODES'; contacts: Peer[] }
  /** Either the value (with its remaining TTL) or, when absent, the closest contacts known. */
  | { type: 'VALUE'; value: Uint8Array | null; ttlMs: number; contacts: Peer[] };

export type Body = RequestBody | ResponseBody;

export interface Message {
  requestId: Uint8Array;
  sender: Uint8Array;
  body: Body;
}

const RESPONSE_TO = { PING: 'PONG', STORE: 'STORED', FIND_NODE: 'NODES', FIND_VALUE: 'VALUE' } as const;
export type ResponseTypeOf<R extends RequestBody> = (typeof RESPONSE_TO)[R['type']];

export function isRequest(body: Body): body is RequestBody {
  return body.type in RESPONSE_TO;
}

/** The response type a request expects. */
export function expectedResponse(request: RequestBody): ResponseBody['type'] {
  return RESPONSE_TO[request.type];
}
