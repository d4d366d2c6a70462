// MessagePack encoding of messages, and a decoder that never throws: anything that is
// not exactly a valid message comes back as { ok: false, reason } for the caller to count.
import { Decoder, Encoder } from '@msgpack/msgpack';
import { ID_BYTES } from '../id/id.js';
import {
  MAX_DATAGRAM_BYTES,
  MAX_HOST_LENGTH,
  MAX_REASON_LENGTH,
  MAX_SALT_BYTES,
  MAX_TTL_MS,
  PADDED_QUERY_BYTES,
  PROTOCOL_VERSION,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  TOKEN_BYTES,
} from './limits.js';
import { type Body, type ItemAuth, isRequest, type Message, MessageType, READ_ONLY_FLAG } from './messages.js';
import { packContacts, packedContactsBytes, unpackContacts } from './contact-list.js';
import { packedPeerListBytes, packPeerList, unpackPeerList } from './compact-info.js';

export const REQUEST_ID_BYTES = 8;

const encoder = new Encoder({ ignoreUndefined: true });
// Limits stop hostile headers (a 4 GB bin, a 2^32-element array) before any allocation.
const decoder = new Decoder({
  maxStrLength: Math.max(MAX_HOST_LENGTH, MAX_REASON_LENGTH),
  maxBinLength: MAX_DATAGRAM_BYTES,
  maxArrayLength: 10, // the envelope (an auth is 4): contacts travel packed in one bin (contact-list.ts)
  maxMapLength: 0,
  maxExtLength: 0,
});

export type DecodeResult = { ok: true; message: Message } | { ok: false; reason: string };

const authToWire = (auth: ItemAuth | null) => (auth === null ? null : [auth.publicKey, auth.seq, auth.signature, auth.salt]);

/** Zero bytes that pad queries (see PADDED_QUERY_BYTES): sizes are fixed per query shape, so computed once. */
const padding = new Uint8Array(PADDED_QUERY_BYTES);
const ENVELOPE_BYTES = 1 + 1 + 1 + (2 + 8) + (2 + ID_BYTES); // array header, version, type, request id, sender
const padTo = (unpadded: number) => padding.subarray(0, PADDED_QUERY_BYTES - unpadded);
// target or key (bin 20), a token or nil, and the pad's own bin8 header
const FIND_NODE_PAD = padTo(ENVELOPE_BYTES + (2 + ID_BYTES) + 2);
const FIND_VALUE_PAD = padTo(ENVELOPE_BYTES + (2 + ID_BYTES) + 1 + 2);
const FIND_VALUE_WITH_TOKEN_PAD = padTo(ENVELOPE_BYTES + (2 + ID_BYTES) + (2 + TOKEN_BYTES) + 2);

function bodyToWire(body: Body): unknown[] {
  switch (body.type) {
    case 'PING':
      return [MessageType.PING];
    case 'PONG':
      return [MessageType.PONG];
    case 'STORE':
      return [MessageType.STORE, body.key, body.value, body.ttlMs, body.token, authToWire(body.auth), body.cas];
    case 'STORED':
      return [MessageType.STORED, body.ok, body.reason];
    case 'FIND_NODE':
      return [MessageType.FIND_NODE, body.target, FIND_NODE_PAD];
    case 'NODES':
      return [MessageType.NODES, packContacts(body.contacts), body.token];
    case 'FIND_VALUE':
      return [MessageType.FIND_VALUE, body.key, body.token, body.token === null ? FIND_VALUE_PAD : FIND_VALUE_WITH_TOKEN_PAD];
    case 'VALUE':
      return [MessageType.VALUE, body.value, body.ttlMs, packContacts(body.contacts), body.token, authToWire(body.auth), body.withheld];
    case 'GET_PEERS':
      return [MessageType.GET_PEERS, body.infoHash, FIND_NODE_PAD];
    case 'PEERS':
      return [MessageType.PEERS, packPeerList(body.peers, 4), packPeerList(body.peers, 6), packContacts(body.contacts), body.token];
    case 'ANNOUNCE_PEER':
      return [MessageType.ANNOUNCE_PEER, body.infoHash, body.port, body.impliedPort, body.token];
    case 'ANNOUNCED':
      return [MessageType.ANNOUNCED, body.ok, body.reason];
  }
}

