// 160-bit Kademlia ids: constants and conversions. Ids are plain 20-byte Uint8Arrays.
import { createHash, randomBytes } from 'node:crypto';

export const ID_BYTES = 20;
export const ID_BITS = 160;

/** SHA-1 of the UTF-8 string: how keys and node names become ids. */
export function keyFromString(s: string): Uint8Array {
  if (typeof s !== 'string') throw new TypeError('key must be a string');
  return new Uint8Array(createHash('sha1').update(s, 'utf8').digest());
}

export function randomId(): Uint8Array {
  return new Uint8Array(randomBytes(ID_BYTES));
}

export function idToHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

export function idFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new RangeError('id must be 40 hex digits');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function idsEqual(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < ID_BYTES; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A compact string key for maps (one char per byte): much cheaper to build than hex. */
export function idKey(id: Uint8Array): string {
  return String.fromCharCode(
    id[0],
    id[1],
    id[2],
    id[3],
    id[4],
    id[5],
    id[6],
    id[7],
    id[8],
    id[9],
    id[10],
    id[11],
    id[12],
    id[13],
    id[14],
    id[15],
    id[16],
    id[17],
    id[18],
    id[19],
  );
}
