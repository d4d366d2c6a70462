// BEP 5's get_peers and announce_peer on the simulated network, in both protocols (the
// protocol changes the wire, not what nodes do): an announce reaches the k closest nodes
// to the infohash and is found from any node; only a token the announcer's IP was given
// is taken, and implied_port records the port the announce came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnnounceResult, PeersResult } from '../../src/node/kademlia-node.js';
import type { ResponseBody } from '../../src/protocol/messages.js';
import { referenceClosest } from '../helpers/reference.js';
import { createNetwork } from '../helpers/sim.js';

const infoHash = new Uint8Array(20).fill(0xab);

for (const protocol of ['kadswarm', 'mainline'] as const) {
  test(`${protocol}: an announced peer is found from every node; the k closest hold it`, () => {
    const sim = createNetwork(60, { node: { protocol, k: 8 } });
    const announcer = sim.nodes[7];
    const announced = sim.settle<AnnounceResult>((done) => announcer.announcePeer(infoHash, 6881, done));
    assert.deepEqual([announced.announced, announced.attempted, announced.refusals], [8, 8, []]);
    for (const node of sim.nodes.filter((_, i) => i % 6 === 0)) {
      const found = sim.settle<PeersResult>((done) => node.findPeers(infoHash, done));
      assert.deepEqual(found.peers, [{ host: announcer.address.host, port: 6881 }]);
    }
    const closest = referenceClosest(
      infoHash,
      sim.nodes.filter((n) => n !== announcer).map((n) => n.id),
      8,
    );
    const others = sim.nodes.filter((n) => n !== announcer);
    const holders = others.filter((n) => n['peerStore']?.peers(infoHash, sim.clock.now(), 10).length);
    assert.deepEqual(new Set(holders), new Set(closest.map((i) => others[i])));
    const none = sim.settle<PeersResult>((done) => sim.nodes[3].findPeers(new Uint8Array(20).fill(1), done));
    assert.deepEqual(none.peers, []);
  });
}

test('announce_peer needs the token our get_peers answer gave that IP; implied_port takes the source port', () => {
  const sim = createNetwork(5);
  const [asker, holder] = [sim.nodes[1], sim.nodes[2]];
  const ask = (body: Parameters<typeof asker.query>[1]) =>
    sim.settle<ResponseBody | null>((done) => asker.query(holder.address, body, done));
  const answer = ask({ type: 'GET_PEERS', infoHash });
  assert.ok(answer?.type === 'PEERS');
  assert.deepEqual(ask({ type: 'ANNOUNCE_PEER', infoHash, port: 1, impliedPort: false, token: new Uint8Array(8) }), {
    type: 'ANNOUNCED',
    ok: false,
    reason: 'invalid write token: use the one a get_peers answer gave this IP',
  });
  // another node's token is no good either: it was given to another IP
  const other = sim.settle<ResponseBody | null>((done) => sim.nodes[3].query(holder.address, { type: 'GET_PEERS', infoHash }, done));
  assert.ok(other?.type === 'PEERS');
  assert.equal((ask({ type: 'ANNOUNCE_PEER', infoHash, port: 1, impliedPort: false, token: other.token }) as { ok: boolean }).ok, false);
  assert.deepEqual(ask({ type: 'ANNOUNCE_PEER', infoHash, port: 0, impliedPort: true, token: answer.token }), {
    type: 'ANNOUNCED',
    ok: true,
    reason: '',
  });
  const after = ask({ type: 'GET_PEERS', infoHash });
  assert.ok(after?.type === 'PEERS');
  assert.deepEqual(after.peers, [{ host: asker.address.host, port: asker.address.port }]);
});
