// The cryptography a node relies on: its signing key, signature checks and write-token
// hashes. 'ed25519' is the real thing (node:crypto), always used on UDP. 'model' is the
// simulator's stand-in: hashes that are not secure, but give the same accept/refuse
// outcome for everything our nodes and scripted attackers do (a wrong key, a changed
// value or seq, a token for another IP all fail), at a fraction of the cost.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, TOKEN_BYTES } from '../../protocol/limits.js';
import type { RandomSource } from '../../util/random.js';

export type CryptoKind = 'ed25519' | 'model';

/** A node's signing identity. */
export interface NodeKey {
  readonly publicKey: Uint8Array;
  sign(bytes: Uint8Array): Uint8Array;
}

export interface CryptoSuite {
  readonly kind: CryptoKind;
  newKey(random: RandomSource): NodeKey;
  verify(publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean;
  /** A write token: a hash of a node's secret and the asker's IP (BEP 5). */
  token(secret: Uint8Array, host: string): Uint8Array;
}

// ---- ed25519

/** DER prefix of an ed25519 SubjectPublicKeyInfo: the raw 32-byte key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER prefix of an ed25519 PKCS#8 private key: the 32-byte seed follows it. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Checked signatures, process-wide: a swarm's nodes share a process, and the k holders of
 * a value check one signature k times. Keyed by signature; the signed bytes and key are
 * compared in full, so a cached answer is only ever reused for exactly what was checked.
 */
const checked = new Map<string, { publicKey: Uint8Array; bytes: Uint8Array; ok: boolean }>();
const publicKeys = new Map<string, KeyObject>();
const CACHE_LIMIT = 65_536;

function publicKeyObject(raw: Uint8Array): KeyObject {
  const name = Buffer.from(raw).toString('latin1');
  let key = publicKeys.get(name);
  if (!key) {
    if (publicKeys.size >= CACHE_LIMIT) publicKeys.clear();
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    publicKeys.set(name, key);
  }
  return key;
}

export class Ed25519Key implements NodeKey {
  readonly publicKey: Uint8Array;

  private constructor(private readonly privateKey: KeyObject) {
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - PUBLIC_KEY_BYTES));
  }

  static generate(): Ed25519Key {
    return new Ed25519Key(generateKeyPairSync('ed25519').privateKey);
  }

  /** The key whose 32-byte seed (RFC 8032's private key) is `seed`. */
  static fromSeed(seed: Uint8Array): Ed25519Key {
    if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes (got ${seed.length})`);
    return new Ed25519Key(createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
  }

  /** The 32-byte seed, for saving the key. */
  get seed(): Uint8Array {
    const pkcs8 = this.privateKey.export({ format: 'der', type: 'pkcs8' });
    return new Uint8Array(pkcs8.subarray(pkcs8.length - 32));
  }

  sign(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, bytes, this.privateKey));
  }
}

function verifyEd25519(publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  const name = Buffer.from(signature).toString('latin1');
  const seen = checked.get(name);
  if (seen && Buffer.compare(seen.bytes, bytes) === 0 && Buffer.compare(seen.publicKey, publicKey) === 0) return seen.ok;
  let ok: boolean;
  try {
    ok = verify(null, bytes, publicKeyObject(publicKey), signature);
  } catch {
    ok = false; // not a point on the curve
  }
  if (checked.size >= CACHE_LIMIT) checked.clear();
  checked.set(name, { publicKey: publicKey.slice(), bytes: Uint8Array.from(bytes), ok });
  return ok;
}

export const ed25519Suite: CryptoSuite = {
  kind: 'ed25519',
  newKey: () => Ed25519Key.generate(),
  verify: verifyEd25519,
  token(secret, host) {
    const digest = createHash('sha1').update(secret).update(host).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, TOKEN_BYTES).slice();
  },
};

// ---- the simulator's stand-in

/** FNV-1a over `bytes`, continuing from `h`. */
function fnv(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function fnvString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function writeWords(out: Uint8Array, a: number, b: number): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, a);
  view.setUint32(4, b);
  return out;
}

function modelSignature(publicKey: Uint8Array, bytes: Uint8Array): Uint8Array {
  return writeWords(new Uint8Array(SIGNATURE_BYTES), fnv(fnv(0x811c9dc5, publicKey), bytes), fnv(fnv(0x050c5d1f, bytes), publicKey));
}

class ModelKey implements NodeKey {
  constructor(readonly publicKey: Uint8Array) {}

  sign(bytes: Uint8Array): Uint8Array {
    return modelSignature(this.publicKey, bytes);
  }
}

export const modelSuite: CryptoSuite = {
  kind: 'model',
  newKey: (random) => new ModelKey(random.bytes(PUBLIC_KEY_BYTES)),
  verify: (publicKey, bytes, signature) =>
    signature.length === SIGNATURE_BYTES && Buffer.compare(modelSignature(publicKey, bytes), signature) === 0,
  token: (secret, host) =>
    writeWords(new Uint8Array(TOKEN_BYTES), fnvString(fnv(0x811c9dc5, secret), host), fnvString(fnv(0x050c5d1f, secret), host)),
};

export const cryptoSuite = (kind: CryptoKind): CryptoSuite => (kind === 'model' ? modelSuite : ed25519Suite);
