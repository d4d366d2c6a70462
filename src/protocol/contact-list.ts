// The contacts of a NODES or VALUE answer, packed into one MessagePack bin (the way
// BitTorrent's DHT packs "compact node info"), one record after another:
//
//   id (20 bytes) | address tag (1 byte) | address | port (uint32, big-endian)
//
//   tag 4: an IPv4 address, 4 bytes (the host in dotted-quad form, as sockets name it)
//   tag 0: any other host (IPv6, a simulator's endpoint name): length (1 byte), UTF-8
//
// Why not an array of [id, host, port]: with @msgpack/msgpack, a NODES answer of 20
// contacts as 20 arrays of a bin, a string and an int took ~8 us to encode and ~8 us to
// decode, most of it the host strings; packed, the whole answer takes ~2.7 us each way,
// and the records are read here with no copies but the ids.
import { ID_BYTES } from '../id/id.js';
import { MAX_CONTACTS_PER_MESSAGE, MAX_HOST_LENGTH } from './limits.js';
import type { Peer } from '../routing/peer.js';
import { ipv4Host, packedIpv4 } from '../util/ipv4.js';

export const ADDRESS_IPV4 = 4;
export const ADDRESS_NAME = 0;
const PORT_BYTES = 4;
/** Largest record: a name of MAX_HOST_LENGTH UTF-16 units is at most 3 UTF-8 bytes each. */
const MAX_RECORD_BYTES = ID_BYTES + 2 + MAX_HOST_LENGTH * 3 + PORT_BYTES;

let scratch = new Uint8Array(64 * 32);
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * The contacts as one byte string: a view of a buffer reused by the next call, so the
 * caller encodes it before packing again. Throws RangeError for a contact that cannot be
 * packed (a bad id, an empty or too long host, a port outside 1..2^32-1): the node never
 * builds one.
 */
export function packContacts(contacts: readonly Peer[]): Uint8Array {
  const needed = contacts.length * MAX_RECORD_BYTES;
  if (scratch.length < needed) scratch = new Uint8Array(needed);
  const out = scratch;
  let at = 0;
  for (const contact of contacts) {
    const { id, host, port } = contact;
    if (id.length !== ID_BYTES) throw new RangeError('contact id must be 20 bytes');
    if (!Number.isInteger(port) || port < 1 || port > 0xffffffff) throw new RangeError(`bad contact port ${port}`);
    // by hand: for 20 bytes, TypedArray.prototype.set costs more than the copy
    for (let i = 0; i < ID_BYTES; i++) out[at + i] = id[i];
    at += ID_BYTES;
    const ipv4 = contact.ipv4 ?? packedIpv4(host);
    if (ipv4 >= 0) {
      out[at++] = ADDRESS_IPV4;
      at = writeUint32(out, at, ipv4);
    } else {
      if (host.length === 0 || host.length > MAX_HOST_LENGTH) throw new RangeError('contact host must be 1 to 64 characters');
      out[at++] = ADDRESS_NAME;
      const { written } = utf8.encodeInto(host, out.subarray(at + 1, at + 1 + MAX_HOST_LENGTH * 3));
      out[at] = written;
      at += 1 + written;
    }
    at = writeUint32(out, at, port);
  }
  return out.subarray(0, at);
}

/** How many bytes packContacts writes for these contacts, without writing them (a simulation measures its traffic with it). */
export function packedContactsBytes(contacts: readonly Peer[]): number {
  let bytes = 0;
  for (const contact of contacts) {
    const ipv4 = contact.ipv4 ?? packedIpv4(contact.host);
    bytes += ID_BYTES + 1 + (ipv4 >= 0 ? 4 : 1 + Buffer.byteLength(contact.host, 'utf8')) + PORT_BYTES;
  }
  return bytes;
}

/** Reads packed contacts; a string saying what is wrong when `bytes` is not exactly a list of valid records. */
export function unpackContacts(bytes: Uint8Array): Peer[] | string {
  const contacts: Peer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (contacts.length === MAX_CONTACTS_PER_MESSAGE) return 'too many contacts';
    if (bytes.length - at < ID_BYTES + 1) return 'contact list truncated';
    const id = bytes.slice(at, at + ID_BYTES); // a copy: the datagram's buffer is reused
    at += ID_BYTES;
    const tag = bytes[at++];
    let host: string;
    let ipv4 = -1;
    if (tag === ADDRESS_IPV4) {
      if (bytes.length - at < 4) return 'contact list truncated';
      ipv4 = readUint32(bytes, at);
      host = ipv4Host(ipv4);
      at += 4;
    } else if (tag === ADDRESS_NAME) {
      if (at === bytes.length) return 'contact list truncated';
      const length = bytes[at++];
      if (bytes.length - at < length) return 'contact list truncated';
      try {
        host = utf8Strict.decode(bytes.subarray(at, at + length));
      } catch {
        return 'contact host is not UTF-8';
      }
      if (host.length === 0 || host.length > MAX_HOST_LENGTH) return 'bad contact host';
      at += length;
    } else return 'unknown contact address tag';
    if (bytes.length - at < PORT_BYTES) return 'contact list truncated';
    const port = readUint32(bytes, at);
    at += PORT_BYTES;
    if (port === 0) return 'bad contact port';
    // the packed address comes along, so that address checks need not parse the host again
    contacts.push({ id, host, port, ipv4 });
  }
  return contacts;
}

function writeUint32(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
  return at + 4;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
