// The iterative Kademlia lookup (paper section 2.3), independent of any transport: it
// talks to peers only through `query`. Up to alpha requests are in flight; the lookup
// ends when the k closest peers seen that have not failed have all answered, so a
// lookup for a missing key costs one node lookup and never waits on slow peers that are
// no longer among the k closest. A value lookup ends as soon as a value arrives.
import { ID_BYTES, idsEqual } from '../id/id.js';
import { idHeadAt, idNextAt } from '../id/prefix.js';
import type { ItemAuth, PeerAddress, RequestBody, ResponseBody } from '../protocol/messages.js';
import type { Peer } from '../routing/peer.js';
import { HostCounts } from './host-counts.js';
import type { ResponseHandler } from './response-handler.js';
import { grown } from '../util/grown.js';

/** node: the k closest (FIND_NODE); value: a value (FIND_VALUE); peers: a torrent's peers gathered on the way to the k closest (GET_PEERS, BEP 5). */
export type LookupKind = 'node' | 'value' | 'peers';

/** Sends `request` to `peer`; the answer, or null on timeout, goes to handler.answered(tag, ...). */
export type LookupQuery = (peer: Peer, request: RequestBody, handler: ResponseHandler, tag: number) => void;

export interface LookupParams {
  target: Uint8Array;
  kind: LookupKind;
  k: number;
  alpha: number;
  selfId: Uint8Array;
  /** Starting peers, usually our routing table's closest to the target. */
  start: Peer[];
  /** Whether a peer learned from a response may be contacted (address checks). */
  accepts: (peer: Peer) => boolean;
  /**
   * Candidates one IP may have in the lookup (default: no limit). Sybils on one host
   * answering with each other could otherwise fill the k closest and end a lookup with
   * nothing (libtorrent limits a search the same way).
   */
  maxPerIp?: number;
  /**
   * Called for each accepted peer a response names that this lookup had not seen yet (the
   * node offers it to its routing table). Converging answers name mostly peers already
   * seen (64% of them in a 10,000-node run): those are not reported again.
   */
  discovered?: (peer: Peer) => void;
  query: LookupQuery;
  /** A peer this lookup asked did not answer (the node counts it against the contact). */
  failed?: (peer: Peer) => void;
  /** Ends the lookup early (as if it had converged) when it returns true; asked after each answer. */
  enough?: (answeredBy: Peer) => boolean;
  /**
   * Value lookups: whether a value an answer carries is genuine (its key and signature);
   * one that is not counts as an answer without a value, and the lookup goes on.
   */
  acceptValue?: (value: Uint8Array, auth: ItemAuth | null) => boolean;
  /**
   * Value lookups: how many holders must answer with the same owned plain value (one
   * signer, one seq) before it is believed (default 1). Such a value proves only who
   * signed it, not that they own the key: a node that did not hold the key may have
   * taken another signer's version first. Holders of the genuine value outnumber it, so
   * with 2 the lookup goes on past a lone dissenter. If no value gets there, the one
   * most holders gave wins. Immutable and mutable items prove themselves: one answer.
   */
  plainQuorum?: number;
  /**
   * Node lookups: ask with FIND_VALUE instead of FIND_NODE, because the write tokens a
   * STORE needs come only with value answers on the protocol (Mainline's find_node
   * answers carry none; BEP 44 puts take the token of a get).
   */
  tokensFromValueQueries?: boolean;
  /**
   * Value lookups of a mutable item: its salt. A BEP 44 get answer need not repeat the
   * salt (the asker knows it), so an answer without one is read as carrying this one.
   */
  salt?: Uint8Array;
}

