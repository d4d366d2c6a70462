// A Kademlia routing table (Maymounkov & Mazières, section 2.4), stored compactly:
// contacts are 32-bit indices into a shared ContactArena, kept in one Uint32Array laid
// out as ../distance/table-layout.ts describes, so the closest-contacts query is one native call.
//
// Bucket b holds contacts whose id shares exactly b leading bits with ours. Inside a
// bucket, least-recently-seen first. A full bucket never drops a contact on its own: the
// newcomer waits in a small replacement cache, and the caller may ping the least-recently-
// seen contact (observe() says when it was last heard from), calling remove() only if
// that ping fails.
import { ID_BITS, ID_BYTES } from '../id/id.js';
import { idEqualAt, prefixLengthAt } from '../id/prefix.js';
import { engine as selectedEngine } from '../distance/backend.js';
import type { DistanceEngine } from '../distance/engine.js';
import { assertCount, assertId } from '../distance/validate.js';
import type { ContactArena } from './contact-arena.js';
import { TABLE_BUCKETS, TABLE_COUNTS_BYTE, TABLE_HEADER_WORDS, TABLE_SELF_WORD, TABLE_SIZE_WORD } from '../distance/table-layout.js';
import { randomBytes } from 'node:crypto';
import { refuseUnknownOptions } from '../util/options.js';
import { grown } from '../util/grown.js';

export const DEFAULT_K = 20;

/** Reused result buffer of closestContacts (queries never overlap: JS is single-threaded). */
const queryScratch = new Uint32Array(256);
export const DEFAULT_REPLACEMENT_CACHE_SIZE = 5;
/** `seen` stamps: never heard from directly (only named by others), and heard from at an unknown time. */
const UNVERIFIED = 0;
const HEARD_LONG_AGO = 1;

export type ObserveResult =
  | { readonly kind: 'self' }
  | { readonly kind: 'added' }
  | { readonly kind: 'refreshed' }
  /**
   * Bucket full, but its least-recently-seen contact had only been named by others, never
   * heard from: the newcomer, which just spoke to us, took its slot (no ping needed).
   */
  | { readonly kind: 'replaced'; readonly evicted: number }
  /**
   * Bucket full: the newcomer is in the replacement cache. `leastRecentlySeen` was last
   * heard from at `seenAt` (ms). Ping it if that is long enough ago; remove() it if the
   * ping fails.
   */
  | { readonly kind: 'full'; readonly leastRecentlySeen: number; readonly seenAt: number }
  /**
   * Same id already known at another address, or another id already known at this
   * address (one ip:port is one contact): ping `existing`; remove() it if the ping fails.
   * The newcomer is not added.
   */
  | { readonly kind: 'conflict'; readonly existing: number }
  /** The newcomer's IP already has maxContactsPerIp contacts in the table: not added. */
  | { readonly kind: 'ip-full' };

const SELF: ObserveResult = Object.freeze({ kind: 'self' });
const ADDED: ObserveResult = Object.freeze({ kind: 'added' });
const REFRESHED: ObserveResult = Object.freeze({ kind: 'refreshed' });
const IP_FULL: ObserveResult = Object.freeze({ kind: 'ip-full' });
/** admissionOf: the newcomer may come in. */
const ADMIT = -1;
/** admissionOf: its IP has maxContactsPerIp contacts already. */
const FULL_IP = -2;

export interface RoutingTableOptions {
  /** Bucket size, 1..255 (default 20). */
  k?: number;
  /** Contacts remembered per full bucket, to replace ones that fail (default 5). */
  replacementCacheSize?: number;
  /** Creation time (ms on the node's clock): buckets count as refreshed then. */
  now?: number;
  /** Distance engine for queries (default: the backend chosen by KADEMLIA_NATIVE). */
  engine?: DistanceEngine;
  /** Contacts one IP may have in the table (default: no limit). One ip:port is one contact regardless. */
  maxContactsPerIp?: number;
}

export class RoutingTable {
  readonly k: number;
  readonly replacementCacheSize: number;
  readonly maxContactsPerIp: number;
  private readonly engine: DistanceEngine;
  private words: Uint32Array;
  private counts: Uint8Array;
  /**
   * Per contact slot (parallel to the contact words): when we last heard from it, in
   * whole seconds since createdAt, plus one; 0 = never directly (an unverified contact).
   */
  private seen: Uint32Array;
  private readonly createdAt: number;
  /** Last time each bucket saw a contact or a lookup (ms); grown on demand. */
  private readonly lastTouched: number[] = [];
  /** Replacement caches of full buckets, most recent last; created on demand. */
  private readonly replacementCaches = new Map<number, number[]>();

