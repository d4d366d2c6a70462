// The values a node holds for the DHT, with expiry and limits. A store over a limit is
// refused with a reason; nothing already stored is ever evicted to make room.
import { idKey } from '../id/id.js';

export interface StorageLimits {
  maxEntries: number;
  maxBytes: number;
  /** Per sender address (host:port), so one peer cannot fill the node. */
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
  /** The sender it is charged to. */
  readonly owner: string;
}

type MutableEntry = { -readonly [F in keyof StoredEntry]: StoredEntry[F] };

export type StoreOutcome = { ok: true } | { ok: false; reason: string };

const STORED: StoreOutcome = { ok: true };

export class Storage {
  private readonly entries = new Map<string, MutableEntry>();
  /**
   * Per-sender usage, kept only once a sender quota could bind: no sender can hold more
   * entries or bytes than the whole store, so while the store is under both quotas there
   * is nothing to count. Most nodes never get there, and skip a Usage and a Map entry per
   * value (about 40% of a stored entry's memory).
   */
  private usage: Map<string, Usage> | null = null;
  private totalBytes = 0;

  constructor(readonly limits: StorageLimits = DEFAULT_STORAGE_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Stores or refreshes key -> value until `expiresAt`, charged to `owner`. Re-storing
   * the same value never shortens its life; a different value replaces the old one.
   */
  put(key: Uint8Array, value: Uint8Array, expiresAt: number, owner: string, now: number): StoreOutcome {
    // Whole milliseconds: small integers live inside the entry, fractions in a boxed number each.
    expiresAt = Math.ceil(expiresAt);
    now = Math.floor(now);
    const mapKey = idKey(key);
    let existing = this.entries.get(mapKey);
    if (existing && existing.expiresAt <= now) {
      this.delete(mapKey, existing);
      existing = undefined;
    }
    let refusal = this.refusal(existing, value, owner);
    if (refusal) {
      // Expired entries still count until swept: sweep, then judge again.
      if (this.sweep(now) === 0) return { ok: false, reason: refusal };
      refusal = this.refusal(existing, value, owner);
      if (refusal) return { ok: false, reason: refusal };
    }
    if (existing) {
      if (Buffer.compare(existing.value, value) === 0) expiresAt = Math.max(existing.expiresAt, expiresAt);
      this.uncharge(existing);
      existing.value = value;
      existing.expiresAt = expiresAt;
      existing.storedAt = now;
      existing.owner = owner;
    } else {
      this.entries.set(mapKey, { key, value, expiresAt, storedAt: now, owner });
    }
    this.totalBytes += value.length;
    if (this.usage) this.charge(this.usage, owner, value.length);
    return STORED;
  }

  /** Why storing value over the live `existing` entry for owner would break a limit, or '' if it would not. */
  private refusal(existing: StoredEntry | undefined, value: Uint8Array, owner: string): string {
    const oldBytes = existing ? existing.value.length : 0;
    if (!existing && this.entries.size >= this.limits.maxEntries) return `storage full (${this.limits.maxEntries} entries)`;
    if (this.totalBytes - oldBytes + value.length > this.limits.maxBytes) return `storage full (${this.limits.maxBytes} bytes)`;
    const entriesAfter = this.entries.size + (existing ? 0 : 1);
    const bytesAfter = this.totalBytes - oldBytes + value.length;
    if (!this.usage && entriesAfter <= this.limits.maxEntriesPerSender && bytesAfter <= this.limits.maxBytesPerSender) return '';
    const usage = this.senderUsage().get(owner);
    const sameOwner = existing?.owner === owner;
    const ownerEntries = (usage?.entries ?? 0) + (sameOwner ? 0 : 1);
    const ownerBytes = (usage?.bytes ?? 0) - (sameOwner ? oldBytes : 0) + value.length;
    if (ownerEntries > this.limits.maxEntriesPerSender || ownerBytes > this.limits.maxBytesPerSender) return 'sender quota exceeded';
    return '';
  }

  /** The per-sender usage, counted from the entries the first time it is needed, then kept up to date. */
  private senderUsage(): Map<string, Usage> {
    if (this.usage) return this.usage;
    const usage = new Map<string, Usage>();
    for (const entry of this.entries.values()) this.charge(usage, entry.owner, entry.value.length);
    return (this.usage = usage);
  }

  private charge(usage: Map<string, Usage>, owner: string, bytes: number): void {
    let own = usage.get(owner);
    if (!own) usage.set(owner, (own = { entries: 0, bytes: 0 }));
    own.entries++;
    own.bytes += bytes;
  }

  /** The live entry for key, or undefined (an expired one is dropped on the way). */
  get(key: Uint8Array, now: number): StoredEntry | undefined {
    const mapKey = idKey(key);
    const entry = this.entries.get(mapKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(mapKey, entry);
      return undefined;
    }
    return entry;
  }

  /** Drops every expired entry; returns how many. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [mapKey, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.delete(mapKey, entry);
        dropped++;
      }
    }
    return dropped;
  }

  /** Live entries no STORE refreshed for `idleMs`: the ones a holder replicates. */
  dueForReplication(now: number, idleMs: number): StoredEntry[] {
    const due: StoredEntry[] = [];
    for (const entry of this.entries.values()) {
      if (entry.expiresAt > now && entry.storedAt + idleMs <= now) due.push(entry);
    }
    return due;
  }

  /** Marks an entry as just replicated, so the next cycle skips it. */
  touch(key: Uint8Array, now: number): void {
    const mapKey = idKey(key);
    const entry = this.entries.get(mapKey);
    if (entry) entry.storedAt = Math.floor(now);
  }

  private delete(mapKey: string, entry: StoredEntry): void {
    this.entries.delete(mapKey);
    this.uncharge(entry);
  }

  /** Takes an entry's bytes off the totals and off its sender's usage. */
  private uncharge(entry: StoredEntry): void {
    this.totalBytes -= entry.value.length;
    const own = this.usage?.get(entry.owner);
    if (!own) return;
    own.entries--;
    own.bytes -= entry.value.length;
    if (own.entries === 0) this.usage!.delete(entry.owner);
  }
}
