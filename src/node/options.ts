// Node settings, their defaults (the paper's, with a 1 h TTL) and their checks.
import { ContactArena, contacts } from '../routing/contact-arena.js';
import { DEFAULT_K, DEFAULT_REPLACEMENT_CACHE_SIZE } from '../routing/routing-table.js';
import { MAX_CONTACTS_PER_MESSAGE, MAX_TTL_MS } from '../protocol/limits.js';
import { CryptoRandom, type RandomSource } from '../util/random.js';
import { DEFAULT_STORAGE_LIMITS, type StorageLimits } from './storage.js';

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
}

export type ResolvedNodeOptions = Required<Omit<NodeOptions, 'id' | 'storage'>> & { storage: StorageLimits };

const HOUR = 3_600_000;

function positiveInt(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`${name} must be an integer from 1 to ${max} (got ${value})`);
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer (got ${value})`);
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
  const ttlMs = positiveInt('ttlMs', options.ttlMs ?? HOUR, MAX_TTL_MS);
  const resolved: ResolvedNodeOptions = {
    k: positiveInt('k', options.k ?? DEFAULT_K, MAX_CONTACTS_PER_MESSAGE),
    alpha: positiveInt('alpha', options.alpha ?? 3, 64),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs ?? 1000),
    ttlMs,
    republishMs: positiveInt('republishMs', options.republishMs ?? Math.round(ttlMs * 0.9)),
    replicateMs: positiveInt('replicateMs', options.replicateMs ?? HOUR),
    refreshMs: positiveInt('refreshMs', options.refreshMs ?? HOUR),
    maintenanceMs: positiveInt('maintenanceMs', options.maintenanceMs ?? 60_000),
    upkeepConcurrency: positiveInt('upkeepConcurrency', options.upkeepConcurrency ?? 1, 1024),
    storage: { ...DEFAULT_STORAGE_LIMITS, ...options.storage },
    replacementCacheSize: options.replacementCacheSize ?? DEFAULT_REPLACEMENT_CACHE_SIZE,
    failuresBeforeEviction: positiveInt('failuresBeforeEviction', options.failuresBeforeEviction ?? 2),
    goodForMs: nonNegativeInt('goodForMs', options.goodForMs ?? 15 * 60_000),
    refreshOnJoin: options.refreshOnJoin ?? true,
    arena: options.arena ?? contacts,
    random: options.random ?? new CryptoRandom(),
  };
  Object.freeze(resolved.storage);
  resolvedOptions.add(Object.freeze(resolved));
  return resolved;
}