  constructor(
    readonly arena: ContactArena,
    readonly self: number,
    options: RoutingTableOptions = {},
  ) {
    refuseUnknownOptions(
      options,
      ['k', 'replacementCacheSize', 'now', 'engine', 'maxContactsPerIp'] satisfies Array<keyof RoutingTableOptions>,
      'routing table option',
    );
    const k = options.k ?? DEFAULT_K;
    if (!Number.isInteger(k) || k < 1 || k > 255) throw new RangeError(`k must be an integer from 1 to 255 (got ${k})`);
    const cacheSize = options.replacementCacheSize ?? DEFAULT_REPLACEMENT_CACHE_SIZE;
    if (!Number.isInteger(cacheSize) || cacheSize < 0)
      throw new RangeError(`replacementCacheSize must be a non-negative integer (got ${cacheSize})`);
    const perIp = options.maxContactsPerIp ?? Infinity;
    if (!(perIp === Infinity || (Number.isInteger(perIp) && perIp >= 1))) {
      throw new RangeError(`maxContactsPerIp must be a positive integer or Infinity (got ${perIp})`);
    }
    this.maxContactsPerIp = perIp;
    arena.check(self);
    this.k = k;
    this.replacementCacheSize = cacheSize;
    this.createdAt = options.now ?? 0;
    this.engine = options.engine ?? selectedEngine;
    this.words = new Uint32Array(TABLE_HEADER_WORDS + k);
    this.counts = new Uint8Array(this.words.buffer, TABLE_COUNTS_BYTE, TABLE_BUCKETS);
    this.seen = new Uint32Array(k);
    this.words[TABLE_SELF_WORD] = self;
  }

  /** Number of contacts in the table. */
  get size(): number {
    return this.words[TABLE_SIZE_WORD];
  }

  /** The bucket a contact or id belongs in: its common prefix length with our id (160 = us). */
  bucketIndexOf(id: Uint8Array): number {
    assertId(id, 'id');
    return prefixLengthAt(this.arena.ids, this.self * ID_BYTES, id, 0);
  }

  /** How many contacts bucket b holds. */
  bucketSize(b: number): number {
    this.checkBucket(b);
    return this.counts[b];
  }

  /** Contacts of bucket b, least-recently-seen first. */
  bucket(b: number): number[] {
    this.checkBucket(b);
    const start = TABLE_HEADER_WORDS + this.bucketStart(b);
    return Array.from(this.words.subarray(start, start + this.counts[b]));
  }

  /** Every contact, bucket 0 first. */
  all(): number[] {
    return Array.from(this.words.subarray(TABLE_HEADER_WORDS, TABLE_HEADER_WORDS + this.size));
  }

  /** Replacement cache of bucket b, most recent last. */
  replacements(b: number): number[] {
    this.checkBucket(b);
    return [...(this.replacementCaches.get(b) ?? [])];
  }

  has(contact: number): boolean {
    const b = this.bucketOfContact(contact);
    if (b === ID_BITS) return false;
    const slot = this.slotOfId(b, contact);
    return slot >= 0 && this.words[TABLE_HEADER_WORDS + slot] === contact;
  }

