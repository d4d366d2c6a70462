// The values a node holds for the DHT, with expiry and limits. A store over a limit is
// refused with a reason; nothing already stored is ever evicted to make room. The entries
// themselves live in a process-wide EntryPool (typed arrays), one store per Storage.
import { ID_BYTES } from '../id/id.js';
import { EntryPool, entryPool } from './entry-pool.js';
import type { ItemAuth } from '../protocol/messages.js';
import { judgeWrite } from './security/item-rules.js';

export interface StorageLimits {
  maxEntries: number;
  maxBytes: number;
  /** Per sender IP (all its ports together), so one host cannot fill the node. */
  maxEntriesPerSender: number;
  maxBytesPerSender: number;
}

export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  maxEntries: 100_000,
  maxBytes: 256 * 1024 * 1024,
  maxEntriesPerSender: 10_000,
  maxBytesPerSender: 32 * 1024 * 1024,
};

/** What one sender has stored here. */
interface Usage {
  entries: number;
  bytes: number;
}

export interface StoredEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly expiresAt: number;
  /** Last time a STORE (or our own publish) refreshed it: replication skips fresh entries. */
  readonly storedAt: number;
  /** Who may write it (null: an immutable item). */
  readonly auth: ItemAuth | null;
  /** The sender IP it is charged to. */
  readonly owner: string;
}

export type StoreOutcome = { ok: true } | { ok: false; reason: string };

const STORED: StoreOutcome = { ok: true };
const NONE = -1;

export class Storage {
  private readonly store: number;
  private count = 0;
  /**
   * Per-sender usage, kept only once a sender quota could bind: no sender can hold more
   * entries or bytes than the whole store, so while the store is under both quotas there
   * is nothing to count. Most nodes never get there, and skip a Usage and a Map entry per
   * value (about 40% of a stored entry's memory).
   */
  private usage: Map<string, Usage> | null = null;
  private totalBytes = 0;