export interface LookupResult {
  /** Peers that answered, nearest first, at most k. */
  closest: Peer[];
  /** The write token each of `closest` gave us (BEP 5): what a STORE to it must carry. */
  tokens: Uint8Array[];
  value: Uint8Array | null;
  /** Who may write the value found (null: an immutable item, or no value). */
  valueAuth: ItemAuth | null;
  valueTtlMs: number;
  /** For a found value: the closest peer that answered without it (where to cache it), and its token. */
  cacheAt: Peer | null;
  cacheToken: Uint8Array | null;
  /** Values refused by acceptValue (forged or corrupt). */
  rejectedValues: number;
  /** Peers lookups: every peer the answers named, once each, in the order they came. */
  peers: PeerAddress[];
  /** Rounds: the depth of the answer (value) or of the deepest of the k closest (node). */
  hops: number;
  queried: number;
  failed: number;
}

const FRESH = 0;
const IN_FLIGHT = 1;
const ANSWERED = 2;
const FAILED = 3;
/** Asked again, echoing its token, for a value it withheld. */
const WITH_TOKEN = 4;

const NO_TOKEN = new Uint8Array(0);
const NO_PEERS: PeerAddress[] = Object.freeze([]) as unknown as PeerAddress[];
const NONE = -1;

/** Orders ids a and b by XOR distance to target (negative: a is closer), without materializing distances. */
function compareDistance(a: Uint8Array, b: Uint8Array, target: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const da = a[i] ^ target[i];
    const db = b[i] ^ target[i];
    if (da !== db) return da - db;
  }
  return 0;
}

/**
 * A lookup's candidates, column by column: a candidate is a slot, numbered in the order
 * it was added (a slot names the request asked of it, so slots are never reused within a
 * lookup), and `order` lists the kept slots nearest first. Taken from a pool and given
 * back once the lookup has finished and nothing it asked is in flight: a lookup then
 * allocates no object per candidate or per request.
 */
class Candidates {
  peers: Peer[] = [];
  tokens: Uint8Array[] = [];
  state = new Uint8Array(64);
  /** It answered with a value (that did not settle the lookup alone). */
  held = new Uint8Array(64);
  round = new Uint16Array(64);
  /** The first 60 bits of the peer's XOR distance to the target, as two 30-bit words. */
  high = new Int32Array(64);
  low = new Int32Array(64);
  /** Kept slots, nearest first. */
  order = new Int32Array(64);
  /**
   * Candidates per host (when the lookup limits them). A candidate that later falls off
   * the far end still counts. Made on first use, kept with the table for its next lookup.
   */
  private hosts: HostCounts | null = null;
  kept = 0;
  /** Slots used. */
  used = 0;

  /** A new slot (grown as needed). */
  add(peer: Peer, round: number, high: number, low: number): number {
    const slot = this.used++;
    if (slot === this.state.length) this.grow();
    this.peers[slot] = peer;
    this.tokens[slot] = NO_TOKEN;
    this.state[slot] = FRESH;
    this.held[slot] = 0;
    this.round[slot] = round;
    this.high[slot] = high;
    this.low[slot] = low;
    return slot;
  }

  /** Puts `slot` at place `index` of the order, dropping what falls past `capacity`. */
  insert(index: number, slot: number, capacity: number): void {
    if (this.order.length < capacity) this.order = grown(this.order, capacity);
    const order = this.order;
    let i = this.kept;
    if (i < capacity) this.kept++;
    else i = capacity - 1;
    for (; i > index; i--) order[i] = order[i - 1];
    order[index] = slot;
  }

  /** Counts one more candidate at the peer's host, unless it already has `max` (then false). */
  admitHost(peer: Peer, max: number): boolean {
    return (this.hosts ??= new HostCounts()).admit(peer.host, peer.ipv4, max);
  }

  /** Forgets everything (for reuse); lets go of the peers and tokens it held. */
  clear(): void {
    this.hosts?.clear();
    this.peers.fill(undefined as unknown as Peer, 0, this.used);
    this.tokens.fill(NO_TOKEN, 0, this.used);
    this.kept = 0;
    this.used = 0;
  }

  private grow(): void {
    const size = this.state.length * 2;
    this.state = grown(this.state, size);
    this.held = grown(this.held, size);
    this.round = grown(this.round, size);
    this.high = grown(this.high, size);
    this.low = grown(this.low, size);
  }
}

