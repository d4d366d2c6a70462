// A node lookup's result, for tests that stand in for the lookup.
import type { LookupResult } from '../../src/node/lookup.js';
import type { Peer } from '../../src/routing/peer.js';

/** The result of a node lookup that found `closest`, each of which gave `token`. */
export function nodeLookupResult(closest: Peer[] = [], token = new Uint8Array(8)): LookupResult {
  return {
    closest,
    tokens: closest.map(() => token),
    value: null,
    valueAuth: null,
    valueTtlMs: 0,
    cacheAt: null,
    cacheToken: null,
    hops: 1,
    queried: closest.length,
    rejectedValues: 0,
    peers: [],
    failed: 0,
  };
}
