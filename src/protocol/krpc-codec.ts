// The Mainline DHT's wire form (BEP 5's KRPC, bencoded dictionaries) of our messages.
//
//   PING / PONG                  ping
//   FIND_NODE / NODES            find_node            (nodes, nodes6: compact node info)
//   GET_PEERS / PEERS            get_peers            (values: compact peers; nodes; token)
//   ANNOUNCE_PEER / ANNOUNCED    announce_peer        (implied_port)
//   FIND_VALUE / VALUE           get (BEP 44)         (v, k, sig, seq; nodes; token)
//   STORE / STORED               put (BEP 44)         (v, k, sig, seq, salt, cas, token)
//   a refusal (ok: false)        an error: [code, message] (201-204, 205-207, 301, 302)
//
// A KRPC answer does not say what it answers: its transaction id does. So decoding an
// answer asks the caller (the node's RPC layer) what the request with that id expects.
// Bencode is ours (bencode.ts: 4-9x faster than the bencode package on these messages).
// Our extensions ride in keys other implementations ignore: `ttl` (ms) on put and in get
// answers, `key` on a put of an owned plain value (whose key is not derived from its
// contents) and `plain` on the get answer carrying one, `salt` in get answers, `token`
// on a get that proves our address and `withheld` on the answer that asks for it.
// Anything malformed comes back as { ok: false } to be counted, never thrown.
import { bdecode, bencode, type Encodable } from './bencode.js';
import { ID_BYTES } from '../id/id.js';
import { packNodes, packPeer, unpackNodes, unpackPeer } from './compact-info.js';
import {
  MAX_CONTACTS_PER_MESSAGE,
  MAX_DATAGRAM_BYTES,
  MAX_REASON_LENGTH,
  MAX_SALT_BYTES,
  MAX_TTL_MS,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
} from './limits.js';
import type { Peer } from '../routing/peer.js';
import { immutableKey, mutableKey } from './item-signature.js';
import { type ItemAuth, type Message, type PeerAddress, type RequestBody, type ResponseBody, WANT_V4, WANT_V6 } from './messages.js';

/** What an answer with a given transaction id answers (the RPC layer knows its pending requests). */
export interface PendingLookup {
  expectedFor(requestId: Uint8Array, from: PeerAddress): ResponseBody['type'] | null;
}

export type KrpcDecodeResult =
  | { ok: true; message: Message }
  /**
   * reply: a query we could read far enough to answer with a KRPC error (203 protocol
   * error, 204 method unknown); unmatched: an answer to no request of ours.
   */
  | { ok: false; reason: string; reply?: { requestId: Uint8Array; code: number; message: string }; unmatched?: boolean };

/** What a BEP 44 put keeps when it says nothing of time: BEP 44 asks nodes to keep items 2 hours. */
export const MAINLINE_ITEM_TTL_MS = 2 * 60 * 60 * 1000;
/** Our client version (BEP 5's `v`): "KS" and two version bytes. */
const CLIENT_VERSION = new Uint8Array([0x4b, 0x53, 0, 1]);
const MAX_TRANSACTION_ID_BYTES = 64;
const MAX_TOKEN_BYTES = 64;
/** Peers one answer may name: a 1,500-byte datagram holds ~240 compact IPv4 peers. */
const MAX_PEERS_DECODED = 256;
const EMPTY = new Uint8Array(0);

export const KrpcError = {
  GENERIC: 201,
  SERVER: 202,
  PROTOCOL: 203,
  METHOD_UNKNOWN: 204,
  MESSAGE_TOO_BIG: 205,
  INVALID_SIGNATURE: 206,
  SALT_TOO_BIG: 207,
  CAS_MISMATCH: 301,
  SEQ_LESS_THAN_CURRENT: 302,
} as const;

/** The KRPC error code for a refusal our handlers gave (their reasons start with these words). */
export function errorCodeFor(reason: string): number {
  if (reason.startsWith('invalid write token')) return KrpcError.PROTOCOL;
  if (reason.startsWith('value too large')) return KrpcError.MESSAGE_TOO_BIG;
  if (reason.startsWith('invalid signature')) return KrpcError.INVALID_SIGNATURE;
  if (reason.startsWith('cas mismatch')) return KrpcError.CAS_MISMATCH;
  if (reason.startsWith('sequence number less than current')) return KrpcError.SEQ_LESS_THAN_CURRENT;
  return KrpcError.GENERIC;
}

const asText = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

// ---- encoding

