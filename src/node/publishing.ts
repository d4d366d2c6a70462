// What a node publishes, and how values stay in the network (paper, section 2.5): a value
// is stored at the k closest nodes to its key; its publisher stores it again every
// republishMs, and every holder passes it on to the k closest it knows every replicateMs
// (so a value outlives holders that leave, and reaches nodes that joined near its key).
// A plain value is signed by its publisher's key and belongs to it until it expires.
import type { Clock } from '../clock/clock.js';
import { idKey } from '../id/id.js';
import { MAX_VALUE_BYTES } from '../protocol/codec.js';
import { immutableKey, mutableKey, signedBytes } from '../protocol/item-signature.js';
import { MAX_SALT_BYTES } from '../protocol/limits.js';
import type { ItemAuth, RequestBody, ResponseBody } from '../protocol/messages.js';
import type { Peer } from '../routing/peer.js';
import { assertId, assertUint8Array } from '../distance/validate.js';
import { shuffle, type RandomSource } from '../util/random.js';
import type { LookupResult } from './lookup.js';
import type { NodeKey } from './security/crypto-suite.js';
import type { Storage } from './storage.js';
import type { UpkeepQueue } from './upkeep-queue.js';

export interface StoreResult {
  /** Nodes that accepted the value, us included when we are among the k closest. */
  replicas: number;
  /** Nodes asked (the k closest found, us included when we are among them). */
  attempted: number;
  /** Reasons given by nodes that refused. */
  refusals: string[];
}

/** A mutable item to publish (BEP 44). */
export interface MutableItemOptions {
  seq: number;
  /** Up to 64 bytes; several items per key (default: none). */
  salt?: Uint8Array;
  /** Only replace the version whose seq is this one. */
  cas?: number;
  /** The signing key (default: the node's). */
  key?: NodeKey;
}

/** A value we publish: re-stored every republishMs while we run. */
export interface Published {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  auth: ItemAuth | null;
  at: number;
}

export interface PublishingSettings {
  readonly k: number;
  /** How long a value lives after its last STORE (ms). */
  readonly ttlMs: number;
  readonly republishMs: number;
  readonly replicateMs: number;
  /** Values one node may publish at once. */
  readonly maxPublished: number;
  /** BEP 43: nobody can ask us, so we never count as one of a value's holders. */
  readonly readOnly: boolean;
}

export interface PublishingDeps {
  readonly id: Uint8Array;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly storage: Storage;
  /** Signs the plain values we publish. */
  readonly key: NodeKey;
  readonly upkeep: UpkeepQueue;
  readonly settings: PublishingSettings;
  /** A node lookup that collects each closest node's write token on its way. */
  findWriteTargets(target: Uint8Array, done: (result: LookupResult) => void): void;
  request(peer: Peer, body: RequestBody, done: (response: ResponseBody | null) => void): void;
  /** A peer did not answer (liveness counts it). */
  failed(peer: Peer): void;
  isRunning(): boolean;
}

const NO_REFUSALS: string[] = [];

export class Publishing {
  /** Values we published, by key, re-stored every republishMs while we run. */
  private readonly published = new Map<string, Published>();

  constructor(private readonly deps: PublishingDeps) {}

  /** How many values we publish. */
  get count(): number {
    return this.published.size;
  }

  /** The value we publish under `key`, if any. */
  get(key: Uint8Array): Published | undefined {
    return this.published.get(idKey(key));
  }

  /** A plain value, signed by our key with the next seq. Throws RangeError for a value that cannot fit. */
  publish(key: Uint8Array, value: Uint8Array, done: (result: StoreResult) => void): void {
    assertId(key, 'key');
    checkValue(value);
    const previous = this.get(key)?.auth;
    const seq = previous && previous.salt === null ? previous.seq + 1 : 1;
    this.keepPublishing(key.slice(), value.slice(), this.signPlain(key, value, seq), null, done);
  }

  /** An immutable item (BEP 44): its key is the SHA-1 of the value. Returns the key. */
  publishImmutable(value: Uint8Array, done: (result: StoreResult) => void): Uint8Array {
    checkValue(value);
    const key = immutableKey(value);
    this.keepPublishing(key, value.slice(), null, null, done);
    return key;
  }

