import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { Publishing, type StoreResult } from '../../src/node/publishing.js';
import { modelSuite } from '../../src/node/security/crypto-suite.js';
import { Storage } from '../../src/node/storage.js';
import { UpkeepQueue } from '../../src/node/upkeep-queue.js';
import type { RequestBody } from '../../src/protocol/messages.js';
import type { Peer } from '../../src/routing/peer.js';
import { SeededRandom } from '../../src/util/random.js';
import { seededBytes } from '../helpers/reference.js';
import { nodeLookupResult } from '../helpers/lookup-result.js';

const text = (s: string) => new TextEncoder().encode(s);
const TOKEN = new Uint8Array(8).fill(7);

/** A node whose lookups find `peers` as the closest; every peer answers a STORE as `answer` says. */
function setup(options: { peers?: Peer[]; answer?: 'ok' | 'refuse' | 'silent'; maxPublished?: number } = {}) {
  const clock = new VirtualClock();
  const random = new SeededRandom(1);
  const storage = new Storage();
  const upkeep = new UpkeepQueue(4);
  const stores: Array<{ peer: Peer; body: RequestBody }> = [];
  const failed: Peer[] = [];
  const peers = options.peers ?? [];
  const publishing = new Publishing({
    id: new Uint8Array(20),
    clock,
    random,
    storage,
    key: modelSuite.newKey(random),
    upkeep,
    settings: {
      k: 2,
      ttlMs: 3_600_000,
      republishMs: 600_000,
      replicateMs: 300_000,
      maxPublished: options.maxPublished ?? 10,
      readOnly: false,
    },
    findWriteTargets: (_target, done) => done(nodeLookupResult(peers, TOKEN)),
    request: (peer, body, done) => {
      stores.push({ peer, body });
      if (options.answer === 'silent') done(null);
      else done({ type: 'STORED', ok: options.answer !== 'refuse', reason: options.answer === 'refuse' ? 'no room' : '' });
    },
    failed: (peer) => failed.push(peer),
    isRunning: () => true,
  });
  return { clock, storage, upkeep, publishing, stores, failed };
}

/** A peer whose id starts with bit 1 (ours is all zeros), at a port taken from its seed. */
const far = (seed: string): Peer => {
  const id = seededBytes(seed, 20);
  id[0] |= 0x80;
  return { id, host: '10.0.0.2', port: Number.parseInt(seed.slice(1), 10) || 2 };
};

function publish(publishing: Publishing, key: Uint8Array, value: string): StoreResult {
  let result: StoreResult | undefined;
  publishing.publish(key, text(value), (r) => (result = r));
  assert.ok(result, 'done synchronously here');
  return result;
}

test('a plain value goes to the k closest with their tokens, signed with seq 1, then 2 when published again', () => {
  const peers = [far('p3'), far('p4')];
  const { publishing, stores, storage, clock } = setup({ peers });
  const key = seededBytes('key', 20);
  key[0] = 0; // we are closer to it than both peers: we hold it too, and the farther peer drops out
  assert.deepEqual(publish(publishing, key, 'v1'), { replicas: 2, attempted: 2, refusals: [] });
  assert.equal(stores.length, 1);
  const body = stores[0].body;
  assert.ok(body.type === 'STORE');
  assert.deepEqual(body.token, TOKEN);
  assert.equal(body.auth?.seq, 1);
  assert.equal(storage.get(key, clock.now())?.auth?.seq, 1);
  publish(publishing, key, 'v2');
  const second = stores[1].body;
  assert.ok(second.type === 'STORE');
  assert.equal(second.auth?.seq, 2);
  assert.equal(publishing.count, 1);
});

test('refusals and silence are reported; a peer that does not answer is handed to liveness', () => {
  const key = seededBytes('key', 20);
  key[0] = 0xff; // farther from us than the peers: we do not hold it
  const refused = setup({ peers: [far('p3'), far('p4')], answer: 'refuse' });
  assert.deepEqual(publish(refused.publishing, key, 'v'), { replicas: 0, attempted: 2, refusals: ['no room', 'no room'] });
  // fewer than k found: we are among the closest, and hold it ourselves
  const silent = setup({ peers: [far('p3')], answer: 'silent' });
  assert.deepEqual(publish(silent.publishing, key, 'v'), { replicas: 1, attempted: 2, refusals: [] });
  assert.deepEqual(silent.failed, [far('p3')]);
});

test('the publish limit refuses new keys, not updates; unpublish frees a place', () => {
  const { publishing } = setup({ maxPublished: 1 });
  const a = seededBytes('a', 20);
  const b = seededBytes('b', 20);
  assert.equal(publish(publishing, a, 'x').replicas, 1);
  assert.deepEqual(publish(publishing, b, 'y'), {
    replicas: 0,
    attempted: 0,
    refusals: ['publish limit reached (1 values): unpublish one first'],
  });
  assert.equal(publish(publishing, a, 'x2').replicas, 1);
  assert.equal(publishing.unpublish(a), true);
  assert.equal(publishing.unpublish(a), false);
  assert.equal(publish(publishing, b, 'y').replicas, 1);
});

test('due work: our values are republished with the next seq, values held for others are replicated with what is left of their TTL', () => {
  const peer = far('p3');
  const { publishing, stores, storage, clock } = setup({ peers: [peer] });
  const ours = seededBytes('ours', 20);
  publish(publishing, ours, 'mine');
  const theirs = seededBytes('theirs', 20);
  assert.ok(storage.put(theirs, text('held'), clock.now() + 3_600_000, '10.0.0.5', clock.now(), null, null).ok);
  stores.length = 0;
  clock.advance(300_000);
  publishing.queueDue(clock.now());
  assert.deepEqual(
    stores.map((s) => (s.body.type === 'STORE' ? [Buffer.from(s.body.key).toString('hex'), s.body.ttlMs] : [])),
    [[Buffer.from(theirs).toString('hex'), 3_300_000]],
    'only the held value is due at 5 minutes',
  );
  clock.advance(300_000);
  stores.length = 0;
  publishing.queueDue(clock.now());
  const republished = stores.find((s) => s.body.type === 'STORE' && Buffer.compare(s.body.key, ours) === 0);
  assert.ok(republished && republished.body.type === 'STORE');
  assert.equal(republished.body.auth?.seq, 2);
  assert.equal(republished.body.ttlMs, 3_600_000);
});
