// Who may write what (BEP 44, and our owned plain values). Two questions, asked in order:
// is the item well formed and signed (itemProblem), and may it replace what a node holds
// under its key (judgeWrite). A plain value belongs to the key that signed it until it
// expires: only that key can replace, shorten or refresh it, by signing a higher seq.
import type { ItemAuth } from '../../protocol/messages.js';
import { immutableKey, mutableKey, signedBytes } from '../../protocol/item-signature.js';
import type { CryptoSuite } from './crypto-suite.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Why (key, value, auth) is not a valid item, or '' when it is. */
export function itemProblem(key: Uint8Array, value: Uint8Array, auth: ItemAuth | null, suite: CryptoSuite): string {
  if (auth === null)
    return sameBytes(immutableKey(value), key)
      ? ''
      : 'unsigned value: only an immutable item (key = SHA-1 of the bencoded value) may be unsigned';
  if (auth.salt !== null && !sameBytes(mutableKey(auth.publicKey, auth.salt), key))
    return "a mutable item's key must be SHA-1(public key + salt)";
  if (!suite.verify(auth.publicKey, signedBytes(key, value, auth), auth.signature)) return 'invalid signature';
  return '';
}

/** What a valid write does to the item held under its key. */
export type WriteDecision =
  /** Store it: new value, auth and expiry (which may be sooner than the old one). */
  | 'replace'
  /** The same item again: keep it, live until the later of both expiries. */
  | 'refresh'
  /** The same owned plain value again: nothing changes (a replay cannot extend its life). */
  | 'keep';

export interface HeldItem {
  readonly value: Uint8Array;
  readonly auth: ItemAuth | null;
}

/** What writing (value, auth) over `held` does, or why it is refused (BEP 44's rules; cas: 301, seq: 302). */
export function judgeWrite(
  held: HeldItem | null,
  value: Uint8Array,
  auth: ItemAuth | null,
  cas: number | null,
): WriteDecision | { refused: string } {
  if (held === null) return 'replace';
  const was = held.auth;
  const wasPlain = was !== null && was.salt === null;
  const isPlain = auth !== null && auth.salt === null;
  // A derived key (immutable: SHA-1 of the value; mutable: of the public key and salt) is
  // proof of whose it is; a plain value's key is only claimed. So an item at its derived
  // key displaces a plain value squatting there, and a plain value never displaces one.
  if (wasPlain !== isPlain) {
    return isPlain ? { refused: 'the key belongs to an immutable or mutable item' } : 'replace';
  }
  if (was === null || auth === null) {
    if (was === null && auth === null) return 'refresh'; // one key, one immutable value
    return { refused: was === null ? 'the key holds an immutable item' : 'the key holds a mutable item' };
  }
  if (!sameBytes(was.publicKey, auth.publicKey)) return { refused: 'the key belongs to another publisher until its value expires' };
  if (cas !== null && cas !== was.seq) return { refused: `cas mismatch: the held seq is ${was.seq}` };
  if (auth.seq < was.seq) return { refused: `sequence number less than current (${was.seq})` };
  if (auth.seq > was.seq) return 'replace';
  if (!sameBytes(held.value, value)) return { refused: 'same sequence number, different value' };
  return auth.salt === null ? 'keep' : 'refresh';
}
