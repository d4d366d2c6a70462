// Node settings, their defaults (the paper's, with a 1 h TTL) and their checks.
import { ContactArena, contacts } from '../routing/contact-arena.js';
import { DEFAULT_K, DEFAULT_REPLACEMENT_CACHE_SIZE } from '../routing/routing-table.js';
import { MAX_CONTACTS_PER_MESSAGE, MAX_TTL_MS } from '../protocol/limits.js';
import { CryptoRandom, type RandomSource } from '../util/random.js';
import { assertId } from '../distance/validate.js';
import { refuseUnknownOptions } from '../util/options.js';
import { DEFAULT_STORAGE_LIMITS, type StorageLimits } from './storage.js';
import type { CryptoKind, NodeKey } from './security/crypto-suite.js';
import type { RateLimit } from './security/source-limiter.js';
import type { UnprovenBudget } from './rpc.js';
import { isProtocolName, PROTOCOLS, type ProtocolName } from '../protocol/wire-codec.js';

export interface NodeOptions {
  /** Our node id (default: random). */
  id?: Uint8Array;
  /** Bucket size and replication factor (default 20). */
  k?: number;
  /** Requests in flight per lookup (default 3). */
  alpha?: number;
  requestTimeoutMs?: number;
  /** Life of a stored value, and the longest we accept (default 1 h). */
  ttlMs?: number;
  /** How often a publisher re-stores its values (default 0.9 x ttlMs: before they expire). */
  republishMs?: number;
  /** How often a holder re-stores values no STORE refreshed meanwhile (default 1 h). */
  replicateMs?: number;
  /** Buckets idle this long get a lookup of a random id in their range (default 1 h). */
  refreshMs?: number;
  /** Period of the maintenance tick that runs expiry, republish, replication, refresh (default 60 s). */
  maintenanceMs?: number;
  /** Republish, replication and refresh operations in flight at once (default 1: see UpkeepQueue). */
  upkeepConcurrency?: number;
  storage?: Partial<StorageLimits>;
  replacementCacheSize?: number;
  /** Failed requests in a row before a contact leaves the routing table (default 2). */
  failuresBeforeEviction?: number;
  /**
   * A contact heard from within this long is good: a newcomer for its full bucket waits in
   * the replacement cache without a ping (BEP 5's rule; default 15 min). 0 pings every time,
   * as the paper's basic scheme does.
   */
  goodForMs?: number;
  /** After joining, refresh every bucket farther than our closest neighbour (default true). */
  refreshOnJoin?: boolean;
  /** Where contacts are interned (default: the process-wide arena). */
  arena?: ContactArena;
  random?: RandomSource;
  /**
   * 'ed25519' (default): real signatures and SHA-1 write tokens. 'model': the simulator's
   * cheap stand-in with the same accept/refuse outcomes (security/crypto-suite.ts).
   */
  crypto?: CryptoKind;
  /** The key that signs the values we publish (default: a new one). */
  key?: NodeKey;
  /** Datagrams per second one source IP may send us (default 250, bursts of 500); false: no limit. */
  rateLimit?: RateLimit | false;
  /**
   * Answer bytes per second, over all askers that have not proven they receive at their
   * address (default 4 MiB/s; each such answer is also at most 4x its request); false: no budget.
   */
  unprovenBudget?: UnprovenBudget | false;
  /** Values this node republishes at most (default 10,000): a publish past it is refused until one is unpublished. */
  maxPublished?: number;
  /** Contacts one IP may have in our routing table (default 4). One ip:port is one contact regardless. */
  maxContactsPerIp?: number;
  /**
   * BEP 42: 'public' (default) derives our id from our IPv4 address and ignores contacts
   * whose id does not match theirs, except for local addresses (loopback, private,
   * link-local), which BEP 42 exempts; 'all' exempts none (stress runs, which spread
   * their nodes over 127.0.0.0/8 or simulated addresses); 'off' checks nothing.
   */
  idFromIp?: IdPolicy;
  /** 'kadswarm' (default): our MessagePack protocol; 'mainline': BitTorrent's DHT (KRPC, BEP 5/44/42). */
  protocol?: ProtocolName;
  /**
   * BEP 43: a client that cannot be reached or should not be (behind a strict NAT, on a
   * metered link). It answers no queries and marks its own, so nobody adds it to a routing
   * table; it still looks up, stores, announces and publishes. Default false.
   */
  readOnly?: boolean;
}