type Fields = { [key: string]: Encodable | undefined };

function queryArgs(body: RequestBody): [string, Fields] {
  switch (body.type) {
    case 'PING':
      return ['ping', {}];
    case 'FIND_NODE':
      return ['find_node', { target: body.target }];
    case 'GET_PEERS':
      return ['get_peers', { info_hash: body.infoHash }];
    case 'ANNOUNCE_PEER':
      return ['announce_peer', { info_hash: body.infoHash, port: body.port, implied_port: body.impliedPort ? 1 : 0, token: body.token }];
    case 'FIND_VALUE':
      return ['get', body.token === null ? { target: body.key } : { target: body.key, token: body.token }];
    case 'STORE': {
      const args: Fields = { v: body.value, token: body.token, ttl: body.ttlMs };
      const auth = body.auth;
      if (auth !== null) {
        Object.assign(args, { k: auth.publicKey, sig: auth.signature, seq: auth.seq });
        if (auth.salt === null) args.key = body.key;
        else if (auth.salt.length > 0) args.salt = auth.salt;
        if (body.cas !== null) args.cas = body.cas;
      }
      return ['put', args];
    }
  }
}

/** Contacts as nodes (IPv4) and nodes6 (IPv6), each only when it has any. */
function nodeFields(contacts: readonly Peer[], into: Fields): void {
  if (contacts.length === 0) return;
  const v4 = packNodes(contacts, 4);
  const v6 = packNodes(contacts, 6);
  if (v4.length > 0) into.nodes = v4;
  if (v6.length > 0) into.nodes6 = v6;
}

/** The answer's `r` dict, or an error [code, message] for a refusal. */
function answerFields(body: ResponseBody): Fields | [number, string] {
  switch (body.type) {
    case 'PONG':
      return {};
    case 'NODES': {
      const r: Fields = { token: body.token };
      nodeFields(body.contacts, r);
      return r;
    }
    case 'PEERS': {
      const r: Fields = { token: body.token };
      const values = body.peers.map(packPeer).filter((p) => p !== null);
      if (values.length > 0) r.values = values;
      nodeFields(body.contacts, r);
      return r;
    }
    case 'VALUE': {
      const r: Fields = { token: body.token };
      if (body.withheld) r.withheld = 1;
      if (body.value !== null) {
        r.v = body.value;
        r.ttl = body.ttlMs;
        const auth = body.auth;
        if (auth !== null) {
          Object.assign(r, { k: auth.publicKey, sig: auth.signature, seq: auth.seq });
          if (auth.salt === null) r.plain = 1;
          else if (auth.salt.length > 0) r.salt = auth.salt;
        }
      }
      nodeFields(body.contacts, r);
      return r;
    }
    case 'STORED':
    case 'ANNOUNCED':
      return body.ok ? {} : [errorCodeFor(body.reason), body.reason];
  }
}

/**
 * The datagram for a message to `to`. Answers carry `ip`, the asker's address as we see
 * it (BEP 42), so a node can learn its public address.
 */
export function encodeKrpc(message: Message, to: PeerAddress): Uint8Array {
  const body = message.body;
  if (body.type in QUERY_TYPES) {
    const [method, args] = queryArgs(body as RequestBody);
    if (message.want !== undefined) args.want = wantList(message.want);
    const query: Fields = { t: message.requestId, y: 'q', q: method, a: { id: message.sender, ...args }, v: CLIENT_VERSION };
    if (message.readOnly === true) query.ro = 1; // BEP 43: beside t and y, not in a
    return bencode(query);
  }
  const fields = answerFields(body as ResponseBody);
  const ip = packPeer(to);
  const envelope: Fields = Array.isArray(fields)
    ? { t: message.requestId, y: 'e', e: fields }
    : { t: message.requestId, y: 'r', r: { id: message.sender, ...fields } };
  if (ip !== null) envelope.ip = ip;
  envelope.v = CLIENT_VERSION;
  return bencode(envelope);
}

/** A KRPC error answer to a query we could not take. */
export function encodeKrpcError(requestId: Uint8Array, code: number, message: string): Uint8Array {
  return bencode({ t: requestId, y: 'e', e: [code, message.slice(0, MAX_REASON_LENGTH)], v: CLIENT_VERSION });
}

/** BEP 32's want: the families as "n4" and "n6". */
const wantList = (want: number): string[] => [...(want & WANT_V4 ? ['n4'] : []), ...(want & WANT_V6 ? ['n6'] : [])];

