// What an RPC handler may see of its node.
import type { Peer } from '../../routing/peer.js';
import type { CryptoSuite } from '../security/crypto-suite.js';
import type { WriteTokens } from '../security/write-tokens.js';
import type { Storage } from '../storage.js';
import type { PeerStore } from '../peer-store.js';

export interface HandlerContext {
  readonly storage: Storage;
  /** Longest time we keep a stored value (ms). */
  readonly maxTtlMs: number;
  now(): number;
  /** Our k closest known peers to `target`, leaving out `exclude` (the asker). */
  closestPeers(target: Uint8Array, exclude: Uint8Array): Peer[];
  /** The largest value we accept. */
  readonly maxValueBytes: number;
  readonly tokens: WriteTokens;
  /** Checks signatures of the items stored with us. */
  readonly crypto: CryptoSuite;
  /** The peers announced to us (BEP 5), null until the first announce. */
  readonly peerStore: PeerStore | null;
  /** The peer store, made on first use. */
  announcedPeers(): PeerStore;
}
