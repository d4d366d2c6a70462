// BEP 5's announced peers: newest first, expiry, and the bounds that keep one host from
// filling the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PEER_STORE_LIMITS, PeerStore } from '../../src/node/peer-store.js';

const infoHash = (n: number) => new Uint8Array(20).fill(n);
const peer = (host: string, port: number) => ({ host, port });

test('peers come back newest first, once per ip:port, until they expire', () => {
  const store = new PeerStore();
  assert.deepEqual(store.announce(infoHash(1), peer('10.0.0.1', 1), 0), { ok: true });
  store.announce(infoHash(1), peer('10.0.0.2', 2), 10);
  store.announce(infoHash(1), peer('10.0.0.1', 1), 20); // again: now the newest
  assert.deepEqual(store.peers(infoHash(1), 30, 50), [peer('10.0.0.1', 1), peer('10.0.0.2', 2)]);
  assert.deepEqual(store.peers(infoHash(1), 30, 1), [peer('10.0.0.1', 1)], 'at most max');
  assert.deepEqual(store.peers(infoHash(2), 30, 50), []);
  const ttl = DEFAULT_PEER_STORE_LIMITS.ttlMs;
  assert.deepEqual(store.peers(infoHash(1), 10 + ttl, 50), [peer('10.0.0.1', 1)], 'the one announced at 10 expired');
  store.sweep(20 + ttl);
  assert.equal(store.torrentCount, 0);
});

test('a full torrent drops its oldest peer; the store takes only so many torrents, and an IP only so many of them', () => {
  const store = new PeerStore({ maxTorrents: 4, maxPeersPerTorrent: 2, maxTorrentsPerIp: 2, ttlMs: 1000 });
  store.announce(infoHash(1), peer('10.0.0.1', 1), 0);
  store.announce(infoHash(1), peer('10.0.0.2', 1), 1);
  store.announce(infoHash(1), peer('10.0.0.3', 1), 2);
  assert.deepEqual(store.peers(infoHash(1), 3, 10), [peer('10.0.0.3', 1), peer('10.0.0.2', 1)]);

  store.announce(infoHash(2), peer('10.0.0.9', 1), 3);
  assert.deepEqual(store.announce(infoHash(3), peer('10.0.0.9', 1), 3), { ok: true });
  assert.deepEqual(store.announce(infoHash(4), peer('10.0.0.9', 1), 3), {
    ok: false,
    reason: 'this IP has announced into 2 torrents already',
  });
  assert.deepEqual(store.peers(infoHash(4), 3, 10), [], 'a refused announce leaves no torrent behind');
  // another IP may still open a torrent while there is room
  assert.deepEqual(store.announce(infoHash(4), peer('10.0.0.1', 1), 3), { ok: true });
  assert.deepEqual(store.announce(infoHash(5), peer('10.0.0.8', 1), 3), {
    ok: false,
    reason: 'peer store full: too many torrents',
  });
  // once they expire, there is room again
  assert.deepEqual(store.announce(infoHash(5), peer('10.0.0.8', 1), 2000), { ok: true });
  assert.equal(store.torrentCount, 1);
});