const QUERY_TYPES: Record<RequestBody['type'], true> = {
  PING: true,
  STORE: true,
  FIND_NODE: true,
  FIND_VALUE: true,
  GET_PEERS: true,
  ANNOUNCE_PEER: true,
};

// ---- decoding

type Dict = Record<string, unknown>;

/** A dictionary's own entry: a key like `__proto__` in a hostile datagram must not reach the prototype. */
function own(dict: Dict, key: string): unknown {
  return Object.hasOwn(dict, key) ? dict[key] : undefined;
}

const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isBytes = (v: unknown, length: number): v is Uint8Array => v instanceof Uint8Array && v.length === length;
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;

function contactsOf(r: Dict): Peer[] | string {
  const contacts: Peer[] = [];
  for (const [key, family] of [
    ['nodes', 4],
    ['nodes6', 6],
  ] as const) {
    const raw = own(r, key);
    if (raw === undefined) continue;
    if (!(raw instanceof Uint8Array)) return `${key} must be a byte string`;
    const unpacked = unpackNodes(raw, family, MAX_CONTACTS_PER_MESSAGE - contacts.length);
    if (typeof unpacked === 'string') return unpacked;
    contacts.push(...unpacked);
  }
  return contacts;
}

function tokenOf(dict: Dict, required: boolean): Uint8Array | string {
  const token = own(dict, 'token');
  if (token === undefined) return required ? 'token missing' : EMPTY;
  if (!(token instanceof Uint8Array) || token.length === 0 || token.length > MAX_TOKEN_BYTES) return 'token must be 1-64 bytes';
  return token.slice();
}

function ttlOf(dict: Dict): number | string {
  const ttl = own(dict, 'ttl');
  if (ttl === undefined) return MAINLINE_ITEM_TTL_MS;
  return isInt(ttl, 1, MAX_TTL_MS) ? ttl : 'ttl out of range';
}

/** k, sig, seq (and salt) as an auth; null when there is no k; a string when something is wrong. */
function authOf(dict: Dict, plain: boolean): ItemAuth | null | string {
  const k = own(dict, 'k');
  if (k === undefined) return null;
  const sig = own(dict, 'sig');
  const seq = own(dict, 'seq');
  const salt = own(dict, 'salt');
  if (!isBytes(k, PUBLIC_KEY_BYTES)) return `k must be ${PUBLIC_KEY_BYTES} bytes`;
  if (!isBytes(sig, SIGNATURE_BYTES)) return `sig must be ${SIGNATURE_BYTES} bytes`;
  if (!isInt(seq, 0, Number.MAX_SAFE_INTEGER)) return 'seq out of range';
  if (salt !== undefined && !(salt instanceof Uint8Array)) return 'salt must be a byte string';
  if (salt !== undefined && salt.length > MAX_SALT_BYTES) return `salt too big (at most ${MAX_SALT_BYTES} bytes)`;
  const saltBytes = plain ? null : salt === undefined ? EMPTY : salt.slice();
  return { publicKey: k.slice(), seq, signature: sig.slice(), salt: saltBytes };
}

/** BEP 32's want as WANT_V4 | WANT_V6 (other families named are ignored), undefined when absent. */
function wantOf(a: Dict): number | undefined | string {
  const want = own(a, 'want');
  if (want === undefined) return undefined;
  if (!Array.isArray(want) || want.length > 8) return 'want must be a list like [n4, n6]';
  let families = 0;
  for (const family of want) {
    if (!(family instanceof Uint8Array)) return 'want must be a list like [n4, n6]';
    const name = asText(family);
    if (name === 'n4') families |= WANT_V4;
    else if (name === 'n6') families |= WANT_V6;
  }
  return families;
}

/** Methods whose answers carry contacts, and so may say which families they want (BEP 32). */
const ASKS_FOR_CONTACTS = new Set(['find_node', 'get_peers', 'get']);