  /**
   * Records that we heard from `contact` at time `now`: adds it, or moves it to the
   * most-recently-seen end of its bucket, or (bucket full) asks the caller to ping.
   */
  observe(contact: number, now: number): ObserveResult {
    const b = this.bucketOfContact(contact);
    if (b === ID_BITS) return SELF;
    const first = this.bucketStart(b);
    const slot = this.slotOfIdFrom(first, this.counts[b], contact);
    if (slot >= 0) {
      const known = this.words[TABLE_HEADER_WORDS + slot];
      if (known !== contact) return { kind: 'conflict', existing: known };
      this.moveToBack(first + this.counts[b] - 1, slot, contact, this.stamp(now));
      this.touchBucket(b, now);
      return REFRESHED;
    }
    const room = this.counts[b] < this.k;
    if (room || this.seen[first] === UNVERIFIED) {
      const admission = this.admissionOf(contact);
      if (admission === FULL_IP) return IP_FULL;
      if (admission !== ADMIT) return { kind: 'conflict', existing: admission };
    }
    if (room) {
      // a contact moving from the replacement cache keeps the hold it had there
      if (!this.takeReplacement(b, contact)) this.arena.retain(contact);
      this.appendToBucket(b, contact, this.stamp(now));
      this.touchBucket(b, now);
      return ADDED;
    }
    const stamp = this.seen[first];
    const leastRecentlySeen = this.words[TABLE_HEADER_WORDS + first];
    if (stamp === UNVERIFIED) {
      // unverified contacts sit at the front, so this is the only place to look for one
      if (!this.takeReplacement(b, contact)) this.arena.retain(contact);
      this.moveToBack(first + this.counts[b] - 1, first, contact, this.stamp(now));
      this.touchBucket(b, now);
      this.arena.release(leastRecentlySeen);
      return { kind: 'replaced', evicted: leastRecentlySeen };
    }
    this.rememberReplacement(b, contact);
    return { kind: 'full', leastRecentlySeen, seenAt: this.createdAt + (stamp - 1) * 1000 };
  }

  /**
   * Whether a contact with this id would find its bucket full (or is us): offerUnverified
   * would refuse it. Asked before interning a peer a lookup learned of, since most of them
   * land in buckets that are full.
   */
  refusesUnverified(id: Uint8Array): boolean {
    const b = prefixLengthAt(this.arena.ids, this.self * ID_BYTES, id, 0);
    return b === ID_BITS || this.counts[b] >= this.k;
  }

  /**
   * Adds a contact we learned of from another node (a lookup response) but have not heard
   * from ourselves, only if its bucket has room: it goes to the least-recently-seen end,
   * first in line to be pinged or dropped, and never displaces a contact. Returns whether
   * it was added. It becomes "seen" the first time it sends us a message.
   */
  offerUnverified(contact: number): boolean {
    const b = this.bucketOfContact(contact);
    if (b === ID_BITS || this.counts[b] >= this.k || this.slotOfId(b, contact) >= 0 || this.admissionOf(contact) !== ADMIT) return false;
    this.arena.retain(contact);
    this.insertAt(b, this.bucketStart(b), contact, UNVERIFIED);
    return true;
  }

  /**
   * Removes a contact that failed to answer; the most recent contact in the bucket's
   * replacement cache takes its place. Returns whether it was in the table.
   */
  remove(contact: number): boolean {
    const b = this.bucketOfContact(contact);
    if (b === ID_BITS) return false;
    if (this.takeReplacement(b, contact)) this.arena.release(contact);
    const slot = this.slotOfId(b, contact);
    if (slot < 0 || this.words[TABLE_HEADER_WORDS + slot] !== contact) return false;
    this.removeSlot(b, slot);
    const cache = this.replacementCaches.get(b);
    let promoted = cache?.pop(); // its hold moves with it
    // the newest that may come in (the address and IP rules are checked on the way in, not in the cache)
    while (promoted !== undefined && this.admissionOf(promoted) !== ADMIT) {
      this.arena.release(promoted);
      promoted = cache!.pop();
    }
    if (cache && cache.length === 0) this.replacementCaches.delete(b);
    // heard from once, when exactly is not kept: as if at the table's creation (questionable once goodForMs has passed)
    if (promoted !== undefined) this.appendToBucket(b, promoted, HEARD_LONG_AGO);
    this.arena.release(contact);
    return true;
  }

  /** Up to `count` contacts nearest to `target`, nearest first. */
  closestContacts(target: Uint8Array, count: number = this.k): number[] {
    assertCount(count, 'count');
    const out = count <= queryScratch.length ? queryScratch : new Uint32Array(count);
    const written = this.engine.tableClosest(this.arena.ids, this.words, target, out.length === count ? out : out.subarray(0, count));
    // A plain array: small typed arrays over 64 bytes cost ~1 us each to allocate.
    const result = new Array<number>(written);
    for (let i = 0; i < written; i++) result[i] = out[i];
    return result;
  }

  /** closestContacts without allocating: fills `out` nearest first, returns how many. */
  closestContactsInto(target: Uint8Array, out: Uint32Array): number {
    return this.engine.tableClosest(this.arena.ids, this.words, target, out);
  }