const envelope = (message: Message): unknown[] => {
  const body = bodyToWire(message.body); // [type, ...fields]
  const type = body[0] as number;
  const out: unknown[] = [PROTOCOL_VERSION, message.readOnly === true ? type | READ_ONLY_FLAG : type, message.requestId, message.sender];
  for (let i = 1; i < body.length; i++) out.push(body[i]); // not a spread: that goes through the iterator protocol
  return out;
};

/** Encodes a message; the caller checks the size against MAX_DATAGRAM_BYTES. */
export function encodeMessage(message: Message): Uint8Array {
  return encoder.encode(envelope(message));
}

/**
 * Encodes a message into the encoder's own buffer and returns a view of it, valid until
 * the next encode: for a transport that copies the bytes before send() returns. Saves a
 * copy, and for datagrams over 64 bytes an off-heap allocation, per message.
 */
export function encodeMessageView(message: Message): Uint8Array {
  return encoder.encodeSharedRef(envelope(message));
}

// MessagePack lengths as @msgpack/msgpack writes them: the shortest header that fits.
const binBytes = (n: number) => (n < 0x100 ? 2 : n < 0x10000 ? 3 : 5) + n;
const bytesOrNil = (b: Uint8Array | null | undefined) => (b == null ? 1 : binBytes(b.length));
const stringBytes = (s: string) => {
  const n = Buffer.byteLength(s, 'utf8');
  return (n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5) + n;
};
function numberBytes(v: number | null | undefined): number {
  if (v == null) return 1; // nil
  if (!Number.isSafeInteger(v)) return 9; // float64
  if (v >= 0) return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000 ? 5 : 9;
  return v >= -0x20 ? 1 : v >= -0x80 ? 2 : v >= -0x8000 ? 3 : v >= -0x80000000 ? 5 : 9;
}
const authBytes = (auth: ItemAuth | null) =>
  auth === null ? 1 : 1 + binBytes(auth.publicKey.length) + numberBytes(auth.seq) + binBytes(auth.signature.length) + bytesOrNil(auth.salt);

/**
 * The length of encodeMessage(message), without encoding it or allocating: the simulator
 * carries messages, not bytes, and counts its traffic in bytes with this (it runs for
 * every message, so it must cost next to nothing). Field for field as bodyToWire lays them
 * out; a randomized test holds it to the encoder.
 */
export function encodedSize(message: Message): number {
  const body = message.body;
  let fields = 0;
  let bytes = 0;
  switch (body.type) {
    case 'PING':
    case 'PONG':
      break;
    case 'STORE':
      fields = 6;
      bytes = binBytes(body.key.length) + binBytes(body.value.length) + numberBytes(body.ttlMs) + bytesOrNil(body.token);
      bytes += authBytes(body.auth) + numberBytes(body.cas);
      break;
    case 'STORED':
    case 'ANNOUNCED':
      fields = 2;
      bytes = 1 + stringBytes(body.reason);
      break;
    case 'FIND_NODE':
      fields = 2;
      bytes = binBytes(body.target.length) + binBytes(FIND_NODE_PAD.length);
      break;
    case 'NODES':
      fields = 2;
      bytes = binBytes(packedContactsBytes(body.contacts)) + bytesOrNil(body.token);
      break;
    case 'FIND_VALUE':
      fields = 3;
      bytes = binBytes(body.key.length) + bytesOrNil(body.token);
      bytes += binBytes(body.token === null ? FIND_VALUE_PAD.length : FIND_VALUE_WITH_TOKEN_PAD.length);
      break;
    case 'VALUE':
      fields = 6;
      bytes = bytesOrNil(body.value) + numberBytes(body.ttlMs) + binBytes(packedContactsBytes(body.contacts)) + bytesOrNil(body.token);
      bytes += authBytes(body.auth) + 1; // withheld: a boolean
      break;
    case 'GET_PEERS':
      fields = 2;
      bytes = binBytes(body.infoHash.length) + binBytes(FIND_NODE_PAD.length);
      break;
    case 'PEERS':
      fields = 4;
      bytes = binBytes(packedPeerListBytes(body.peers, 4)) + binBytes(packedPeerListBytes(body.peers, 6));
      bytes += binBytes(packedContactsBytes(body.contacts)) + bytesOrNil(body.token);
      break;
    case 'ANNOUNCE_PEER':
      fields = 4;
      bytes = binBytes(body.infoHash.length) + numberBytes(body.port) + 1 + bytesOrNil(body.token);
      break;
  }
  const type = MessageType[body.type] | (message.readOnly === true ? READ_ONLY_FLAG : 0);
  // the envelope: array header, version, type, request id, sender
  const header = 4 + fields < 16 ? 1 : 3;
  return (
    header +
    numberBytes(PROTOCOL_VERSION) +
    numberBytes(type) +
    binBytes(message.requestId.length) +
    binBytes(message.sender.length) +
    bytes
  );
}

