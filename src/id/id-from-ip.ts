// BEP 42: a node id derived from the node's IPv4 address. Its first 21 bits are the
// CRC-32C of the address (masked so that nearby addresses of one operator share few
// patterns) mixed with a random r of 3 bits kept in the id's last byte. A node can then
// choose only 8 of the 2^21 prefixes per address: it cannot place an id next to a key of
// its choosing without controlling an address whose CRC lands there. Addresses are
// passed packed in a 32-bit integer (net order); local ranges are exempt (isLocalIpv4).
import { crc32c } from '@aws-crypto/crc32c';
import { ID_BYTES } from './id.js';

const V4_MASK = 0x030f3fff;
const scratch = new Uint8Array(4);

function prefixOf(ipv4: number, r: number): number {
  const masked = ((ipv4 & V4_MASK) | (r << 29)) >>> 0;
  scratch[0] = masked >>> 24;
  scratch[1] = (masked >>> 16) & 0xff;
  scratch[2] = (masked >>> 8) & 0xff;
  scratch[3] = masked & 0xff;
  return crc32c(scratch);
}

/** An id for a node at `ipv4`: BEP 42's prefix, then `random` bytes, r in the last byte's low bits. */
export function idForIpv4(ipv4: number, random: Uint8Array): Uint8Array {
  if (random.length !== ID_BYTES) throw new RangeError(`random must be ${ID_BYTES} bytes`);
  const id = random.slice();
  const r = id[ID_BYTES - 1] & 7;
  const crc = prefixOf(ipv4, r);
  id[0] = crc >>> 24;
  id[1] = (crc >>> 16) & 0xff;
  id[2] = ((crc >>> 8) & 0xf8) | (id[2] & 7);
  return id;
}

/** Whether `id` is one a node at `ipv4` may have under BEP 42 (its first 21 bits match). */
export function idMatchesIpv4(id: Uint8Array, ipv4: number): boolean {
  const crc = prefixOf(ipv4, id[ID_BYTES - 1] & 7);
  return id[0] === crc >>> 24 && id[1] === ((crc >>> 16) & 0xff) && (id[2] & 0xf8) === ((crc >>> 8) & 0xf8);
}

/** The ranges BEP 42 exempts: loopback, private (RFC 1918), link-local, and 0.0.0.0/8. */
export function isLocalIpv4(ipv4: number): boolean {
  const a = ipv4 >>> 24;
  const b = (ipv4 >>> 16) & 0xff;
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168);
}