function decodeQuery(method: string, a: Dict): RequestBody | [number, string] {
  const bad = (why: string): [number, string] => [KrpcError.PROTOCOL, why];
  switch (method) {
    case 'ping':
      return { type: 'PING' };
    case 'find_node': {
      const target = own(a, 'target');
      return isBytes(target, ID_BYTES) ? { type: 'FIND_NODE', target: target.slice() } : bad('target must be 20 bytes');
    }
    case 'get_peers': {
      const infoHash = own(a, 'info_hash');
      return isBytes(infoHash, ID_BYTES) ? { type: 'GET_PEERS', infoHash: infoHash.slice() } : bad('info_hash must be 20 bytes');
    }
    case 'announce_peer': {
      const infoHash = own(a, 'info_hash');
      const implied = own(a, 'implied_port');
      const port = own(a, 'port');
      if (!isBytes(infoHash, ID_BYTES)) return bad('info_hash must be 20 bytes');
      const impliedPort = implied !== undefined && implied !== 0;
      if (implied !== undefined && !isInt(implied, 0, 1)) return bad('implied_port must be 0 or 1');
      if (!impliedPort && !isInt(port, 1, 0xffff)) return bad('port must be 1-65535');
      const token = tokenOf(a, true);
      if (typeof token === 'string') return bad(token);
      return { type: 'ANNOUNCE_PEER', infoHash: infoHash.slice(), port: impliedPort ? 0 : (port as number), impliedPort, token };
    }
    case 'get': {
      const target = own(a, 'target');
      if (!isBytes(target, ID_BYTES)) return bad('target must be 20 bytes');
      const token = tokenOf(a, false);
      if (typeof token === 'string') return bad(token);
      return { type: 'FIND_VALUE', key: target.slice(), token: token.length > 0 ? token : null };
    }
    case 'put': {
      const v = own(a, 'v');
      if (!(v instanceof Uint8Array)) return bad('v must be a byte string (other bencoded values are not stored here)');
      const token = tokenOf(a, true);
      if (typeof token === 'string') return bad(token);
      const key = own(a, 'key');
      const plain = key !== undefined;
      if (plain && !isBytes(key, ID_BYTES)) return bad('key must be 20 bytes');
      const auth = authOf(a, plain);
      if (typeof auth === 'string') return [auth.startsWith('salt too big') ? KrpcError.SALT_TOO_BIG : KrpcError.PROTOCOL, auth];
      if (plain && auth === null) return bad('a put with key must be signed (k, sig, seq)');
      const cas = own(a, 'cas');
      if (cas !== undefined && !isInt(cas, 0, Number.MAX_SAFE_INTEGER)) return bad('cas out of range');
      const ttlMs = ttlOf(a);
      if (typeof ttlMs === 'string') return bad(ttlMs);
      // an item's key follows from it (BEP 44); a plain value names its own
      const itemKey = plain
        ? (key as Uint8Array).slice()
        : auth === null
          ? immutableKey(v)
          : mutableKey(auth.publicKey, auth.salt ?? EMPTY);
      return { type: 'STORE', key: itemKey, value: v.slice(), ttlMs, token, auth, cas: cas === undefined ? null : cas };
    }
    default:
      return [KrpcError.METHOD_UNKNOWN, `method unknown: ${method.slice(0, 40)}`];
  }
}

function decodeAnswer(expect: ResponseBody['type'], r: Dict): ResponseBody | string {
  switch (expect) {
    case 'PONG':
      return { type: 'PONG' };
    case 'STORED':
      return { type: 'STORED', ok: true, reason: '' };
    case 'ANNOUNCED':
      return { type: 'ANNOUNCED', ok: true, reason: '' };
    case 'NODES': {
      const contacts = contactsOf(r);
      const token = tokenOf(r, false);
      if (typeof contacts === 'string') return contacts;
      if (typeof token === 'string') return token;
      return { type: 'NODES', contacts, token };
    }
    case 'PEERS': {
      const contacts = contactsOf(r);
      const token = tokenOf(r, false);
      if (typeof contacts === 'string') return contacts;
      if (typeof token === 'string') return token;
      const values = own(r, 'values') ?? [];
      if (!Array.isArray(values) || values.length > MAX_PEERS_DECODED) return 'values must be a list of compact peers';
      const peers: PeerAddress[] = [];
      for (const value of values) {
        const peer = value instanceof Uint8Array ? unpackPeer(value) : null;
        if (peer === null) return 'values must be a list of compact peers';
        peers.push(peer);
      }
      return { type: 'PEERS', peers, contacts, token };
    }
    case 'VALUE': {
      const contacts = contactsOf(r);
      const token = tokenOf(r, false);
      if (typeof contacts === 'string') return contacts;
      if (typeof token === 'string') return token;
      const withheld = own(r, 'withheld') === 1;
      const v = own(r, 'v');
      if (v === undefined) return { type: 'VALUE', value: null, ttlMs: 0, contacts, token, auth: null, withheld };
      if (!(v instanceof Uint8Array)) return 'v must be a byte string';
      const auth = authOf(r, own(r, 'plain') === 1);
      if (typeof auth === 'string') return auth;
      const ttlMs = ttlOf(r);
      if (typeof ttlMs === 'string') return ttlMs;
      return { type: 'VALUE', value: v.slice(), ttlMs, contacts, token, auth, withheld: false };
    }
  }
}