const isBytes = (v: unknown, length: number): v is Uint8Array => v instanceof Uint8Array && v.length === length;
const isUint = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function decodeContacts(raw: unknown): ReturnType<typeof unpackContacts> {
  return raw instanceof Uint8Array ? unpackContacts(raw) : 'contacts must be bytes';
}

const isToken = (v: unknown): v is Uint8Array => isBytes(v, TOKEN_BYTES);

function decodeAuth(raw: unknown): ItemAuth | null | string {
  if (raw === null) return null;
  if (!Array.isArray(raw) || raw.length !== 4) return 'auth takes [publicKey, seq, signature, salt]';
  const [publicKey, seq, signature, salt] = raw as unknown[];
  if (!isBytes(publicKey, PUBLIC_KEY_BYTES)) return `auth public key must be ${PUBLIC_KEY_BYTES} bytes`;
  if (!isUint(seq, Number.MAX_SAFE_INTEGER)) return 'auth seq out of range';
  if (!isBytes(signature, SIGNATURE_BYTES)) return `auth signature must be ${SIGNATURE_BYTES} bytes`;
  if (salt !== null && !(salt instanceof Uint8Array && salt.length <= MAX_SALT_BYTES))
    return `auth salt must be nil or at most ${MAX_SALT_BYTES} bytes`;
  return { publicKey: publicKey.slice(), seq, signature: signature.slice(), salt: salt === null ? null : salt.slice() };
}

/** Where a message's body fields start in its envelope, after version, type, request id, sender. */
const FIELDS_AT = 4;