  /** Marks bucket b as used at `now` (a lookup in its range counts). */
  touchBucket(b: number, now: number): void {
    this.checkBucket(b);
    while (this.lastTouched.length <= b) this.lastTouched.push(this.createdAt);
    if (now > this.lastTouched[b]) this.lastTouched[b] = now;
  }

  lastTouchedAt(b: number): number {
    this.checkBucket(b);
    return this.lastTouched[b] ?? this.createdAt;
  }

  /**
   * Buckets up to the deepest non-empty one that nobody touched for `idleMs`: the ones
   * a node refreshes with a lookup of a random id in their range.
   */
  bucketsIdleSince(now: number, idleMs: number): number[] {
    const idle: number[] = [];
    const deepest = this.deepestBucket(); // a scan of the buckets: once, not per bucket
    for (let b = 0; b <= deepest; b++) {
      if (this.lastTouchedAt(b) + idleMs <= now) idle.push(b);
    }
    return idle;
  }

  /** Deepest bucket that holds a contact, -1 when the table is empty. */
  deepestBucket(): number {
    for (let b = TABLE_BUCKETS - 1; b >= 0; b--) if (this.counts[b] > 0) return b;
    return -1;
  }

  /** A random id that falls in bucket b: our first b bits, then bit b flipped, then random. */
  randomIdInBucket(b: number, random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))): Uint8Array {
    this.checkBucket(b);
    const id = random(ID_BYTES);
    const self = this.arena.ids.subarray(this.self * ID_BYTES, (this.self + 1) * ID_BYTES);
    const byte = b >> 3;
    const bit = 0x80 >> (b & 7);
    for (let i = 0; i < byte; i++) id[i] = self[i];
    const keepMask = ~((bit << 1) - 1) & 0xff; // bits before b in this byte
    id[byte] = (self[byte] & keepMask) | (~self[byte] & bit) | (id[byte] & (bit - 1));
    return id;
  }

  /** Empties the table, releasing every contact it held (the node is going away). */
  clear(): void {
    const words = this.words;
    for (let i = TABLE_HEADER_WORDS, end = TABLE_HEADER_WORDS + this.size; i < end; i++) this.arena.release(words[i]);
    for (const cache of this.replacementCaches.values()) for (const contact of cache) this.arena.release(contact);
    this.replacementCaches.clear();
    this.counts.fill(0);
    this.words[TABLE_SIZE_WORD] = 0;
  }

  /** Bytes held by this table's typed arrays (the per-table cost besides small JS objects). */
  get byteLength(): number {
    return this.words.byteLength + this.seen.byteLength;
  }

  private checkBucket(b: number): void {
    if (!Number.isInteger(b) || b < 0 || b >= TABLE_BUCKETS) throw new RangeError(`bucket must be an integer from 0 to 159 (got ${b})`);
  }

  private bucketOfContact(contact: number): number {
    this.arena.check(contact);
    return prefixLengthAt(this.arena.ids, this.self * ID_BYTES, this.arena.ids, contact * ID_BYTES);
  }

  private bucketStart(b: number): number {
    let start = 0;
    for (let i = 0; i < b; i++) start += this.counts[i];
    return start;
  }

  /** Slot (relative to the first contact word) of the entry with the contact's id in bucket b, or -1. */
  private slotOfId(b: number, contact: number): number {
    return this.slotOfIdFrom(this.bucketStart(b), this.counts[b], contact);
  }

  /** slotOfId for the bucket whose `count` contacts start at slot `first`. */
  private slotOfIdFrom(first: number, count: number, contact: number): number {
    const start = TABLE_HEADER_WORDS + first;
    const end = start + count;
    const words = this.words;
    for (let w = start; w < end; w++) if (words[w] === contact) return w - TABLE_HEADER_WORDS;
    // the same id at another address is another contact: only then compare ids
    if (!this.arena.hasTwin(contact)) return -1;
    const ids = this.arena.ids;
    for (let w = start; w < end; w++) {
      if (idEqualAt(ids, words[w] * ID_BYTES, ids, contact * ID_BYTES)) return w - TABLE_HEADER_WORDS;
    }
    return -1;
  }

  /**
   * Whether a contact not in the table may join it: ADMIT; the contact already at its
   * ip:port (another id: one address is one contact); or FULL_IP. A scan of the whole
   * table, but only for contacts about to be added, which is rare next to refreshes, and
   * only when another contact in the process has the newcomer's host.
   */
  private admissionOf(contact: number): number {
    const arena = this.arena;
    // alone at its host in the whole arena: no contact here shares its IP or its address
    if (!arena.hostShared(contact)) return ADMIT;
    const words = this.words;
    const end = TABLE_HEADER_WORDS + this.size;
    let sameIp = 0;
    for (let w = TABLE_HEADER_WORDS; w < end; w++) {
      const other = words[w];
      if (!arena.sameHost(other, contact)) continue;
      if (arena.sameAddress(other, contact)) return other;
      sameIp++;
    }
    return sameIp >= this.maxContactsPerIp ? FULL_IP : ADMIT;
  }

  /** A time as stored in `seen`: whole seconds since createdAt, plus one (never 0). */
  private stamp(now: number): number {
    return Math.min(0xffffffff, Math.max(0, Math.floor((now - this.createdAt) / 1000)) + 1);
  }

  private appendToBucket(b: number, contact: number, seen: number): void {
    this.insertAt(b, this.bucketStart(b) + this.counts[b], contact, seen);
  }

  /** Inserts a contact into bucket b at slot `slot` (which must lie within or at the end of b). */
  private insertAt(b: number, slot: number, contact: number, seen: number): void {
    const size = this.size;
    if (TABLE_HEADER_WORDS + size === this.words.length) this.grow();
    const at = TABLE_HEADER_WORDS + slot;
    this.words.copyWithin(at + 1, at, TABLE_HEADER_WORDS + size);
    this.words[at] = contact;
    this.seen.copyWithin(slot + 1, slot, size);
    this.seen[slot] = seen;
    this.counts[b]++;
    this.words[TABLE_SIZE_WORD] = size + 1;
  }

  /**
   * Empties `slot`, shifts the slots after it up to `last` (its bucket's last) forward and
   * puts `contact` last. By hand: a bucket holds at most k, and for so few, two copyWithin
   * calls cost more than the copy (every message received moves its sender here).
   */
  private moveToBack(last: number, slot: number, contact: number, seen: number): void {
    const words = this.words;
    const stamps = this.seen;
    for (let s = slot; s < last; s++) {
      words[TABLE_HEADER_WORDS + s] = words[TABLE_HEADER_WORDS + s + 1];
      stamps[s] = stamps[s + 1];
    }
    words[TABLE_HEADER_WORDS + last] = contact;
    stamps[last] = seen;
  }

  private removeSlot(b: number, slot: number): void {
    const size = this.size;
    this.words.copyWithin(TABLE_HEADER_WORDS + slot, TABLE_HEADER_WORDS + slot + 1, TABLE_HEADER_WORDS + size);
    this.seen.copyWithin(slot, slot + 1, size);
    this.counts[b]--;
    this.words[TABLE_SIZE_WORD] = size - 1;
  }

  private grow(): void {
    const contactsCapacity = this.words.length - TABLE_HEADER_WORDS;
    const added = Math.max(this.k, contactsCapacity >> 2);
    this.words = grown(this.words, TABLE_HEADER_WORDS + contactsCapacity + added);
    this.counts = new Uint8Array(this.words.buffer, TABLE_COUNTS_BYTE, TABLE_BUCKETS);
    this.seen = grown(this.seen, contactsCapacity + added);
  }

  private rememberReplacement(b: number, contact: number): void {
    if (this.replacementCacheSize === 0) return;
    let cache = this.replacementCaches.get(b);
    if (!cache) this.replacementCaches.set(b, (cache = []));
    const at = cache.indexOf(contact);
    if (at >= 0) cache.splice(at, 1);
    else this.arena.retain(contact);
    cache.push(contact);
    if (cache.length > this.replacementCacheSize) this.arena.release(cache.shift()!);
  }

  /** Takes a contact out of bucket b's replacement cache; true if it was there (its hold passes to the caller). */
  private takeReplacement(b: number, contact: number): boolean {
    const cache = this.replacementCaches.get(b);
    if (!cache) return false;
    const at = cache.indexOf(contact);
    if (at < 0) return false;
    cache.splice(at, 1);
    if (cache.length === 0) this.replacementCaches.delete(b);
    return true;
  }
}