  constructor(
    readonly limits: StorageLimits = DEFAULT_STORAGE_LIMITS,
    private readonly pool: EntryPool = entryPool,
  ) {
    this.store = pool.openStore(this);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Stores or refreshes key -> value until `expiresAt`, charged to `owner`, if the item
   * rules let it replace what is held (item-rules.ts: the caller has checked the item's
   * key and signature). Re-storing the same item never shortens its life.
   */
  put(
    key: Uint8Array,
    value: Uint8Array,
    expiresAt: number,
    owner: string,
    now: number,
    auth: ItemAuth | null = null,
    cas: number | null = null,
  ): StoreOutcome {
    checkKey(key);
    // Whole milliseconds, as the entries always held them.
    expiresAt = Math.ceil(expiresAt);
    now = Math.floor(now);
    const pool = this.pool;
    let existing = pool.find(this.store, key);
    if (existing !== NONE && pool.expiresAt(existing) <= now) {
      this.delete(existing);
      existing = NONE;
    }
    const decision = judgeWrite(existing === NONE ? null : { value: pool.value(existing), auth: pool.auth(existing) }, value, auth, cas);
    if (typeof decision === 'object') return { ok: false, reason: decision.refused };
    if (decision === 'keep') {
      // a replica's STORE still tells us the value was just replicated (never how long it lives)
      pool.setStoredAt(existing, now);
      return STORED;
    }
    let refusal = this.refusal(existing, value, owner);
    if (refusal) {
      // Expired entries still count until swept: sweep, then judge again.
      if (this.sweep(now) === 0) return { ok: false, reason: refusal };
      refusal = this.refusal(existing, value, owner);
      if (refusal) return { ok: false, reason: refusal };
    }
    if (existing !== NONE) {
      if (decision === 'refresh') expiresAt = Math.max(pool.expiresAt(existing), expiresAt);
      this.uncharge(existing);
      pool.set(existing, value, auth, owner, expiresAt, now);
    } else {
      pool.add(this.store, key, value, auth, owner, expiresAt, now);
      this.count++;
    }
    this.totalBytes += value.length;
    if (this.usage) this.charge(this.usage, owner, value.length);
    return STORED;
  }

  /** Why storing value over the live `existing` entry for owner would break a limit, or '' if it would not. */
  private refusal(existing: number, value: Uint8Array, owner: string): string {
    const held = existing !== NONE;
    const oldBytes = held ? this.pool.value(existing).length : 0;
    if (!held && this.count >= this.limits.maxEntries) return `storage full (${this.limits.maxEntries} entries)`;
    if (this.totalBytes - oldBytes + value.length > this.limits.maxBytes) return `storage full (${this.limits.maxBytes} bytes)`;
    const entriesAfter = this.count + (held ? 0 : 1);
    const bytesAfter = this.totalBytes - oldBytes + value.length;
    if (!this.usage && entriesAfter <= this.limits.maxEntriesPerSender && bytesAfter <= this.limits.maxBytesPerSender) return '';
    const usage = this.senderUsage().get(owner);
    const sameOwner = held && this.pool.owner(existing) === owner;
    const ownerEntries = (usage?.entries ?? 0) + (sameOwner ? 0 : 1);
    const ownerBytes = (usage?.bytes ?? 0) - (sameOwner ? oldBytes : 0) + value.length;
    if (ownerEntries > this.limits.maxEntriesPerSender || ownerBytes > this.limits.maxBytesPerSender) return 'sender quota exceeded';
    return '';
  }

  /** The per-sender usage, counted from the entries the first time it is needed, then kept up to date. */
  private senderUsage(): Map<string, Usage> {
    if (this.usage) return this.usage;
    const usage = new Map<string, Usage>();
    const pool = this.pool;
    for (let slot = pool.first(this.store); slot !== NONE; slot = pool.next(slot))
      this.charge(usage, pool.owner(slot), pool.value(slot).length);
    return (this.usage = usage);
  }

  private charge(usage: Map<string, Usage>, owner: string, bytes: number): void {
    let own = usage.get(owner);
    if (!own) usage.set(owner, (own = { entries: 0, bytes: 0 }));
    own.entries++;
    own.bytes += bytes;
  }

  /** The live entry for key (a snapshot), or undefined (an expired one is dropped on the way). */
  get(key: Uint8Array, now: number): StoredEntry | undefined {
    checkKey(key);
    const slot = this.pool.find(this.store, key);
    if (slot === NONE) return undefined;
    if (this.pool.expiresAt(slot) <= now) {
      this.delete(slot);
      return undefined;
    }
    return this.entryAt(slot, key);
  }

  /** Drops every expired entry; returns how many. */
  sweep(now: number): number {
    const pool = this.pool;
    let dropped = 0;
    for (let slot = pool.first(this.store); slot !== NONE;) {
      const next = pool.next(slot);
      if (pool.expiresAt(slot) <= now) {
        this.delete(slot);
        dropped++;
      }
      slot = next;
    }
    return dropped;
  }

  /** Live entries no STORE refreshed for `idleMs`: the ones a holder replicates. */
  dueForReplication(now: number, idleMs: number): StoredEntry[] {
    const pool = this.pool;
    const due: StoredEntry[] = [];
    for (let slot = pool.first(this.store); slot !== NONE; slot = pool.next(slot)) {
      if (pool.expiresAt(slot) > now && pool.storedAt(slot) + idleMs <= now) due.push(this.entryAt(slot));
    }
    return due;
  }

  /** Marks an entry as just replicated, so the next cycle skips it. */
  touch(key: Uint8Array, now: number): void {
    checkKey(key);
    const slot = this.pool.find(this.store, key);
    if (slot !== NONE) this.pool.setStoredAt(slot, Math.floor(now));
  }

  /** A snapshot of the entry; `key` when the caller has its bytes already (saves a copy). */
  private entryAt(slot: number, key = this.pool.key(slot)): StoredEntry {
    const pool = this.pool;
    return {
      key,
      value: pool.value(slot),
      expiresAt: pool.expiresAt(slot),
      storedAt: pool.storedAt(slot),
      auth: pool.auth(slot),
      owner: pool.owner(slot),
    };
  }

  private delete(slot: number): void {
    this.uncharge(slot);
    this.pool.remove(slot);
    this.count--;
  }

  /** Takes an entry's bytes off the totals and off its sender's usage. */
  private uncharge(slot: number): void {
    const bytes = this.pool.value(slot).length;
    this.totalBytes -= bytes;
    const owner = this.pool.owner(slot);
    const own = this.usage?.get(owner);
    if (!own) return;
    own.entries--;
    own.bytes -= bytes;
    if (own.entries === 0) this.usage!.delete(owner);
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== ID_BYTES) throw new RangeError(`key must be ${ID_BYTES} bytes (got ${key.length})`);
}