// Fields are read by index, not destructured: a rest pattern builds an array through the
// iterator protocol, per datagram.
function decodeBody(type: unknown, raw: unknown[]): Body | string {
  const n = raw.length - FIELDS_AT;
  const f0 = raw[FIELDS_AT];
  switch (type) {
    case MessageType.PING:
      return n === 0 ? { type: 'PING' } : 'PING takes no fields';
    case MessageType.PONG:
      return n === 0 ? { type: 'PONG' } : 'PONG takes no fields';
    case MessageType.STORE: {
      if (n !== 6) return 'STORE takes [key, value, ttlMs, token, auth, cas]';
      const value = raw[FIELDS_AT + 1];
      const ttlMs = raw[FIELDS_AT + 2];
      const token = raw[FIELDS_AT + 3];
      const cas = raw[FIELDS_AT + 5];
      if (!isBytes(f0, ID_BYTES)) return 'STORE key must be 20 bytes';
      if (!(value instanceof Uint8Array)) return 'STORE value must be bytes';
      if (!isUint(ttlMs, MAX_TTL_MS)) return 'STORE ttlMs out of range';
      if (!isToken(token)) return `STORE token must be ${TOKEN_BYTES} bytes`;
      if (cas !== null && !isUint(cas, Number.MAX_SAFE_INTEGER)) return 'STORE cas must be nil or a seq';
      const auth = decodeAuth(raw[FIELDS_AT + 4]);
      if (typeof auth === 'string') return auth;
      return { type: 'STORE', key: f0.slice(), value: value.slice(), ttlMs, token: token.slice(), auth, cas };
    }
    case MessageType.STORED: {
      if (n !== 2) return 'STORED takes [ok, reason]';
      const reason = raw[FIELDS_AT + 1];
      if (typeof f0 !== 'boolean' || typeof reason !== 'string') return 'STORED fields have wrong types';
      return { type: 'STORED', ok: f0, reason };
    }
    case MessageType.FIND_NODE:
      if (n !== 2 || !isBytes(f0, ID_BYTES) || !(raw[FIELDS_AT + 1] instanceof Uint8Array))
        return 'FIND_NODE takes [target (20 bytes), pad]';
      return { type: 'FIND_NODE', target: f0.slice() };
    case MessageType.NODES: {
      if (n !== 2) return 'NODES takes [contacts, token]';
      const token = raw[FIELDS_AT + 1];
      if (!isToken(token)) return `NODES token must be ${TOKEN_BYTES} bytes`;
      const contacts = decodeContacts(f0);
      return typeof contacts === 'string' ? contacts : { type: 'NODES', contacts, token: token.slice() };
    }
    case MessageType.FIND_VALUE: {
      const token = raw[FIELDS_AT + 1];
      if (n !== 3 || !isBytes(f0, ID_BYTES) || !(raw[FIELDS_AT + 2] instanceof Uint8Array))
        return 'FIND_VALUE takes [key (20 bytes), token, pad]';
      if (token !== null && !isToken(token)) return `FIND_VALUE token must be nil or ${TOKEN_BYTES} bytes`;
      return { type: 'FIND_VALUE', key: f0.slice(), token: token === null ? null : token.slice() };
    }
    case MessageType.VALUE: {
      if (n !== 6) return 'VALUE takes [value, ttlMs, contacts, token, auth, withheld]';
      const ttlMs = raw[FIELDS_AT + 1];
      const token = raw[FIELDS_AT + 3];
      const withheld = raw[FIELDS_AT + 5];
      if (f0 !== null && !(f0 instanceof Uint8Array)) return 'VALUE value must be bytes or nil';
      if (!isUint(ttlMs, MAX_TTL_MS)) return 'VALUE ttlMs out of range';
      if (!isToken(token)) return `VALUE token must be ${TOKEN_BYTES} bytes`;
      if (typeof withheld !== 'boolean') return 'VALUE withheld must be a boolean';
      const contacts = decodeContacts(raw[FIELDS_AT + 2]);
      if (typeof contacts === 'string') return contacts;
      const auth = decodeAuth(raw[FIELDS_AT + 4]);
      if (typeof auth === 'string') return auth;
      return { type: 'VALUE', value: f0 === null ? null : f0.slice(), ttlMs, contacts, token: token.slice(), auth, withheld };
    }
    case MessageType.GET_PEERS:
      if (n !== 2 || !isBytes(f0, ID_BYTES) || !(raw[FIELDS_AT + 1] instanceof Uint8Array))
        return 'GET_PEERS takes [infohash (20 bytes), pad]';
      return { type: 'GET_PEERS', infoHash: f0.slice() };
    case MessageType.PEERS: {
      if (n !== 4) return 'PEERS takes [peers4, peers6, contacts, token]';
      const token = raw[FIELDS_AT + 3];
      if (!isToken(token)) return `PEERS token must be ${TOKEN_BYTES} bytes`;
      const v4 = unpackPeerList(f0, 4);
      const v6 = unpackPeerList(raw[FIELDS_AT + 1], 6);
      if (typeof v4 === 'string') return v4;
      if (typeof v6 === 'string') return v6;
      const contacts = decodeContacts(raw[FIELDS_AT + 2]);
      return typeof contacts === 'string' ? contacts : { type: 'PEERS', peers: [...v4, ...v6], contacts, token: token.slice() };
    }
    case MessageType.ANNOUNCE_PEER: {
      if (n !== 4) return 'ANNOUNCE_PEER takes [infohash, port, impliedPort, token]';
      const [port, implied, token] = [raw[FIELDS_AT + 1], raw[FIELDS_AT + 2], raw[FIELDS_AT + 3]];
      if (!isBytes(f0, ID_BYTES)) return 'ANNOUNCE_PEER infohash must be 20 bytes';
      if (!isUint(port, 0xffff)) return 'ANNOUNCE_PEER port out of range';
      if (typeof implied !== 'boolean') return 'ANNOUNCE_PEER impliedPort must be a boolean';
      if (!isToken(token)) return `ANNOUNCE_PEER token must be ${TOKEN_BYTES} bytes`;
      return { type: 'ANNOUNCE_PEER', infoHash: f0.slice(), port, impliedPort: implied, token: token.slice() };
    }
    case MessageType.ANNOUNCED: {
      if (n !== 2) return 'ANNOUNCED takes [ok, reason]';
      const reason = raw[FIELDS_AT + 1];
      if (typeof f0 !== 'boolean' || typeof reason !== 'string') return 'ANNOUNCED fields have wrong types';
      return { type: 'ANNOUNCED', ok: f0, reason };
    }
    default:
      return 'unknown message type';
  }
}

