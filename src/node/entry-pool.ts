// The stored entries of every node in this process, in one pool of typed arrays. A
// simulation of 100,000 nodes holds 2,000,000 entries (each value at k = 20 nodes): as a
// Map per node, each entry cost an entry object, a string key and a map slot (~150 bytes
// of heap, and objects for the collector to trace on every full collection). Here an
// entry is a slot: its key bytes, two times, list links and two references (value,
// owner), ~80 bytes plus the pool's spare room and hash index, and no object of its own.
//
// Each Storage opens a store (a small integer); the pool finds an entry by (store, key)
// in one hash index, and keeps each store's entries in a doubly linked list in the order
// they were added, which is the order a Map would iterate them in.
import { ID_BYTES } from '../id/id.js';
import { idEqualAt } from '../id/prefix.js';
import { EMPTY, SlotHash } from '../util/slot-hash.js';
import type { ItemAuth } from '../protocol/messages.js';
import { grown } from '../util/grown.js';

const INITIAL_SLOTS = 256;
const NONE = -1;

export class EntryPool {
  private keys = new Uint8Array(INITIAL_SLOTS * ID_BYTES);
  private expires = new Float64Array(INITIAL_SLOTS);
  private refreshed = new Float64Array(INITIAL_SLOTS);
  /** The store a slot belongs to; NONE while the slot is free. */
  private storeOf = new Int32Array(INITIAL_SLOTS).fill(NONE);
  private nextOf = new Int32Array(INITIAL_SLOTS);
  private prevOf = new Int32Array(INITIAL_SLOTS);
  private readonly values: Array<Uint8Array | undefined> = [];
  private readonly owners: Array<string | undefined> = [];
  /** Who may write the entry (null: an immutable item). Shared with the STORE that brought it, never copied. */
  private readonly auths: Array<ItemAuth | null> = [];
  private readonly freeSlots: number[] = [];
  private used = 0;
  private live = 0;
  private readonly index = new SlotHash(INITIAL_SLOTS * 2, (slot) => this.hash(this.storeOf[slot], this.keys, slot * ID_BYTES));
  /** For fit(), which every insert calls: made once, not a closure per insert. */
  private readonly liveSlotsOnce = () => this.liveSlots();

  // per store: first and last entry (NONE when empty); ids of closed stores are reused
  private heads = new Int32Array(64).fill(NONE);
  private tails = new Int32Array(64).fill(NONE);
  private storesUsed = 0;
  private readonly freeStores: number[] = [];
  /** Frees the entries of a Storage the collector took without it being closed. */
  private readonly orphans = new FinalizationRegistry<number>((store) => this.closeStore(store));

  /** Entries held, over every store. */
  get size(): number {
    return this.live;
  }

  /** A new, empty store. With `owner`, the store is closed when `owner` is garbage collected. */
  openStore(owner?: object): number {
    let store = this.freeStores.pop();
    if (store === undefined) {
      store = this.storesUsed++;
      if (store === this.heads.length) {
        this.heads = grown(this.heads, store * 2, NONE);
        this.tails = grown(this.tails, store * 2, NONE);
      }
    }
    if (owner) this.orphans.register(owner, store, owner);
    return store;
  }

  /** Frees every entry of a store and its id. */
  closeStore(store: number, owner?: object): void {
    for (let slot = this.heads[store]; slot !== NONE;) {
      const next = this.nextOf[slot];
      this.remove(slot);
      slot = next;
    }
    if (owner) this.orphans.unregister(owner);
    this.freeStores.push(store);
  }

  /** The entry for key in store, or NONE. */
  find(store: number, key: Uint8Array): number {
    const { table, mask } = this.index;
    for (let p = this.index.start(this.hash(store, key, 0)); ; p = (p + 1) & mask) {
      const slot = table[p];
      if (slot === EMPTY) return NONE;
      if (this.storeOf[slot] === store && idEqualAt(this.keys, slot * ID_BYTES, key, 0)) return slot;
    }
  }

