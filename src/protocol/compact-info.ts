// BitTorrent's compact forms (BEP 5, BEP 32): a peer is its address and port, 6 bytes for
// IPv4 and 18 for IPv6; a node is its 20-byte id followed by that (26 or 38 bytes). Both
// protocols carry a torrent's peers this way; Mainline also its contacts.
import { ID_BYTES } from '../id/id.js';
import type { Peer } from '../routing/peer.js';
import { ipv4Host, packedIpv4 } from '../util/ipv4.js';
import { ipv6Bytes, ipv6Host } from '../util/ipv6.js';
import type { PeerAddress } from './messages.js';
import { MAX_PEERS_PER_ANSWER } from './limits.js';

export const COMPACT_PEER_V4 = 6;
export const COMPACT_PEER_V6 = 18;
export const COMPACT_NODE_V4 = ID_BYTES + COMPACT_PEER_V4;
export const COMPACT_NODE_V6 = ID_BYTES + COMPACT_PEER_V6;

/** Which family an address packs into: 4, 6, or 0 when it has no compact form (a name, a port past 65535). */
export function compactFamily(address: PeerAddress): 0 | 4 | 6 {
  const { host, port } = address;
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) return 0;
  if (packedIpv4(host) >= 0) return 4;
  return ipv6Bytes(host) !== null ? 6 : 0;
}

/** Writes the address and port at `at` (its family from compactFamily); returns where it ends. */
function writeAddress(out: Uint8Array, at: number, address: PeerAddress, family: 4 | 6): number {
  if (family === 4) {
    const ip = packedIpv4(address.host);
    out[at] = ip >>> 24;
    out[at + 1] = (ip >>> 16) & 0xff;
    out[at + 2] = (ip >>> 8) & 0xff;
    out[at + 3] = ip & 0xff;
    at += 4;
  } else {
    out.set(ipv6Bytes(address.host)!, at);
    at += 16;
  }
  out[at] = address.port >>> 8;
  out[at + 1] = address.port & 0xff;
  return at + 2;
}

function readAddress(bytes: Uint8Array, at: number, family: 4 | 6): PeerAddress {
  if (family === 4) {
    const ip = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
    return { host: ipv4Host(ip), port: (bytes[at + 4] << 8) | bytes[at + 5] };
  }
  return { host: ipv6Host(bytes.subarray(at, at + 16)), port: (bytes[at + 16] << 8) | bytes[at + 17] };
}

/** One peer's compact form, or null when it has none. */
export function packPeer(address: PeerAddress): Uint8Array | null {
  const family = compactFamily(address);
  if (family === 0) return null;
  const out = new Uint8Array(family === 4 ? COMPACT_PEER_V4 : COMPACT_PEER_V6);
  writeAddress(out, 0, address, family);
  return out;
}

/** A peer from its compact form (6 or 18 bytes), or null for any other length or port 0. */
export function unpackPeer(bytes: Uint8Array): PeerAddress | null {
  const family = bytes.length === COMPACT_PEER_V4 ? 4 : bytes.length === COMPACT_PEER_V6 ? 6 : 0;
  if (family === 0) return null;
  const peer = readAddress(bytes, 0, family);
  return peer.port === 0 ? null : peer;
}

/** The contacts of one family as concatenated compact node info; contacts of the other family, or none, are left out. */
export function packNodes(contacts: readonly Peer[], family: 4 | 6): Uint8Array {
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  const out = new Uint8Array(contacts.length * size);
  let at = 0;
  for (const contact of contacts) {
    if (contact.id.length !== ID_BYTES || compactFamily(contact) !== family) continue;
    out.set(contact.id, at);
    at = writeAddress(out, at + ID_BYTES, contact, family);
  }
  return out.subarray(0, at);
}

/** Compact node info of one family; a string saying what is wrong when the length is not a whole number of records, or a port is 0. */
export function unpackNodes(bytes: Uint8Array, family: 4 | 6, max: number): Peer[] | string {
  const size = family === 4 ? COMPACT_NODE_V4 : COMPACT_NODE_V6;
  if (bytes.length % size !== 0) return `compact node info must be a multiple of ${size} bytes`;
  if (bytes.length / size > max) return 'too many contacts';
  const contacts: Peer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const { host, port } = readAddress(bytes, at + ID_BYTES, family);
    if (port === 0) return 'bad contact port';
    contacts.push({ id: bytes.slice(at, at + ID_BYTES), host, port });
  }
  return contacts;
}

/** The peers of one family, concatenated (how the MessagePack protocol carries a PEERS answer's peers). */
export function packPeerList(peers: readonly PeerAddress[], family: 4 | 6): Uint8Array {
  const size = family === 4 ? COMPACT_PEER_V4 : COMPACT_PEER_V6;
  const out = new Uint8Array(peers.length * size);
  let at = 0;
  for (const peer of peers) if (compactFamily(peer) === family) at = writeAddress(out, at, peer, family);
  return out.subarray(0, at);
}

/** How many bytes packPeerList writes for these peers and this family, without writing them. */
export function packedPeerListBytes(peers: readonly PeerAddress[], family: 4 | 6): number {
  let count = 0;
  for (const peer of peers) if (compactFamily(peer) === family) count++;
  return count * (family === 4 ? COMPACT_PEER_V4 : COMPACT_PEER_V6);
}

/** What packPeerList wrote; a string saying what is wrong otherwise. */
export function unpackPeerList(bytes: unknown, family: 4 | 6): PeerAddress[] | string {
  const size = family === 4 ? COMPACT_PEER_V4 : COMPACT_PEER_V6;
  if (!(bytes instanceof Uint8Array) || bytes.length % size !== 0) return `peers must be a multiple of ${size} bytes`;
  if (bytes.length / size > MAX_PEERS_PER_ANSWER) return 'too many peers';
  const peers: PeerAddress[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const peer = readAddress(bytes, at, family);
    if (peer.port === 0) return 'bad peer port';
    peers.push(peer);
  }
  return peers;
}