const candidatePool: Candidates[] = [];
/** Candidate tables kept for reuse; more lookups at once than this make new ones. */
const POOL_LIMIT = 4096;

type Vote = { count: number; value: Uint8Array; auth: ItemAuth; ttlMs: number; from: number };

class Lookup implements ResponseHandler {
  private readonly target: Uint8Array;
  private readonly kind: LookupKind;
  private readonly k: number;
  /** The far end never matters once k closer ones answered. */
  private readonly capacity: number;
  private readonly maxPerIp: number;
  private readonly plainQuorum: number;
  private readonly request: RequestBody;
  // Distances are compared on their first 60 bits as numbers; the bytes only settle ties
  // (ids that close are rare, so most comparisons never touch an id).
  private readonly targetHead: number;
  private readonly targetNext: number;
  private readonly selfHigh: number;
  private readonly selfLow: number;
  private c: Candidates;
  private inFlight = 0;
  private queried = 0;
  private failed = 0;
  private rejectedValues = 0;
  private finished = false;
  /**
   * A value lookup whose closest peer has answered without the value is almost surely a
   * miss (that peer would be a holder): the rest of the k closest all have to answer
   * before it can say so, so ask them all at once (one round trip instead of k / alpha),
   * as the paper's final round does. Hits rarely get here, so they cost no extra messages.
   */
  private parallelism: number;
  /** Owned plain values seen so far, by signer and seq: how many holders gave each, and the first answer. */
  private votes: Map<string, Vote> | null = null;
  /** Peers lookups: the peers gathered so far (made on the first). */
  private peersFound: PeerAddress[] | null = null;
  private peersSeen: Set<string> | null = null;
  // pump() is never re-entered: a query answered synchronously (inside query()) changes
  // the candidates under its feet, so it only asks for another pass.
  private pumping = false;
  private again = false;

  constructor(
    private readonly params: LookupParams,
    private readonly done: (result: LookupResult) => void,
  ) {
    const { target, kind, k, selfId } = params;
    this.target = target;
    this.kind = kind;
    this.k = k;
    this.capacity = Math.max(3 * k, 64);
    this.maxPerIp = params.maxPerIp ?? Infinity;
    this.plainQuorum = params.plainQuorum ?? 1;
    this.parallelism = params.alpha;
    this.request =
      kind === 'peers'
        ? { type: 'GET_PEERS', infoHash: target }
        : kind === 'value' || params.tokensFromValueQueries
          ? { type: 'FIND_VALUE', key: target, token: null }
          : { type: 'FIND_NODE', target };
    this.targetHead = idHeadAt(target, 0);
    this.targetNext = idNextAt(target, 0);
    this.selfHigh = idHeadAt(selfId, 0) ^ this.targetHead;
    this.selfLow = idNextAt(selfId, 0) ^ this.targetNext;
    this.c = candidatePool.pop() ?? new Candidates();
  }

  start(): void {
    for (const peer of this.params.start) this.add(peer, 1, false);
    this.pump();
  }