  /** A mutable item (BEP 44) under SHA-1(public key + salt). Returns the item's key. */
  publishMutable(value: Uint8Array, item: MutableItemOptions, done: (result: StoreResult) => void): Uint8Array {
    checkValue(value);
    const salt = item.salt ?? new Uint8Array(0);
    assertUint8Array(salt, 'salt');
    if (salt.length > MAX_SALT_BYTES) throw new RangeError(`salt too long (${salt.length} bytes; the limit is ${MAX_SALT_BYTES})`);
    if (!Number.isSafeInteger(item.seq) || item.seq < 0) throw new RangeError(`seq must be a non-negative integer (got ${item.seq})`);
    if (item.cas !== undefined && (!Number.isSafeInteger(item.cas) || item.cas < 0)) {
      throw new RangeError(`cas must be a non-negative integer (got ${item.cas})`);
    }
    const signer = item.key ?? this.deps.key;
    const key = mutableKey(signer.publicKey, salt);
    const unsigned = { seq: item.seq, salt: salt.slice() };
    const auth: ItemAuth = { publicKey: signer.publicKey, ...unsigned, signature: signer.sign(signedBytes(key, value, unsigned)) };
    this.keepPublishing(key, value.slice(), auth, item.cas ?? null, done);
    return key;
  }

  /** Everything we publish, as it was last signed. */
  all(): Published[] {
    return [...this.published.values()];
  }

  /**
   * Takes up publishing values a previous run of this node published (their auth as saved):
   * each is due at once, so the next upkeep pass stores it again (a plain value with the
   * next seq). Values past the publish limit are left out; returns how many were taken.
   */
  resume(values: ReadonlyArray<{ key: Uint8Array; value: Uint8Array; auth: ItemAuth | null }>): number {
    const due = this.deps.clock.now() - this.deps.settings.republishMs;
    let taken = 0;
    for (const { key, value, auth } of values) {
      if (this.published.size >= this.deps.settings.maxPublished) break;
      this.published.set(idKey(key), { key: key.slice(), value: value.slice(), auth, at: due });
      taken++;
    }
    return taken;
  }

  /** Stops republishing a value (holders keep it until it expires). False if we were not publishing it. */
  unpublish(key: Uint8Array): boolean {
    assertId(key, 'key');
    return this.published.delete(idKey(key));
  }

  /**
   * Queues what is due at `now`: republishing our values, and replicating the values we
   * hold for others (in a random order: holders of the same keys list them in the same
   * arrival order, and walking it one at a time they fall into step and replicate each
   * key together, before either's STORE reaches the other).
   */
  queueDue(now: number): void {
    const { upkeep, settings } = this.deps;
    for (const entry of this.published.values()) {
      if (entry.at + settings.republishMs <= now) upkeep.add((done) => this.republish(entry, done));
    }
    const due = this.deps.storage.dueForReplication(now, settings.replicateMs);
    shuffle(due, this.deps.random);
    for (const entry of due) {
      const key = entry.key; // the task holds the key alone: it may wait a while, and the value is read again then
      if (this.published.has(idKey(key))) continue; // the publisher's own cycle covers it
      upkeep.add((done) => this.replicate(key, done));
    }
  }

  private signPlain(key: Uint8Array, value: Uint8Array, seq: number): ItemAuth {
    const signer = this.deps.key;
    return { publicKey: signer.publicKey, seq, salt: null, signature: signer.sign(signedBytes(key, value, { seq, salt: null })) };
  }

  private keepPublishing(
    key: Uint8Array,
    value: Uint8Array,
    auth: ItemAuth | null,
    cas: number | null,
    done: (result: StoreResult) => void,
  ): void {
    const name = idKey(key);
    const limit = this.deps.settings.maxPublished;
    if (this.published.size >= limit && !this.published.has(name)) {
      return done({ replicas: 0, attempted: 0, refusals: [`publish limit reached (${limit} values): unpublish one first`] });
    }
    this.published.set(name, { key, value, auth, at: this.deps.clock.now() });
    this.storeAtClosest(key, value, auth, null, true, done, cas);
  }