export type IdPolicy = 'off' | 'public' | 'all';

export type ResolvedNodeOptions = Required<Omit<NodeOptions, 'id' | 'storage' | 'key'>> & { storage: StorageLimits };

const HOUR = 3_600_000;

/** Every option a node takes: anything else is refused by name. */
const OPTION_NAMES: readonly string[] = [
  'id',
  'k',
  'alpha',
  'requestTimeoutMs',
  'ttlMs',
  'republishMs',
  'replicateMs',
  'refreshMs',
  'maintenanceMs',
  'upkeepConcurrency',
  'storage',
  'replacementCacheSize',
  'failuresBeforeEviction',
  'goodForMs',
  'refreshOnJoin',
  'arena',
  'random',
  'crypto',
  'key',
  'rateLimit',
  'unprovenBudget',
  'maxContactsPerIp',
  'idFromIp',
  'maxPublished',
  'protocol',
  'readOnly',
] satisfies Array<keyof NodeOptions>;
const STORAGE_LIMIT_NAMES: readonly string[] = Object.keys(DEFAULT_STORAGE_LIMITS);

/** Timers hold at most 2^31 - 1 ms: Node fires a longer one at once. */
const MAX_INTERVAL_MS = 2_147_483_647;

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number (got ${typeof value})`);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  return value;
}

const positiveInt = (name: string, value: unknown, max = Number.MAX_SAFE_INTEGER) => integerIn(name, value, 1, max);
const interval = (name: string, value: unknown) => integerIn(name, value, 1, MAX_INTERVAL_MS);

function storageLimits(limits: unknown): StorageLimits {
  if (limits === undefined) return DEFAULT_STORAGE_LIMITS;
  if (typeof limits !== 'object' || limits === null) throw new TypeError('storage must be an object of limits');
  refuseUnknownOptions(limits, STORAGE_LIMIT_NAMES, 'storage limit');
  const given = limits as Partial<StorageLimits>;
  const resolved = { ...DEFAULT_STORAGE_LIMITS };
  for (const name of Object.keys(resolved) as Array<keyof StorageLimits>) {
    if (given[name] !== undefined) resolved[name] = positiveInt(`storage.${name}`, given[name]);
  }
  return resolved;
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean (got ${typeof value})`);
  return value;
}

/**
 * A token bucket's settings (`fields`, each a positive integer), or false for none: the
 * shape of rateLimit and unprovenBudget.
 */
