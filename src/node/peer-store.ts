// The peers announced to us for each torrent (BEP 5's announce_peer), until they expire.
// Bounded the way libtorrent bounds its DHT tracker: a number of torrents, a number of
// peers per torrent (past it, the oldest announcement makes room), one entry per
// (ip, port); and each IP may announce into a limited number of torrents, so one host
// cannot fill the store. Made on the first announce: most nodes never get one.
import type { PeerAddress } from '../protocol/messages.js';

export interface PeerStoreLimits {
  /** Torrents with peers kept at once (libtorrent: 2,000 by default). */
  maxTorrents: number;
  /** Peers kept per torrent (libtorrent: 500). */
  maxPeersPerTorrent: number;
  /** Torrents one IP may have announced into at once. */
  maxTorrentsPerIp: number;
  /** How long an announcement counts (ms): a peer re-announces every ~15-30 min. */
  ttlMs: number;
}

export const DEFAULT_PEER_STORE_LIMITS: PeerStoreLimits = {
  maxTorrents: 2000,
  maxPeersPerTorrent: 500,
  maxTorrentsPerIp: 100,
  ttlMs: 45 * 60 * 1000,
};

/** One torrent's peers by "host port", in announce order (Maps keep insertion order). */
type Torrent = Map<string, { peer: PeerAddress; expiresAt: number }>;

export type AnnounceOutcome = { ok: true } | { ok: false; reason: string };

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

export class PeerStore {
  private readonly torrents = new Map<string, Torrent>();
  /** Torrents each IP has a live entry in. */
  private readonly perIp = new Map<string, Set<string>>();

  constructor(readonly limits: PeerStoreLimits = DEFAULT_PEER_STORE_LIMITS) {}

  get torrentCount(): number {
    return this.torrents.size;
  }

  /**
   * Records that `peer` has the torrent `infoHash`. BEP 5 records the announcer's source IP
   * as the peer's host, so that IP is the one charged for it.
   */
  announce(infoHash: Uint8Array, peer: PeerAddress, now: number): AnnounceOutcome {
    const ip = peer.host;
    const name = hex(infoHash);
    let torrent = this.torrents.get(name);
    if (!torrent) {
      this.sweep(now);
      if (this.torrents.size >= this.limits.maxTorrents) return { ok: false, reason: 'peer store full: too many torrents' };
      torrent = new Map();
      this.torrents.set(name, torrent);
    }
    const ipTorrents = this.perIp.get(ip);
    if (!ipTorrents?.has(name) && (ipTorrents?.size ?? 0) >= this.limits.maxTorrentsPerIp) {
      if (torrent.size === 0) this.torrents.delete(name);
      return { ok: false, reason: `this IP has announced into ${this.limits.maxTorrentsPerIp} torrents already` };
    }
    const entry = `${peer.host} ${peer.port}`;
    torrent.delete(entry); // re-announced: it moves to the newest end
    if (torrent.size >= this.limits.maxPeersPerTorrent) {
      const oldest = torrent.keys().next().value as string;
      this.drop(name, torrent, oldest);
    }
    torrent.set(entry, { peer: { host: peer.host, port: peer.port }, expiresAt: now + this.limits.ttlMs });
    if (ipTorrents) ipTorrents.add(name);
    else this.perIp.set(ip, new Set([name]));
    return { ok: true };
  }

  /** Up to `max` live peers of the torrent, the most recently announced first. */
  peers(infoHash: Uint8Array, now: number, max: number): PeerAddress[] {
    const name = hex(infoHash);
    const torrent = this.torrents.get(name);
    if (!torrent) return [];
    const live: PeerAddress[] = [];
    for (const [entry, { peer, expiresAt }] of torrent) {
      if (expiresAt <= now) this.drop(name, torrent, entry);
      else live.push(peer);
    }
    return live.slice(-max).reverse();
  }

  /** Forgets expired announcements. */
  sweep(now: number): void {
    for (const [name, torrent] of this.torrents) {
      for (const [entry, { expiresAt }] of torrent) if (expiresAt <= now) this.drop(name, torrent, entry);
    }
  }

  private drop(name: string, torrent: Torrent, entry: string): void {
    torrent.delete(entry);
    const host = entry.slice(0, entry.lastIndexOf(' '));
    // the IP keeps its place in the torrent while another of its ports is still there
    let stillThere = false;
    for (const { peer } of torrent.values()) if (peer.host === host) stillThere = true;
    if (!stillThere) {
      const ipTorrents = this.perIp.get(host);
      ipTorrents?.delete(name);
      if (ipTorrents?.size === 0) this.perIp.delete(host);
    }
    if (torrent.size === 0) this.torrents.delete(name);
  }
}
