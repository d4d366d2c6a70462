// The bytes a publisher signs, and how an item's key follows from what it holds.
//
// Mutable items sign what BEP 44 signs: the bencoded pairs "salt" (only when not empty),
// "seq" and "v", without the enclosing dict, the value as a bencoded byte string. So a
// BEP 44 test vector verifies here unchanged, and the Mainline DHT can carry our items.
// An owned plain value signs "key" (its 20 bytes), "seq" and "v" the same way: no
// mutable item's signed bytes start with "3:key", so neither can pass for the other.
import { createHash } from 'node:crypto';
import type { ItemAuth } from './messages.js';

const ascii = (s: string) => Buffer.from(s, 'latin1');

/** `<length>:<bytes>`, a bencoded byte string. */
function bencodedBytes(bytes: Uint8Array): Buffer {
  return Buffer.concat([ascii(`${bytes.length}:`), bytes]);
}

/** What the owner of a mutable item (BEP 44) signs. */
export function mutableSignedBytes(salt: Uint8Array, seq: number, value: Uint8Array): Buffer {
  const parts: Uint8Array[] = [];
  if (salt.length > 0) parts.push(ascii('4:salt'), bencodedBytes(salt));
  parts.push(ascii(`3:seqi${seq}e1:v`), bencodedBytes(value));
  return Buffer.concat(parts);
}

/** What the owner of a plain value signs: the key it chose, instead of a salt. */
export function plainSignedBytes(key: Uint8Array, seq: number, value: Uint8Array): Buffer {
  return Buffer.concat([ascii('3:key'), bencodedBytes(key), ascii(`3:seqi${seq}e1:v`), bencodedBytes(value)]);
}

/** The bytes `auth.signature` must sign for `value` stored under `key`. */
export function signedBytes(key: Uint8Array, value: Uint8Array, auth: Pick<ItemAuth, 'seq' | 'salt'>): Buffer {
  return auth.salt === null ? plainSignedBytes(key, auth.seq, value) : mutableSignedBytes(auth.salt, auth.seq, value);
}

/** An immutable item's key: SHA-1 of its value (BEP 44). */
export function immutableKey(value: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(value).digest());
}

/** A mutable item's key: SHA-1 of its public key and salt (BEP 44). */
export function mutableKey(publicKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKey).update(salt).digest());
}
