// The iterative Kademlia lookup (paper section 2.3), independent of any transport: it
// talks to peers only through `query`. Up to alpha requests are in flight; the lookup
// ends when the k closest peers seen that have not failed have all answered, so a
// lookup for a missing key costs one node lookup and never waits on slow peers that are
// no longer among the k closest. A value lookup ends as soon as a value arrives.
import { ID_BYTES, idsEqual } from '../id/id.js';
import { idHeadAt, idNextAt } from '../id/prefix.js';
import type { ItemAuth, RequestBody, ResponseBody } from '../protocol/messages.js';
import type { Peer } from '../routing/peer.js';

export type LookupKind = 'node' | 'value';
export type LookupQuery = (peer: Peer, request: RequestBody, done: (response: ResponseBody | null) => void) => void;

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

interface Candidate {
  peer: Peer;
  state: number;
  round: number;
  /** The write token its answer carried. */
  token: Uint8Array;
  /** It answered with a value (that did not settle the lookup alone). */
  held: boolean;
  /** The first 60 bits of the peer's XOR distance to the target, as two 30-bit words. */
  high: number;
  low: number;
}

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
 * Puts `item` at `index`, shifting the rest up, and drops what falls past `capacity`. By
 * hand because splice allocates an array for what it removes, on every call.
 */
function insertAt<T>(items: T[], index: number, item: T, capacity: number): void {
  let i = items.length;
  if (i < capacity) items.push(item);
  else i = capacity - 1;
  for (; i > index; i--) items[i] = items[i - 1];
  items[index] = item;
}