  /** Adds an entry for a key the store does not hold, at the end of its list. */
  add(
    store: number,
    key: Uint8Array,
    value: Uint8Array,
    auth: ItemAuth | null,
    owner: string,
    expiresAt: number,
    storedAt: number,
  ): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot === this.storeOf.length) this.grow();
    }
    this.keys.set(key.subarray(0, ID_BYTES), slot * ID_BYTES);
    this.storeOf[slot] = store;
    this.set(slot, value, auth, owner, expiresAt, storedAt);
    const tail = this.tails[store];
    this.prevOf[slot] = tail;
    this.nextOf[slot] = NONE;
    if (tail === NONE) this.heads[store] = slot;
    else this.nextOf[tail] = slot;
    this.tails[store] = slot;
    this.index.place(slot);
    this.live++;
    this.index.fit(this.live, this.liveSlotsOnce);
    return slot;
  }

  set(slot: number, value: Uint8Array, auth: ItemAuth | null, owner: string, expiresAt: number, storedAt: number): void {
    this.values[slot] = value;
    this.auths[slot] = auth;
    this.owners[slot] = owner;
    this.expires[slot] = expiresAt;
    this.refreshed[slot] = storedAt;
  }

  remove(slot: number): void {
    const store = this.storeOf[slot];
    const prev = this.prevOf[slot];
    const next = this.nextOf[slot];
    if (prev === NONE) this.heads[store] = next;
    else this.nextOf[prev] = next;
    if (next === NONE) this.tails[store] = prev;
    else this.prevOf[next] = prev;
    this.index.unplace(slot);
    this.storeOf[slot] = NONE;
    this.values[slot] = undefined;
    this.auths[slot] = null;
    this.owners[slot] = undefined;
    this.freeSlots.push(slot);
    this.live--;
  }

  /** The store's first entry in the order they were added, or NONE. */
  first(store: number): number {
    return this.heads[store];
  }

  /** The entry after `slot` in its store, or NONE. Read it before removing `slot`. */
  next(slot: number): number {
    return this.nextOf[slot];
  }

  /** A copy of the entry's key. */
  key(slot: number): Uint8Array {
    return this.keys.slice(slot * ID_BYTES, (slot + 1) * ID_BYTES);
  }

  value(slot: number): Uint8Array {
    return this.values[slot]!;
  }

  auth(slot: number): ItemAuth | null {
    return this.auths[slot] ?? null;
  }

  owner(slot: number): string {
    return this.owners[slot]!;
  }

  expiresAt(slot: number): number {
    return this.expires[slot];
  }

  storedAt(slot: number): number {
    return this.refreshed[slot];
  }

  setStoredAt(slot: number, at: number): void {
    this.refreshed[slot] = at;
  }

  /** Bytes of the pool's typed arrays (not the values themselves). */
  get byteLength(): number {
    return this.keys.byteLength + 8 * 2 * this.storeOf.length + 4 * 3 * this.storeOf.length + this.index.byteLength;
  }

  // SHA-1 keys are uniform: their first four bytes are a hash already.
  private hash(store: number, bytes: Uint8Array, at: number): number {
    const h = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) ^ Math.imul(store + 1, 0x9e3779b1);
    return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }

  private *liveSlots(): Iterable<number> {
    for (let slot = 0; slot < this.used; slot++) if (this.storeOf[slot] !== NONE) yield slot;
  }

  /** Half as many slots again: doubling left up to half of a big pool unused. */
  private grow(): void {
    const slots = Math.ceil(this.storeOf.length * 1.5);
    this.keys = grown(this.keys, slots * ID_BYTES);
    this.expires = grown(this.expires, slots);
    this.refreshed = grown(this.refreshed, slots);
    this.storeOf = grown(this.storeOf, slots, NONE);
    this.nextOf = grown(this.nextOf, slots);
    this.prevOf = grown(this.prevOf, slots);
  }
}

/** The process-wide pool: every Storage in this process keeps its entries here. */
export const entryPool = new EntryPool();