/** Decodes one datagram. Never throws. */
export function decodeMessage(datagram: Uint8Array): DecodeResult {
  if (datagram.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'datagram too large' };
  let raw: unknown;
  try {
    raw = decoder.decode(datagram);
  } catch {
    return { ok: false, reason: 'not valid MessagePack' };
  }
  if (!Array.isArray(raw) || raw.length < FIELDS_AT) return { ok: false, reason: 'not a message envelope' };
  const envelope = raw as unknown[];
  const requestId = envelope[2];
  const sender = envelope[3];
  if (envelope[0] !== PROTOCOL_VERSION) return { ok: false, reason: 'unknown protocol version' };
  if (!isBytes(requestId, REQUEST_ID_BYTES)) return { ok: false, reason: 'request id must be 8 bytes' };
  if (!isBytes(sender, ID_BYTES)) return { ok: false, reason: 'sender id must be 20 bytes' };
  const typeByte = envelope[1];
  const readOnly = typeof typeByte === 'number' && typeByte >= READ_ONLY_FLAG;
  const body = decodeBody(readOnly ? typeByte - READ_ONLY_FLAG : typeByte, envelope);
  if (typeof body === 'string') return { ok: false, reason: body };
  if (readOnly && !isRequest(body)) return { ok: false, reason: 'only a query may carry the read-only flag' };
  const message: Message = { requestId: requestId.slice(), sender: sender.slice(), body };
  if (readOnly) message.readOnly = true;
  return { ok: true, message };
}

/** The largest value a STORE (and the VALUE reply carrying it) can hold within one datagram, with the largest auth. */
export const MAX_VALUE_BYTES: number = (() => {
  const id = new Uint8Array(ID_BYTES);
  const rid = new Uint8Array(REQUEST_ID_BYTES);
  const token = new Uint8Array(TOKEN_BYTES);
  const probe = new Uint8Array(1000); // a bin16 header, like every value near the limit
  const auth: ItemAuth = {
    publicKey: new Uint8Array(PUBLIC_KEY_BYTES),
    seq: Number.MAX_SAFE_INTEGER,
    signature: new Uint8Array(SIGNATURE_BYTES),
    salt: new Uint8Array(MAX_SALT_BYTES),
  };
  const store = encodeMessage({
    requestId: rid,
    sender: id,
    body: { type: 'STORE', key: id, value: probe, ttlMs: MAX_TTL_MS, token, auth, cas: Number.MAX_SAFE_INTEGER },
  });
  const reply = encodeMessage({
    requestId: rid,
    sender: id,
    body: { type: 'VALUE', value: probe, ttlMs: MAX_TTL_MS, contacts: [], token, auth, withheld: false },
  });
  return MAX_DATAGRAM_BYTES - (Math.max(store.length, reply.length) - probe.length);
})();
