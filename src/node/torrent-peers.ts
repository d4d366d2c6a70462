// BEP 5's tracker in the DHT, from the asking side: find a torrent's peers (get_peers on
// the way to the k closest nodes to its infohash, gathering every peer they name) and
// announce that we have it (announce_peer, with each closest node's token, to all of them).
import type { PeerAddress, RequestBody, ResponseBody } from '../protocol/messages.js';
import type { Peer } from '../routing/peer.js';
import { MAX_PEERS_PER_ANSWER } from '../protocol/limits.js';
import type { LookupResult } from './lookup.js';
import type { PeerStore } from './peer-store.js';

export interface PeersResult {
  /** Every peer found, once each: ours first (if we hold any), then in the order answers named them. */
  peers: PeerAddress[];
  hops: number;
  queried: number;
}

export interface AnnounceResult {
  /** Nodes that took the announcement. */
  announced: number;
  /** Nodes asked (the k closest that gave a token). */
  attempted: number;
  /** Reasons given by nodes that refused. */
  refusals: string[];
}

export interface TorrentPeersDeps {
  readonly peerStore: PeerStore | null;
  now(): number;
  findPeers(infoHash: Uint8Array, done: (result: LookupResult) => void): void;
  request(peer: Peer, body: RequestBody, done: (response: ResponseBody | null) => void): void;
}

export function findTorrentPeers(deps: TorrentPeersDeps, infoHash: Uint8Array, done: (result: PeersResult) => void): void {
  const local = deps.peerStore?.peers(infoHash, deps.now(), MAX_PEERS_PER_ANSWER) ?? [];
  deps.findPeers(infoHash, (result) => {
    const seen = new Set(local.map((p) => `${p.host} ${p.port}`));
    const peers = [...local, ...result.peers.filter((p) => !seen.has(`${p.host} ${p.port}`))];
    done({ peers, hops: result.hops, queried: result.queried });
  });
}

/** Announces to the k closest nodes that we have the torrent at `port`; 0: at the port our datagrams come from (implied_port). */
export function announceTorrent(deps: TorrentPeersDeps, infoHash: Uint8Array, port: number, done: (result: AnnounceResult) => void): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`port must be 0 (implied) or 1-65535 (got ${port})`);
  deps.findPeers(infoHash, (found) => {
    const targets = found.closest.filter((_, i) => found.tokens[i].length > 0);
    const tokens = found.tokens.filter((token) => token.length > 0);
    const result: AnnounceResult = { announced: 0, attempted: targets.length, refusals: [] };
    let pending = targets.length;
    if (pending === 0) {
      done(result);
      return;
    }
    targets.forEach((peer, i) => {
      const body: RequestBody = { type: 'ANNOUNCE_PEER', infoHash, port, impliedPort: port === 0, token: tokens[i] };
      deps.request(peer, body, (response) => {
        if (response?.type === 'ANNOUNCED' && response.ok) result.announced++;
        else result.refusals.push(response?.type === 'ANNOUNCED' ? response.reason : 'no answer');
        if (--pending === 0) done(result);
      });
    });
  });
}
