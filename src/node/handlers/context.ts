// What an RPC handler may see of its node.
import type { Address } from '../../net/transport.js';
import type { Peer } from '../../routing/peer.js';
import type { Storage } from '../storage.js';

export interface HandlerContext {
  readonly storage: Storage;
  /** Longest time we keep a stored value (ms). */
  readonly maxTtlMs: number;
  now(): number;
  /** Our k closest known peers to `target`, leaving out `exclude` (the asker). */
  closestPeers(target: Uint8Array, exclude: Uint8Array): Peer[];
  /** The largest value we accept. */
  readonly maxValueBytes: number;
}

/**
 * One string per sender address object: the simulator hands every receiver the sender's
 * own address object, so its nodes share one string instead of one per stored value.
 */
const owners = new WeakMap<Address, string>();

/** Storage quotas are per sender address. */
export function ownerOf(from: Address): string {
  let owner = owners.get(from);
  if (owner === undefined) owners.set(from, (owner = `${from.host}:${from.port}`));
  return owner;
}