/** What an error answer stands for: a refusal of a write, or an answer that helps nothing. */
function errorAnswer(expect: ResponseBody['type'], code: number, message: string): ResponseBody {
  const reason = `${code} ${message}`.slice(0, MAX_REASON_LENGTH);
  switch (expect) {
    case 'STORED':
      return { type: 'STORED', ok: false, reason };
    case 'ANNOUNCED':
      return { type: 'ANNOUNCED', ok: false, reason };
    case 'PONG':
      return { type: 'PONG' };
    case 'NODES':
      return { type: 'NODES', contacts: [], token: EMPTY };
    case 'PEERS':
      return { type: 'PEERS', peers: [], contacts: [], token: EMPTY };
    case 'VALUE':
      return { type: 'VALUE', value: null, ttlMs: 0, contacts: [], token: EMPTY, auth: null, withheld: false };
  }
}

/** Decodes one datagram from `from`. Never throws. */
export function decodeKrpc(datagram: Uint8Array, from: PeerAddress, pending: PendingLookup): KrpcDecodeResult {
  if (datagram.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'datagram too large' };
  let raw: unknown;
  try {
    raw = bdecode(datagram);
  } catch {
    return { ok: false, reason: 'not valid bencode' };
  }
  if (!isDict(raw)) return { ok: false, reason: 'not a KRPC dictionary' };
  const t = own(raw, 't');
  const y = own(raw, 'y');
  if (!(t instanceof Uint8Array) || t.length === 0 || t.length > MAX_TRANSACTION_ID_BYTES)
    return { ok: false, reason: 't must be 1-64 bytes' };
  if (!(y instanceof Uint8Array) || y.length !== 1) return { ok: false, reason: 'y must be q, r or e' };
  const requestId = t.slice();
  const kind = y[0];
  if (kind === 0x71 /* q */) {
    const q = own(raw, 'q');
    const a = own(raw, 'a');
    const refuse = (code: number, message: string): KrpcDecodeResult => ({
      ok: false,
      reason: message,
      reply: { requestId, code, message },
    });
    if (!(q instanceof Uint8Array) || !isDict(a)) return refuse(KrpcError.PROTOCOL, 'a query takes q (a method) and a (a dict)');
    const id = own(a, 'id');
    if (!isBytes(id, ID_BYTES)) return refuse(KrpcError.PROTOCOL, 'id must be 20 bytes');
    const method = asText(q);
    const body = decodeQuery(method, a);
    if (Array.isArray(body)) return refuse(body[0], body[1]);
    const message: Message = { requestId, sender: id.slice(), body };
    if (own(raw, 'ro') === 1) message.readOnly = true;
    if (ASKS_FOR_CONTACTS.has(method)) {
      const want = wantOf(a);
      if (typeof want === 'string') return refuse(KrpcError.PROTOCOL, want);
      if (want !== undefined) message.want = want;
    }
    return { ok: true, message };
  }
  if (kind !== 0x72 /* r */ && kind !== 0x65 /* e */) return { ok: false, reason: 'y must be q, r or e' };
  const expect = pending.expectedFor(requestId, from);
  if (expect === null) return { ok: false, reason: 'an answer to no request of ours', unmatched: true };
  if (kind === 0x65) {
    const e = own(raw, 'e');
    if (!Array.isArray(e) || e.length < 2 || !isInt(e[0], 0, 0xffff) || !(e[1] instanceof Uint8Array))
      return { ok: false, reason: 'e must be [code, message]' };
    // an error carries no id: the RPC layer matches it by transaction id and source address alone
    return { ok: true, message: { requestId, sender: EMPTY, body: errorAnswer(expect, e[0], new TextDecoder().decode(e[1])) } };
  }
  const r = own(raw, 'r');
  if (!isDict(r)) return { ok: false, reason: 'r must be a dict' };
  const id = own(r, 'id');
  if (!isBytes(id, ID_BYTES)) return { ok: false, reason: 'id must be 20 bytes' };
  const body = decodeAnswer(expect, r);
  if (typeof body === 'string') return { ok: false, reason: body };
  return { ok: true, message: { requestId, sender: id.slice(), body } };
}
