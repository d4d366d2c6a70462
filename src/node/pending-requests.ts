// The requests every node of a process is waiting on, as records in typed arrays: one
// pool for the process (a million nodes keep no Map and no object per request), a hash
// from request id to record, and each node's deadline queue linked through the records.
import type { ResponseCallback, ResponseHandler } from './response-handler.js';
import { grown } from '../util/grown.js';

const NONE = -1;
/** Hash slots per record at most (a load factor of one half keeps probes short). */
const SLOTS_PER_RECORD = 2;

/** A record's state: waiting for its answer; settled (answered, timed out, cancelled) but still queued; free. */
const WAITING = 0;
const SETTLED = 1;
const FREE = 2;

export class PendingRequests {
  // per record: who waits (an owner number per Rpc), the request id as key (its first 53
  // bits) and tail (the last 11), where it went, what answers it, when
  private owners = new Int32Array(0);
  private keys = new Float64Array(0);
  private tails = new Uint16Array(0);
  private ports = new Uint32Array(0);
  private hosts: string[] = [];
  private expects = new Uint8Array(0);
  private sentAts = new Float64Array(0);
  private deadlines = new Float64Array(0);
  /** WAITING, SETTLED (its owner's queue skips it) or FREE. */
  private states = new Uint8Array(0);
  /** The next record in its owner's deadline queue, or in the free list. */
  private next = new Int32Array(0);
  private tags = new Float64Array(0);
  private handlers: Array<ResponseHandler | null> = [];
  private callbacks: Array<ResponseCallback | null> = [];
  private freeHead = NONE;
  private capacity = 0;
  /** Open addressing, linear probing: record numbers, NONE when empty. */
  private slots = new Int32Array(0);
  private mask = 0;
  private nextOwner = 0;
  /** Records in use (pending, or settled and still queued). */
  used = 0;

  constructor(initialCapacity = 64) {
    this.grow(Math.max(1, initialCapacity));
  }

  /** A number for a new Rpc: its records carry it, so two nodes' equal request ids never mix. */
  newOwner(): number {
    return this.nextOwner++;
  }

  /** A new record, pending and hashed by (owner, key); returns its number. */
  add(
    owner: number,
    key: number,
    tail: number,
    host: string,
    port: number,
    expect: number,
    sentAt: number,
    deadline: number,
    callback: ResponseCallback | null,
    handler: ResponseHandler | null,
    tag: number,
  ): number {
    if (this.freeHead === NONE) this.grow(this.capacity * 2);
    const r = this.freeHead;
    this.freeHead = this.next[r];
    this.owners[r] = owner;
    this.keys[r] = key;
    this.tails[r] = tail;
    this.hosts[r] = host;
    this.ports[r] = port;
    this.expects[r] = expect;
    this.sentAts[r] = sentAt;
    this.deadlines[r] = deadline;
    this.states[r] = WAITING;
    this.next[r] = NONE;
    this.tags[r] = tag;
    this.handlers[r] = handler;
    this.callbacks[r] = callback;
    this.used++;
    this.place(r);
    return r;
  }

  /** The pending record of `owner` with this key, or NONE. */
  find(owner: number, key: number): number {
    const slots = this.slots;
    for (let s = this.home(key); ; s = (s + 1) & this.mask) {
      const r = slots[s];
      if (r === NONE) return NONE;
      if (this.keys[r] === key && this.owners[r] === owner) return r;
    }
  }

  /** Whether the answer fits record r: the rest of the id, its source and its type. */
  matches(r: number, tail: number, host: string, port: number, expect: number): boolean {
    return this.tails[r] === tail && this.ports[r] === port && this.hosts[r] === host && this.expects[r] === expect;
  }

  /** The response type record r expects (as its owner numbered the types). */
  expectOf(r: number): number {
    return this.expects[r];
  }

  key(r: number): number {
    return this.keys[r];
  }

  sentAt(r: number): number {
    return this.sentAts[r];
  }

  deadline(r: number): number {
    return this.deadlines[r];
  }

  isSettled(r: number): boolean {
    return this.states[r] === SETTLED;
  }

  handler(r: number): ResponseHandler | null {
    return this.handlers[r];
  }

  callback(r: number): ResponseCallback | null {
    return this.callbacks[r];
  }

  tag(r: number): number {
    return this.tags[r];
  }

  /** The record after r in its owner's queue (NONE: the last). */
  after(r: number): number {
    return this.next[r];
  }

  /** Puts record r after `tail` in its owner's queue. */
  link(tail: number, r: number): void {
    this.next[tail] = r;
  }

  /**
   * Settles record r: it leaves the hash and lets go of whoever waited (read them first,
   * to hand over the answer). It stays in its owner's queue until freed.
   */
  settle(r: number): void {
    this.states[r] = SETTLED;
    this.unplace(r);
    this.callbacks[r] = null;
    this.handlers[r] = null;
  }

  /** Gives back a settled record that has left its owner's queue. */
  free(r: number): void {
    this.states[r] = FREE;
    this.hosts[r] = '';
    this.next[r] = this.freeHead;
    this.freeHead = r;
    this.used--;
  }

  private home(key: number): number {
    // the key's low 32 bits are as random as the rest (it is a random request id)
    const h = Math.imul((key % 4294967296) | 0, 0x9e3779b1);
    return (h ^ (h >>> 15)) & this.mask;
  }

  private place(r: number): void {
    let s = this.home(this.keys[r]);
    while (this.slots[s] !== NONE) s = (s + 1) & this.mask;
    this.slots[s] = r;
  }

  /** Takes record r out of the hash, moving later entries of its probe run back (no tombstones). */
  private unplace(r: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let s = this.home(this.keys[r]);
    while (slots[s] !== r) s = (s + 1) & mask;
    let hole = s;
    for (let t = (s + 1) & mask; slots[t] !== NONE; t = (t + 1) & mask) {
      const home = this.home(this.keys[slots[t]]);
      // an entry may move into the hole unless its home lies cyclically in (hole, t]
      if ((t > hole && (home <= hole || home > t)) || (t < hole && home <= hole && home > t)) {
        slots[hole] = slots[t];
        hole = t;
      }
    }
    slots[hole] = NONE;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.owners = grown(this.owners, capacity);
    this.keys = grown(this.keys, capacity);
    this.tails = grown(this.tails, capacity);
    this.ports = grown(this.ports, capacity);
    this.expects = grown(this.expects, capacity);
    this.sentAts = grown(this.sentAts, capacity);
    this.deadlines = grown(this.deadlines, capacity);
    this.states = grown(this.states, capacity, FREE);
    this.next = grown(this.next, capacity);
    this.tags = grown(this.tags, capacity);
    for (let r = old; r < capacity; r++) {
      this.hosts.push('');
      this.handlers.push(null);
      this.callbacks.push(null);
    }
    // lowest first off the free list
    for (let r = capacity - 1; r >= old; r--) {
      this.next[r] = this.freeHead;
      this.freeHead = r;
    }
    this.capacity = capacity;
    let size = 1;
    while (size < capacity * SLOTS_PER_RECORD) size *= 2;
    this.slots = new Int32Array(size).fill(NONE);
    this.mask = size - 1;
    // every waiting record goes back into the bigger hash (settled ones are no longer in it)
    for (let r = 0; r < old; r++) if (this.states[r] === WAITING) this.place(r);
  }
}

/** The process's pool: every node's Rpc keeps its requests here. */
export const pendingRequests = new PendingRequests();