  /** The answer of the request asked of candidate `slot`. */
  answered(slot: number, response: ResponseBody | null): void {
    this.inFlight--;
    const c = this.c;
    if (response === null) this.params.failed?.(c.peers[slot]);
    if (this.finished) {
      this.release();
      return;
    }
    if (response === null || (response.type !== 'NODES' && response.type !== 'VALUE' && response.type !== 'PEERS')) {
      c.state[slot] = FAILED;
      this.failed++;
      this.pump();
      return;
    }
    c.tokens[slot] = response.token;
    if (response.type === 'VALUE' && this.kind === 'value') {
      if (response.withheld && c.state[slot] === IN_FLIGHT) {
        // it holds a value too large for an unproven asker: ask again, proving our address
        c.state[slot] = WITH_TOKEN;
        this.inFlight++;
        this.queried++;
        this.params.query(c.peers[slot], { type: 'FIND_VALUE', key: this.target, token: response.token }, this, slot);
        return;
      }
      const answer = this.withSalt(response);
      if (answer.value !== null) {
        if (!this.params.acceptValue || this.params.acceptValue(answer.value, answer.auth)) {
          if (this.believed(answer, slot)) {
            this.finish(answer.value, answer.auth, answer.ttlMs, slot);
            return;
          }
          c.held[slot] = 1; // a second holder is needed: the lookup goes on
        } else this.rejectedValues++;
      }
    }
    if (response.type === 'PEERS' && this.kind === 'peers') this.gather(response.peers);
    c.state[slot] = ANSWERED;
    const round = c.round[slot] + 1;
    const accepts = this.params.accepts;
    for (const peer of response.contacts) if (accepts(peer)) this.add(peer, round, true);
    if (this.kind === 'value') {
      const closest = this.closestLive();
      if (closest !== NONE && c.state[closest] === ANSWERED && c.held[closest] === 0) this.parallelism = this.k;
    }
    if (this.params.enough?.(c.peers[slot])) {
      this.finish(null, null, 0, NONE);
      return;
    }
    this.pump();
  }

  /**
   * Negative when candidate `slot` is nearer to the target than `peer` (whose distance
   * words are high, low). Equal words are nearly always the same peer named again (64% of
   * the peers answers name are repeats): a shared record (the arena's, in one process) says
   * so without reading two id arrays, which at 100,000 nodes are cache misses that took
   * ~15% of the run.
   */
  private compare(slot: number, peer: Peer, high: number, low: number): number {
    const c = this.c;
    if (c.high[slot] !== high) return c.high[slot] - high;
    if (c.low[slot] !== low) return c.low[slot] - low;
    return c.peers[slot] === peer ? 0 : compareDistance(c.peers[slot].id, peer.id, this.target);
  }

