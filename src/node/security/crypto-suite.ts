// The cryptography a node relies on: its signing key, signature checks and write-token
// hashes. 'ed25519' is the real thing (node:crypto), always used on UDP. 'model' is the
// simulator's stand-in: hashes that are not secure, but give the same accept/refuse
// outcome for everything our nodes and scripted attackers do (a wrong key, a changed
// value or seq, a token for another IP all fail), at a fraction of the cost.
import * as crypto from 'node:crypto';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
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
  /** A write token: a hash of a node's secret (hex) and the asker's IP (BEP 5). */
  token(secret: string, host: string): Uint8Array;
}

// ---- ed25519

/** DER prefix of an ed25519 PKCS#8 private key: the 32-byte seed follows it. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Checked signatures, process-wide: a swarm's nodes share a process, and the k holders of
 * a value check one signature k times. Keyed by signature; the signed bytes and key are
 * compared in full, so a cached answer is only ever reused for exactly what was checked.
 */
const checked = new Map<string, { publicKey: Uint8Array; bytes: Uint8Array; ok: boolean }>();
const CACHE_LIMIT = 65_536;

// Raw keys go in and out of node:crypto as JWK: importing one takes ~18 us, against
// ~125 us as DER, and exporting ~4 us against ~110 us.
const jwkOf = (raw: Uint8Array) => ({ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') });

function rawPublicKey(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));
}

type JwkEncoding = { format: 'jwk' };
/** generateKeyPairSync with JWK output, which @types/node does not declare. */
const generateJwkPair = generateKeyPairSync as unknown as (
  type: 'ed25519',
  options: { privateKeyEncoding: JwkEncoding; publicKeyEncoding: JwkEncoding },
) => { privateKey: JsonWebKey; publicKey: JsonWebKey };

export class Ed25519Key implements NodeKey {
  private constructor(
    private readonly privateKey: KeyObject,
    readonly publicKey: Uint8Array,
  ) {}

  static generate(): Ed25519Key {
    // Node 20 can deadlock on the KeyObjects generateKeyPairSync returns: exporting one holds
    // its key's mutex while allocating, and a GC then may finalize the spent key-generation
    // job, whose destructor takes the same mutex. So the pair comes out encoded (inside the
    // live job) and the private key is imported afresh, sharing no mutex with any job.
    const pair = generateJwkPair('ed25519', { privateKeyEncoding: { format: 'jwk' }, publicKeyEncoding: { format: 'jwk' } });
    const privateKey = createPrivateKey({ key: pair.privateKey, format: 'jwk' });
    return new Ed25519Key(privateKey, new Uint8Array(Buffer.from(pair.publicKey.x!, 'base64url')));
  }

  /** The key whose 32-byte seed (RFC 8032's private key) is `seed`. */
  static fromSeed(seed: Uint8Array): Ed25519Key {
    if (seed.length !== 32) throw new RangeError(`an ed25519 seed is 32 bytes (got ${seed.length})`);
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    return new Ed25519Key(privateKey, rawPublicKey(createPublicKey(privateKey)));
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

/** SHA-1 in one call where node:crypto has it (Node 20.12 and later: ~30% cheaper for short inputs). */
const sha1: (data: string) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (data) => (crypto as unknown as { hash(a: string, d: string, e: 'buffer'): Buffer }).hash('sha1', data, 'buffer')
    : (data) => createHash('sha1').update(data).digest();

function verifyEd25519(publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  const name = Buffer.from(signature).toString('latin1');
  const seen = checked.get(name);
  if (seen && Buffer.compare(seen.bytes, bytes) === 0 && Buffer.compare(seen.publicKey, publicKey) === 0) return seen.ok;
  let ok: boolean;
  try {
    ok = verify(null, bytes, { key: jwkOf(publicKey), format: 'jwk' }, signature);
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
    // a Uint8Array of its own: a Buffer's slice() is a view, and callers may slice to copy
    return new Uint8Array(sha1(secret + host).subarray(0, TOKEN_BYTES));
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

/** Two 32-bit words, big-endian, at the start of `out` (by hand: a DataView per call was ~3% of a simulation). */
function writeWords(out: Uint8Array, a: number, b: number): Uint8Array {
  out[0] = a >>> 24;
  out[1] = (a >>> 16) & 0xff;
  out[2] = (a >>> 8) & 0xff;
  out[3] = a & 0xff;
  out[4] = b >>> 24;
  out[5] = (b >>> 16) & 0xff;
  out[6] = (b >>> 8) & 0xff;
  out[7] = b & 0xff;
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
    writeWords(new Uint8Array(TOKEN_BYTES), fnvString(fnvString(0x811c9dc5, secret), host), fnvString(fnvString(0x050c5d1f, secret), host)),
};

export const cryptoSuite = (kind: CryptoKind): CryptoSuite => (kind === 'model' ? modelSuite : ed25519Suite);