function bucketOption<T extends object>(name: string, value: unknown, fields: ReadonlyArray<keyof T & string>, fallback: T): T | false {
  if (value === false) return false;
  if (value === undefined) return fallback;
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name} must be { ${fields.join(', ')} } or false`);
  refuseUnknownOptions(value, fields, `${name} field`);
  const given = value as Record<string, unknown>;
  return Object.freeze(Object.fromEntries(fields.map((field) => [field, positiveInt(`${name}.${field}`, given[field])])) as T);
}

const rateLimit = (value: unknown) => bucketOption<RateLimit>('rateLimit', value, ['perSecond', 'burst'], { perSecond: 250, burst: 500 });
const unprovenBudget = (value: unknown) =>
  bucketOption<UnprovenBudget>('unprovenBudget', value, ['bytesPerSecond', 'burst'], {
    bytesPerSecond: 4 * 1024 * 1024,
    burst: 4 * 1024 * 1024,
  });

function idPolicy(value: unknown): IdPolicy {
  if (value === undefined) return 'public';
  if (value !== 'off' && value !== 'public' && value !== 'all')
    throw new RangeError(`idFromIp must be 'off', 'public' or 'all' (got ${String(value)})`);
  return value;
}

function protocolName(value: unknown): ProtocolName {
  if (value === undefined) return 'kadswarm';
  if (!isProtocolName(value))
    throw new RangeError(`protocol must be ${PROTOCOLS.map((p) => `'${p}'`).join(' or ')} (got ${String(value)})`);
  return value;
}

function cryptoKind(value: unknown): CryptoKind {
  if (value === undefined) return 'ed25519';
  if (value !== 'ed25519' && value !== 'model') throw new RangeError(`crypto must be 'ed25519' or 'model' (got ${String(value)})`);
  return value;
}

/** Options objects resolveNodeOptions made (frozen): a node given one uses it as it is. */
const resolvedOptions = new WeakSet<object>();

/**
 * Every setting with its default, checked; frozen. A node given the result of this
 * function shares it instead of resolving its own copy: a swarm of a million nodes
 * resolves its options once.
 */
export function resolveNodeOptions(options: NodeOptions): ResolvedNodeOptions {
  if (resolvedOptions.has(options)) return options as ResolvedNodeOptions;
  refuseUnknownOptions(options, OPTION_NAMES, 'node option');
  if (options.id !== undefined) assertId(options.id, 'id');
  if (options.arena !== undefined && !(options.arena instanceof ContactArena)) throw new TypeError('arena must be a ContactArena');
  if (options.key !== undefined && !(options.key?.publicKey instanceof Uint8Array && typeof options.key?.sign === 'function')) {
    throw new TypeError('key must have a publicKey and a sign(bytes) method');
  }
  if (options.random !== undefined && (typeof options.random?.bytes !== 'function' || typeof options.random?.float !== 'function')) {
    throw new TypeError('random must have bytes(n) and float() methods');
  }
  const ttlMs = integerIn('ttlMs', options.ttlMs ?? HOUR, 1, MAX_TTL_MS);
  const resolved: ResolvedNodeOptions = {
    k: positiveInt('k', options.k ?? DEFAULT_K, MAX_CONTACTS_PER_MESSAGE),
    alpha: positiveInt('alpha', options.alpha ?? 3, 64),
    requestTimeoutMs: interval('requestTimeoutMs', options.requestTimeoutMs ?? 1000),
    ttlMs,
    republishMs: positiveInt('republishMs', options.republishMs ?? Math.round(ttlMs * 0.9)),
    replicateMs: positiveInt('replicateMs', options.replicateMs ?? HOUR),
    refreshMs: positiveInt('refreshMs', options.refreshMs ?? HOUR),
    maintenanceMs: interval('maintenanceMs', options.maintenanceMs ?? 60_000),
    upkeepConcurrency: positiveInt('upkeepConcurrency', options.upkeepConcurrency ?? 1, 1024),
    storage: storageLimits(options.storage),
    replacementCacheSize: integerIn('replacementCacheSize', options.replacementCacheSize ?? DEFAULT_REPLACEMENT_CACHE_SIZE, 0, 1024),
    failuresBeforeEviction: positiveInt('failuresBeforeEviction', options.failuresBeforeEviction ?? 2, 1024),
    goodForMs: integerIn('goodForMs', options.goodForMs ?? 15 * 60_000, 0, Number.MAX_SAFE_INTEGER),
    refreshOnJoin: booleanOption('refreshOnJoin', options.refreshOnJoin, true),
    arena: options.arena ?? contacts,
    random: options.random ?? new CryptoRandom(),
    crypto: cryptoKind(options.crypto),
    rateLimit: rateLimit(options.rateLimit),
    unprovenBudget: unprovenBudget(options.unprovenBudget),
    maxContactsPerIp:
      options.maxContactsPerIp === Infinity ? Infinity : positiveInt('maxContactsPerIp', options.maxContactsPerIp ?? 4, 1024),
    idFromIp: idPolicy(options.idFromIp),
    maxPublished: positiveInt('maxPublished', options.maxPublished ?? 10_000),
    protocol: protocolName(options.protocol),
    readOnly: booleanOption('readOnly', options.readOnly, false),
  };
  Object.freeze(resolved.storage);
  resolvedOptions.add(Object.freeze(resolved));
  return resolved;
}
