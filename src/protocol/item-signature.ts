// The bytes a publisher signs, and how an item's key follows from what it holds.
//
// Mutable items sign what BEP 44 signs: the bencoded pairs "salt" (only when not empty),
// "seq" and "v", without the enclosing dict, the value as a bencoded byte string. So a
// BEP 44 test vector verifies here unchanged, and the Mainline DHT can carry our items.
// An owned plain value signs "key" (its 20 bytes), "seq" and "v" the same way: no
// mutable item's signed bytes start with "3:key", so neither can pass for the other.
import { createHash } from 'node:crypto';
import type { ItemAuth } from './messages.js';

/**
 * `<name><length>:<first>` when there is a first field, then `3:seqi<seq>e1:v<length>:<value>`,
 * written into one buffer: every STORE a node takes is checked against these bytes, and
 * joining the pieces made eight buffers each time.
 */
function signedFields(name: string, first: Uint8Array | null, seq: number, value: Uint8Array): Buffer {
  const head = first === null ? '' : `${name}${first.length}:`;
  const middle = `3:seqi${seq}e1:v${value.length}:`;
  const firstLength = first === null ? 0 : first.length;
  const out = Buffer.allocUnsafe(head.length + firstLength + middle.length + value.length);
  let at = out.write(head, 0, 'latin1');
  if (first !== null) out.set(first, at);
  at += firstLength;
  at += out.write(middle, at, 'latin1');
  out.set(value, at);
  return out;
}

/** What the owner of a mutable item (BEP 44) signs. */
export function mutableSignedBytes(salt: Uint8Array, seq: number, value: Uint8Array): Buffer {
  return signedFields('4:salt', salt.length > 0 ? salt : null, seq, value);
}

/** What the owner of a plain value signs: the key it chose, instead of a salt. */
export function plainSignedBytes(key: Uint8Array, seq: number, value: Uint8Array): Buffer {
  return signedFields('3:key', key, seq, value);
}

/** The bytes `auth.signature` must sign for `value` stored under `key`. */
export function signedBytes(key: Uint8Array, value: Uint8Array, auth: Pick<ItemAuth, 'seq' | 'salt'>): Buffer {
  return auth.salt === null ? plainSignedBytes(key, auth.seq, value) : mutableSignedBytes(auth.salt, auth.seq, value);
}

/** An immutable item's key (BEP 44): SHA-1 of its value bencoded as a byte string, `<length>:<value>`. */
export function immutableKey(value: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(`${value.length}:`, 'latin1').update(value).digest());
}

/** A mutable item's key: SHA-1 of its public key and salt (BEP 44). */
export function mutableKey(publicKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKey).update(salt).digest());
}