export function lookup(params: LookupParams, done: (result: LookupResult) => void): void {
  const { target, kind, k, alpha, selfId, query } = params;
  // Sorted by XOR distance to one target, so an id seen before sits exactly where a
  // duplicate would go (equal distance means equal id): no separate "seen" set needed.
  const candidates: Candidate[] = [];
  const capacity = Math.max(3 * k, 64); // the far end never matters once k closer ones answered
  let inFlight = 0;
  let queried = 0;
  let failed = 0;
  let rejectedValues = 0;
  let finished = false;
  const maxPerIp = params.maxPerIp ?? Infinity;
  /** Candidates per host (only kept when maxPerIp is set). A candidate that later falls off the far end still counts. */
  let perIp: Map<string, number> | null = null;
  const admitsHost = (host: string): boolean => {
    if (maxPerIp === Infinity) return true;
    const seen = (perIp ??= new Map()).get(host) ?? 0;
    if (seen >= maxPerIp) return false;
    perIp.set(host, seen + 1);
    return true;
  };
  // A value lookup whose closest peer has answered without the value is almost surely a
  // miss (that peer would be a holder): the rest of the k closest all have to answer
  // before it can say so, so ask them all at once (one round trip instead of k / alpha),
  // as the paper's final round does. Hits rarely get here, so they cost no extra messages.
  let parallelism = alpha;
  const request: RequestBody = kind === 'value' ? { type: 'FIND_VALUE', key: target, token: null } : { type: 'FIND_NODE', target };

  // Distances are compared on their first 60 bits as numbers; the bytes only settle ties
  // (ids that close are rare, so most comparisons never touch an id).
  const targetHead = idHeadAt(target, 0);
  const targetNext = idNextAt(target, 0);
  const selfHigh = idHeadAt(selfId, 0) ^ targetHead;
  const selfLow = idNextAt(selfId, 0) ^ targetNext;
  /**
   * Negative when the candidate is nearer to the target than `peer` (whose id has these
   * words). Equal words are nearly always the same peer named again (64% of the peers
   * answers name are repeats): a shared record (the arena's, in one process) says so
   * without reading two id arrays, which at 100,000 nodes are cache misses that took
   * ~15% of the run.
   */
  const compare = (c: Candidate, peer: Peer, high: number, low: number): number =>
    c.high !== high ? c.high - high : c.low !== low ? c.low - low : c.peer === peer ? 0 : compareDistance(c.peer.id, peer.id, target);

  const add = (peer: Peer, round: number, fromResponse: boolean): void => {
    const id = peer.id;
    const high = (peer.head ?? idHeadAt(id, 0)) ^ targetHead;
    const low = (peer.next ?? idNextAt(id, 0)) ^ targetNext;
    if (high === selfHigh && low === selfLow && idsEqual(id, selfId)) return;
    let hi = candidates.length;
    if (hi >= capacity) {
      // full, and no nearer than the farthest kept: past the far end, never asked
      const order = compare(candidates[hi - 1], peer, high, low);
      if (order === 0) return; // seen: it is the farthest kept
      if (order < 0) {
        if (fromResponse) params.discovered?.(peer);
        return;
      }
    }
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(candidates[mid], peer, high, low) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && compare(candidates[lo - 1], peer, high, low) === 0) return; // seen
    if (!admitsHost(peer.host)) return;
    if (fromResponse) params.discovered?.(peer);
    insertAt(candidates, lo, { peer, state: FRESH, round, token: NO_TOKEN, held: false, high, low }, capacity);
  };

  const plainQuorum = params.plainQuorum ?? 1;
  /** Owned plain values seen so far, by signer and seq: how many holders gave each, and the first answer. */
  let votes: Map<string, { count: number; value: Uint8Array; auth: ItemAuth; ttlMs: number; from: Candidate }> | null = null;
  const believed = (response: Extract<ResponseBody, { type: 'VALUE' }>, c: Candidate): boolean => {
    const auth = response.auth;
    if (plainQuorum <= 1 || auth === null || auth.salt !== null) return true;
    const name = `${Buffer.from(auth.publicKey).toString('latin1')}/${auth.seq}`;
    const vote = (votes ??= new Map()).get(name);
    if (vote) vote.count++;
    else votes.set(name, { count: 1, value: response.value!, auth, ttlMs: response.ttlMs, from: c });
    return (vote?.count ?? 1) >= plainQuorum;
  };
  /** Ends a lookup that found values but no quorum: the one most holders gave. */
  const finishWithoutQuorum = (): void => {
    let best: { count: number; value: Uint8Array; auth: ItemAuth; ttlMs: number; from: Candidate } | null = null;
    for (const vote of votes?.values() ?? []) if (best === null || vote.count > best.count) best = vote;
    if (best) finish(best.value, best.auth, best.ttlMs, best.from);
    else finish(null, null, 0, null);
  };

  const closestLive = (): Candidate | undefined => {
    for (const c of candidates) if (c.state !== FAILED) return c;
    return undefined;
  };

  const finish = (value: Uint8Array | null, valueAuth: ItemAuth | null, valueTtlMs: number, answeredBy: Candidate | null): void => {
    finished = true;
    const closest: Peer[] = [];
    const tokens: Uint8Array[] = [];
    let hops = answeredBy ? answeredBy.round : 0;
    for (const c of candidates) {
      if (closest.length === k) break;
      if (c.state !== ANSWERED) continue;
      closest.push(c.peer);
      tokens.push(c.token);
      if (!answeredBy) hops = Math.max(hops, c.round);
    }
    const cache = answeredBy ? candidates.find((c) => c.state === ANSWERED && !c.held && c !== answeredBy) : undefined;
    done({
      closest,
      tokens,
      value,
      valueAuth,
      valueTtlMs,
      cacheAt: cache?.peer ?? null,
      cacheToken: cache?.token ?? null,
      rejectedValues,
      hops,
      queried,
      failed,
    });
  };

  const onResponse = (c: Candidate, response: ResponseBody | null): void => {
    inFlight--;
    if (finished) return;
    if (response === null || (response.type !== 'NODES' && response.type !== 'VALUE')) {
      c.state = FAILED;
      failed++;
      pump();
      return;
    }
    c.token = response.token;
    if (response.type === 'VALUE' && kind === 'value') {
      if (response.withheld && c.state === IN_FLIGHT) {
        // it holds a value too large for an unproven asker: ask again, proving our address
        c.state = WITH_TOKEN;
        inFlight++;
        queried++;
        query(c.peer, { type: 'FIND_VALUE', key: target, token: response.token }, (again) => onResponse(c, again));
        return;
      }
      if (response.value !== null) {
        if (!params.acceptValue || params.acceptValue(response.value, response.auth)) {
          if (believed(response, c)) {
            finish(response.value, response.auth, response.ttlMs, c);
            c.state = ANSWERED;
            return;
          }
          c.held = true; // a second holder is needed: the lookup goes on
        } else rejectedValues++;
      }
    }
    c.state = ANSWERED;
    for (const peer of response.contacts) if (params.accepts(peer)) add(peer, c.round + 1, true);
    if (kind === 'value') {
      const closestOne = closestLive();
      if (closestOne?.state === ANSWERED && !closestOne.held) parallelism = k;
    }
    if (params.enough?.(c.peer)) {
      finish(null, null, 0, null);
      return;
    }
    pump();
  };

  // Apart from pump's loop: a closure made inside it would give every pass of the loop a
  // context of its own (a quarter of all the bytes a simulation allocated).
  const ask = (c: Candidate): void => {
    c.state = IN_FLIGHT;
    inFlight++;
    queried++;
    query(c.peer, request, (response) => onResponse(c, response));
  };

  // Never re-entered: a query answered synchronously (inside query()) changes the
  // candidates under our feet, so it only asks for another pass.
  let pumping = false;
  let again = false;
  const pump = (): void => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    do {
      again = false;
      let unsettled = 0; // fresh or in flight among the k closest live candidates
      let considered = 0;
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i];
        if (finished) break;
        if (c.state === FAILED) continue;
        if (considered++ === k) break;
        if (c.state === FRESH && inFlight < parallelism) ask(c);
        if (c.state === FRESH || c.state === IN_FLIGHT || c.state === WITH_TOKEN) unsettled++;
      }
      if (!again && !finished && unsettled === 0) finishWithoutQuorum();
    } while (again && !finished);
    pumping = false;
  };

  for (const peer of params.start) add(peer, 1, false);
  pump();
}