  // Sorted by XOR distance to one target, so an id seen before sits exactly where a
  // duplicate would go (equal distance means equal id): no separate "seen" set needed.
  private add(peer: Peer, round: number, fromResponse: boolean): void {
    const id = peer.id;
    const high = (peer.head ?? idHeadAt(id, 0)) ^ this.targetHead;
    const low = (peer.next ?? idNextAt(id, 0)) ^ this.targetNext;
    if (high === this.selfHigh && low === this.selfLow && idsEqual(id, this.params.selfId)) return;
    const c = this.c;
    let hi = c.kept;
    if (hi >= this.capacity) {
      // full, and no nearer than the farthest kept: past the far end, never asked
      const order = this.compare(c.order[hi - 1], peer, high, low);
      if (order === 0) return; // seen: it is the farthest kept
      if (order < 0) {
        if (fromResponse) this.params.discovered?.(peer);
        return;
      }
    }
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(c.order[mid], peer, high, low) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && this.compare(c.order[lo - 1], peer, high, low) === 0) return; // seen
    if (this.maxPerIp !== Infinity && !c.admitHost(peer, this.maxPerIp)) return;
    if (fromResponse) this.params.discovered?.(peer);
    c.insert(lo, c.add(peer, round, high, low), this.capacity);
  }

  /** A value answer without the salt we asked for, read as carrying it. */
  private withSalt<T extends Extract<ResponseBody, { type: 'VALUE' }>>(response: T): T {
    const salt = this.params.salt;
    const auth = response.auth;
    if (salt === undefined || salt.length === 0 || auth === null || auth.salt?.length !== 0) return response;
    return { ...response, auth: { ...auth, salt } };
  }

  private gather(peers: PeerAddress[]): void {
    for (const peer of peers) {
      const name = `${peer.host} ${peer.port}`;
      const seen = (this.peersSeen ??= new Set());
      if (seen.has(name)) continue;
      seen.add(name);
      (this.peersFound ??= []).push(peer);
    }
  }

  private believed(response: Extract<ResponseBody, { type: 'VALUE' }>, slot: number): boolean {
    const auth = response.auth;
    if (this.plainQuorum <= 1 || auth === null || auth.salt !== null) return true;
    const name = `${Buffer.from(auth.publicKey).toString('latin1')}/${auth.seq}`;
    const vote = (this.votes ??= new Map()).get(name);
    if (vote) vote.count++;
    else this.votes.set(name, { count: 1, value: response.value!, auth, ttlMs: response.ttlMs, from: slot });
    return (vote?.count ?? 1) >= this.plainQuorum;
  }

  /** Ends a lookup that found values but no quorum: the one most holders gave. */
  private finishWithoutQuorum(): void {
    let best: Vote | null = null;
    for (const vote of this.votes?.values() ?? []) if (best === null || vote.count > best.count) best = vote;
    if (best) this.finish(best.value, best.auth, best.ttlMs, best.from);
    else this.finish(null, null, 0, NONE);
  }

  private closestLive(): number {
    const c = this.c;
    for (let i = 0; i < c.kept; i++) if (c.state[c.order[i]] !== FAILED) return c.order[i];
    return NONE;
  }

  private finish(value: Uint8Array | null, valueAuth: ItemAuth | null, valueTtlMs: number, answeredBy: number): void {
    this.finished = true;
    const c = this.c;
    const closest: Peer[] = [];
    const tokens: Uint8Array[] = [];
    let hops = answeredBy !== NONE ? c.round[answeredBy] : 0;
    let cache = NONE;
    for (let i = 0; i < c.kept; i++) {
      const slot = c.order[i];
      if (c.state[slot] !== ANSWERED) continue;
      if (answeredBy !== NONE && cache === NONE && c.held[slot] === 0 && slot !== answeredBy) cache = slot;
      if (closest.length === this.k) {
        if (answeredBy === NONE || cache !== NONE) break;
        continue;
      }
      closest.push(c.peers[slot]);
      tokens.push(c.tokens[slot]);
      if (answeredBy === NONE) hops = Math.max(hops, c.round[slot]);
    }
    const result: LookupResult = {
      closest,
      tokens,
      value,
      valueAuth,
      valueTtlMs,
      cacheAt: cache === NONE ? null : c.peers[cache],
      cacheToken: cache === NONE ? null : c.tokens[cache],
      rejectedValues: this.rejectedValues,
      peers: this.peersFound ?? NO_PEERS,
      hops,
      queried: this.queried,
      failed: this.failed,
    };
    this.release();
    this.done(result);
  }

  /** Once finished with nothing in flight: the candidate tables go back to their pools. */
  private release(): void {
    if (this.inFlight > 0) return;
    if (candidatePool.length < POOL_LIMIT) {
      this.c.clear();
      candidatePool.push(this.c);
    }
    this.c = RELEASED;
  }

  private ask(slot: number): void {
    this.c.state[slot] = IN_FLIGHT;
    this.inFlight++;
    this.queried++;
    this.params.query(this.c.peers[slot], this.request, this, slot);
  }

  private pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    do {
      this.again = false;
      let unsettled = 0; // fresh or in flight among the k closest live candidates
      let considered = 0;
      for (let i = 0; i < this.c.kept; i++) {
        if (this.finished) break;
        const slot = this.c.order[i];
        let state = this.c.state[slot];
        if (state === FAILED) continue;
        if (considered++ === this.k) break;
        if (state === FRESH && this.inFlight < this.parallelism) {
          this.ask(slot);
          if (this.finished) break; // answered at once, and that ended it
          state = this.c.state[slot];
        }
        if (state === FRESH || state === IN_FLIGHT || state === WITH_TOKEN) unsettled++;
      }
      if (!this.again && !this.finished && unsettled === 0) this.finishWithoutQuorum();
    } while (this.again && !this.finished);
    this.pumping = false;
  }
}

/** What a released lookup points at: an empty table (late answers only read a peer, which they no longer can). */
const RELEASED = new Candidates();

export function lookup(params: LookupParams, done: (result: LookupResult) => void): void {
  new Lookup(params, done).start();
}
