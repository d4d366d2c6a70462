// Which contacts a node keeps (paper, section 2.2): every message it receives updates its
// routing table, a full bucket keeps its old contacts as long as they answer (a newcomer
// waits while the least-recently-seen one is pinged), and contacts that stop answering
// requests leave. Contacts named in lookup answers only fill free slots.
import type { Clock } from '../clock/clock.js';
import type { Address } from '../net/transport.js';
import type { ContactArena } from '../routing/contact-arena.js';
import type { Peer } from '../routing/peer.js';
import type { RoutingTable } from '../routing/routing-table.js';

export interface LivenessSettings {
  /** A contact heard from this recently (ms) is not pinged to make room for a newcomer. */
  readonly goodForMs: number;
  /** Failed requests in a row after which a contact leaves the table. */
  readonly failuresBeforeEviction: number;
}

export interface LivenessDeps {
  readonly table: RoutingTable;
  readonly arena: ContactArena;
  readonly clock: Clock;
  readonly settings: LivenessSettings;
  /** Whether a peer (its id at its address) may enter the table (transport, BEP 42). */
  admits(peer: Peer): boolean;
  ping(to: Address, done: (alive: boolean) => void): void;
  /** False once the node has stopped: late answers change nothing then. */
  isRunning(): boolean;
}

export class Liveness {
  // Both made on first use: most nodes never need them, and an empty Map costs ~180 bytes.
  /** Contacts being pinged because a newcomer wants their bucket slot. */
  private pinging: Set<number> | null = null;
  /** Failed requests in a row, per contact in our table. */
  private failures: Map<number, number> | null = null;

  constructor(private readonly deps: LivenessDeps) {}

  /**
   * A message from `id` at `from`. A newcomer for a full bucket takes the slot of a contact
   * we were only told about (never heard from); else it pings the least-recently-seen
   * contact unless that one is good (heard from within goodForMs), and waits in the
   * replacement cache.
   */
  heardFrom(id: Uint8Array, from: Address): void {
    const { arena } = this.deps;
    const contact = arena.intern(id, from.host, from.port);
    arena.retain(contact); // held while we work with it; freed at the end if nobody kept it
    // admitted on the arena's record: whether its id fits its IP is worked out once per contact, not per message
    if (this.deps.admits(arena.peer(contact))) this.observe(contact);
    arena.release(contact);
  }

  private observe(contact: number): void {
    const { table } = this.deps;
    const now = this.deps.clock.now();
    const result = table.observe(contact, now);
    if (result.kind === 'full') {
      if (now - result.seenAt >= this.deps.settings.goodForMs) this.evictIfDead(result.leastRecentlySeen);
    } else if (result.kind === 'conflict') this.evictIfDead(result.existing);
    else if (result.kind !== 'ip-full') {
      if (result.kind === 'replaced') this.failures?.delete(result.evicted);
      this.failures?.delete(contact);
    }
  }

  /** A contact named in a lookup answer (already admitted): it fills a free bucket slot, unverified. */
  learn(peer: Peer): void {
    const { arena, table } = this.deps;
    // Most peers a lookup names fall in buckets that are already full: skip interning them
    // (a hash probe, and a free right after, for a peer not yet in the arena).
    if (table.refusesUnverified(peer.id)) return;
    const contact = arena.internPeer(peer);
    // Our own id lands in no bucket, so it is never offered. Not comparing peer.id here
    // saves a cache miss per contact: the table reads the id from the arena anyway.
    table.offerUnverified(contact);
    arena.dropIfUnused(contact);
  }

  /** A request to a peer timed out: after failuresBeforeEviction in a row it leaves the table. */
  failed(peer: Peer): void {
    if (!this.deps.isRunning()) return;
    const { arena, table } = this.deps;
    const contact = arena.internPeer(peer);
    arena.retain(contact); // removal from the table must not free it under our feet
    if (table.has(contact)) {
      const counts = (this.failures ??= new Map());
      const failures = (counts.get(contact) ?? 0) + 1;
      if (failures >= this.deps.settings.failuresBeforeEviction) this.remove(contact);
      else counts.set(contact, failures);
    }
    arena.release(contact);
  }

  /** Pings a contact that a newcomer could replace; removes it only if it does not answer. */
  private evictIfDead(stale: number): void {
    const { arena } = this.deps;
    const pinging = (this.pinging ??= new Set());
    if (pinging.has(stale)) return;
    pinging.add(stale);
    arena.retain(stale); // keep the index valid while we wait
    this.deps.ping({ host: arena.host(stale), port: arena.port(stale) }, (alive) => {
      if (!alive && this.deps.isRunning()) this.remove(stale);
      pinging.delete(stale);
      arena.release(stale);
    });
  }

  private remove(contact: number): void {
    this.failures?.delete(contact);
    this.deps.table.remove(contact);
  }
}
