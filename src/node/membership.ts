// How a node joins and stays joined (paper, section 2.3): it contacts one known node, looks
// up its own id (which fills its nearest buckets and announces it to its neighbours), then
// refreshes the buckets farther out. Afterwards, a bucket no lookup has gone through for
// refreshMs is refreshed by a lookup of a random id in its range.
import type { Clock } from '../clock/clock.js';
import type { Address } from '../net/transport.js';
import type { ContactArena } from '../routing/contact-arena.js';
import type { Peer } from '../routing/peer.js';
import type { RoutingTable } from '../routing/routing-table.js';
import type { RandomSource } from '../util/random.js';
import type { LookupResult } from './lookup.js';

export interface JoinResult {
  ok: boolean;
  reason: string;
  /** Contacts in our routing table afterwards. */
  contacts: number;
}

export interface MembershipSettings {
  readonly k: number;
  /** Refresh the buckets farther than our nearest neighbour on join. */
  readonly refreshOnJoin: boolean;
  /** A bucket no lookup went through for this long (ms) is refreshed. */
  readonly refreshMs: number;
}

export interface MembershipDeps {
  readonly id: Uint8Array;
  readonly table: RoutingTable;
  readonly arena: ContactArena;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly settings: MembershipSettings;
  ping(to: Address, done: (alive: boolean) => void): void;
  /** A node lookup; `enough` ends it early, `alpha` overrides the requests in flight. */
  findNode(target: Uint8Array, done: (result: LookupResult) => void, enough?: (answeredBy: Peer) => boolean, alpha?: number): void;
  isRunning(): boolean;
}

export class Membership {
  constructor(private readonly deps: MembershipDeps) {}

  /** Joins through `bootstrap` (an address the transport accepts): ping it, look up our own id, refresh. */
  join(bootstrap: Address, done: (result: JoinResult) => void): void {
    const { table, settings } = this.deps;
    this.deps.ping(bootstrap, (alive) => {
      if (!alive) {
        done({ ok: false, reason: `no answer from ${bootstrap.host}:${bootstrap.port}`, contacts: table.size });
        return;
      }
      this.deps.findNode(this.deps.id, (self) => {
        const finish = () => done({ ok: true, reason: '', contacts: table.size });
        if (!settings.refreshOnJoin) return finish();
        const toRefresh = this.bucketsToRefreshAfterJoin(self);
        let remaining = toRefresh.length;
        if (remaining === 0) return finish();
        for (const b of toRefresh) {
          this.refreshBucket(b, () => {
            if (--remaining === 0) finish();
          });
        }
      });
    });
  }

  /**
   * Refreshes bucket b: a lookup of a random id in its range that ends as soon as the
   * bucket is full, or a node inside the range has answered (its answer names every node
   * it knows there, and those fill the bucket's free slots).
   */
  refreshBucket(b: number, done: () => void): void {
    const { table, settings } = this.deps;
    const target = table.randomIdInBucket(b, (n) => this.deps.random.bytes(n));
    const enough = (answeredBy: Peer) => table.bucketIndexOf(answeredBy.id) === b || table.bucketSize(b) >= settings.k;
    // One request at a time: a refresh usually needs a single answer (from the bucket's own
    // range), and a join refreshes all its buckets at once, so parallelism is there anyway.
    this.deps.findNode(target, () => done(), enough, 1);
  }

  /** The buckets due for a refresh at `now` (no lookup through them for refreshMs). */
  idleBuckets(now: number): number[] {
    return this.deps.table.bucketsIdleSince(now, this.deps.settings.refreshMs);
  }

  /** Refreshes an idle bucket, unless a lookup went through it since it was found idle. */
  refreshIdleBucket(b: number, done: () => void): void {
    const { table, clock } = this.deps;
    const now = clock.now();
    if (!this.deps.isRunning() || table.lastTouchedAt(b) + this.deps.settings.refreshMs > now) return done();
    table.touchBucket(b, now);
    this.deps.findNode(
      table.randomIdInBucket(b, (n) => this.deps.random.bytes(n)),
      () => done(),
    );
  }

  /** Every bucket farther than our closest neighbour that is not full and that the lookup of our own id did not cover. */
  private bucketsToRefreshAfterJoin(self: LookupResult): number[] {
    const { table, arena, id, settings } = this.deps;
    const [nearest] = table.closestContacts(id, 1);
    let farthestToRefresh = nearest === undefined ? -1 : table.bucketIndexOf(arena.id(nearest)) - 1;
    // The lookup of our own id found the k nodes closest to us, so every node of a bucket
    // nearer than the k-th's is one of them.
    if (self.closest.length === settings.k) {
      farthestToRefresh = Math.min(farthestToRefresh, table.bucketIndexOf(self.closest[self.closest.length - 1].id));
    }
    // a bucket that is already full has nothing to gain from a refresh
    const buckets: number[] = [];
    for (let b = 0; b <= farthestToRefresh; b++) if (table.bucketSize(b) < settings.k) buckets.push(b);
    return buckets;
  }
}