  private republish(entry: Published, done: () => void): void {
    const now = this.deps.clock.now();
    const current = this.published.get(idKey(entry.key)) === entry;
    if (!this.deps.isRunning() || !current || entry.at + this.deps.settings.republishMs > now) return done();
    entry.at = now;
    // A plain value is signed again with the next seq: holders refresh it only for that
    // (a replay of the old STORE cannot extend its life). Items are re-put as they are.
    if (entry.auth && entry.auth.salt === null) entry.auth = this.signPlain(entry.key, entry.value, entry.auth.seq + 1);
    this.storeAtClosest(entry.key, entry.value, entry.auth, null, true, () => done());
  }

  /** A holder passes on what is left of the TTL, so replication never extends a value's life. */
  private replicate(key: Uint8Array, done: () => void): void {
    const { storage, clock, settings } = this.deps;
    const now = clock.now();
    const entry = this.deps.isRunning() ? storage.get(key, now) : undefined;
    if (!entry || entry.storedAt + settings.replicateMs > now) return done();
    storage.touch(key, now);
    this.storeAtClosest(key, entry.value, entry.auth, entry.expiresAt, false, () => done());
  }

  /**
   * Sends STORE to the k closest nodes to key (storing locally if we are one of them).
   * expiresAt null: a publisher's full TTL; else a holder's own expiry, so the TTL sent is
   * what is left when the STORE leaves (after the lookup), and replication never extends
   * a value's life by more than the transit time.
   */
  private storeAtClosest(
    key: Uint8Array,
    value: Uint8Array,
    auth: ItemAuth | null,
    expiresAt: number | null,
    includeSelf: boolean,
    done: (result: StoreResult) => void,
    cas: number | null = null,
  ): void {
    const { storage, settings } = this.deps;
    // the lookup collects each closest node's write token on its way: no extra round trip
    this.deps.findWriteTargets(key, (found) => {
      const now = this.deps.clock.now();
      const ttlMs = expiresAt === null ? settings.ttlMs : Math.round(expiresAt - now);
      if (ttlMs < 1) return done({ replicas: 0, attempted: 0, refusals: NO_REFUSALS });
      let peers = found.closest;
      let replicas = 0;
      let attempted = 0;
      const refusals: string[] = [];
      if (includeSelf && !settings.readOnly && this.isAmongClosest(key, peers)) {
        // we take one of the k places: the farthest peer found drops out
        peers = peers.slice(0, settings.k - 1);
        attempted++;
        const outcome = storage.put(key, value, now + ttlMs, 'self', now, auth, cas);
        if (outcome.ok) replicas++;
        else refusals.push(outcome.reason);
      }
      let waiting = peers.length;
      attempted += peers.length;
      if (waiting === 0) return done({ replicas, attempted, refusals: refusals.length ? refusals : NO_REFUSALS });
      for (let i = 0; i < peers.length; i++) {
        const peer = peers[i];
        this.deps.request(peer, storeBody(key, value, auth, ttlMs, found.tokens[i], cas), (response) => {
          if (response?.type === 'STORED') {
            if (response.ok) replicas++;
            else refusals.push(response.reason);
          } else if (!response) {
            this.deps.failed(peer);
          }
          if (--waiting === 0) done({ replicas, attempted, refusals });
        });
      }
    });
  }

  /** Whether we are closer to key than the k-th of `peers` (or there are fewer than k). */
  private isAmongClosest(key: Uint8Array, peers: Peer[]): boolean {
    if (peers.length < this.deps.settings.k) return true;
    const farthest = peers[peers.length - 1].id;
    const id = this.deps.id;
    for (let i = 0; i < 20; i++) {
      const ours = id[i] ^ key[i];
      const theirs = farthest[i] ^ key[i];
      if (ours !== theirs) return ours < theirs;
    }
    return false;
  }
}

/** A STORE request. */
export function storeBody(
  key: Uint8Array,
  value: Uint8Array,
  auth: ItemAuth | null,
  ttlMs: number,
  token: Uint8Array,
  cas: number | null,
): RequestBody {
  return { type: 'STORE', key, value, ttlMs, token, auth, cas };
}

function checkValue(value: Uint8Array): void {
  assertUint8Array(value, 'value');
  if (value.length > MAX_VALUE_BYTES) throw new RangeError(`value too large (${value.length} bytes; the limit is ${MAX_VALUE_BYTES})`);
}
