// BEP 42: a node id derived from the node's IP address. Its first 21 bits are the
// CRC-32C of the address (masked so that nearby addresses of one operator share few
// patterns) mixed with a random r of 3 bits kept in the id's last byte. A node can then
// choose only 8 of the 2^21 prefixes per address: it cannot place an id next to a key of
// its choosing without controlling an address whose CRC lands there. IPv4 addresses are
// passed packed in a 32-bit integer (net order), IPv6 ones as 16 bytes, of which the
// rule reads the first 8 (the network an operator is given); local ranges are exempt.
import { crc32c } from '@aws-crypto/crc32c';
import { ID_BYTES } from './id.js';

const V4_MASK = 0x030f3fff;
const V6_MASK = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];
const scratch4 = new Uint8Array(4);
const scratch8 = new Uint8Array(8);

function prefixOfIpv4(ipv4: number, r: number): number {
  const masked = ((ipv4 & V4_MASK) | (r << 29)) >>> 0;
  scratch4[0] = masked >>> 24;
  scratch4[1] = (masked >>> 16) & 0xff;
  scratch4[2] = (masked >>> 8) & 0xff;
  scratch4[3] = masked & 0xff;
  return crc32c(scratch4);
}

function prefixOfIpv6(ipv6: Uint8Array, r: number): number {
  for (let i = 0; i < 8; i++) scratch8[i] = ipv6[i] & V6_MASK[i];
  scratch8[0] |= r << 5;
  return crc32c(scratch8);
}

/** The 3 random bits r an id keeps in its last byte. */
const rOf = (id: Uint8Array) => id[ID_BYTES - 1] & 7;

/** A copy of `random` with its first 21 bits replaced by the CRC's. */
function withPrefix(random: Uint8Array, crc: number): Uint8Array {
  const id = random.slice();
  id[0] = crc >>> 24;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2] & 7);
  return id;
}

const hasPrefix = (id: Uint8Array, crc: number) =>
  id[0] === crc >>> 24 && id[1] === ((crc >>> 16) & 0xff) && (id[2] & 0xf8) === ((crc >>> 8) & 0xf8);

function checkRandom(random: Uint8Array): void {
  if (random.length !== ID_BYTES) throw new RangeError(`random must be ${ID_BYTES} bytes`);
}

/** An id for a node at `ipv4`: BEP 42's prefix, then `random` bytes, r in the last byte's low bits. */
export function idForIpv4(ipv4: number, random: Uint8Array): Uint8Array {
  checkRandom(random);
  return withPrefix(random, prefixOfIpv4(ipv4, rOf(random)));
}

/** Whether `id` is one a node at `ipv4` may have under BEP 42 (its first 21 bits match). */
export function idMatchesIpv4(id: Uint8Array, ipv4: number): boolean {
  return hasPrefix(id, prefixOfIpv4(ipv4, rOf(id)));
}

/** An id for a node at `ipv6` (16 bytes), as idForIpv4. */
export function idForIpv6(ipv6: Uint8Array, random: Uint8Array): Uint8Array {
  checkRandom(random);
  return withPrefix(random, prefixOfIpv6(ipv6, rOf(random)));
}

/** Whether `id` is one a node at `ipv6` (16 bytes) may have under BEP 42. */
export function idMatchesIpv6(id: Uint8Array, ipv6: Uint8Array): boolean {
  return hasPrefix(id, prefixOfIpv6(ipv6, rOf(id)));
}

/** The ranges BEP 42 exempts: loopback, private (RFC 1918), link-local, and 0.0.0.0/8. */
export function isLocalIpv4(ipv4: number): boolean {
  const a = ipv4 >>> 24;
  const b = (ipv4 >>> 16) & 0xff;
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168);
}

/**
 * The IPv6 ranges exempt like those: unspecified and loopback (::, ::1), unique local
 * (fc00::/7), link-local (fe80::/10), and IPv4-mapped addresses of a local IPv4 range.
 */
export function isLocalIpv6(ipv6: Uint8Array): boolean {
  let zeros = 0;
  while (zeros < 15 && ipv6[zeros] === 0) zeros++;
  if (zeros === 15 && ipv6[15] <= 1) return true;
  if ((ipv6[0] & 0xfe) === 0xfc || (ipv6[0] === 0xfe && (ipv6[1] & 0xc0) === 0x80)) return true;
  if (zeros === 10 && ipv6[10] === 0xff && ipv6[11] === 0xff) {
    return isLocalIpv4(((ipv6[12] << 24) | (ipv6[13] << 16) | (ipv6[14] << 8) | ipv6[15]) >>> 0);
  }
  return false;
}
