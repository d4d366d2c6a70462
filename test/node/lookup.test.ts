// The iterative lookup against a scripted world of peers: exact results, dead peers,
// slow peers it must not wait for, and value lookups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idHeadAt, idNextAt } from '../../src/id/prefix.js';
import { lookup, type LookupParams, type LookupResult } from '../../src/node/lookup.js';
import type { RequestBody, ResponseBody } from '../../src/protocol/messages.js';
import type { Peer } from '../../src/routing/peer.js';
import { referenceClosest, rng, seededBytes } from '../helpers/reference.js';

interface World {
  peers: Peer[];
  dead: Set<number>;
  holders: Set<number>;
}

/** The `count` peers nearest to `target`, nearest first (the BigInt reference). */
function nearest(peers: Peer[], target: Uint8Array, count: number): Peer[] {
  return referenceClosest(
    target,
    peers.map((p) => p.id),
    count,
  ).map((i) => peers[i]);
}

function makeWorld(n: number, seed: string): World {
  const peers = Array.from({ length: n }, (_, i) => ({ id: seededBytes(`${seed}-${i}`, 20), host: 'sim', port: i + 1 }));
  return { peers, dead: new Set(), holders: new Set() };
}

/** The write token a peer hands out: its port in the first byte, so tests can tell whose it is. */
const tokenOf = (peer: Peer) => new Uint8Array([peer.port & 0xff, 0, 0, 0, 0, 0, 0, 0]);

/** Each live peer knows every peer and answers with its k closest to the target. */
function answer(world: World, peer: Peer, request: RequestBody, k: number): ResponseBody | null {
  const index = peer.port - 1;
  if (world.dead.has(index)) return null;
  const target = request.type === 'FIND_NODE' ? request.target : request.type === 'FIND_VALUE' ? request.key : null;
  if (!target) return null;
  // the k closest live peers, plus the 3 closest dead ones as stale entries
  const live = world.peers.filter((_, i) => i !== index && !world.dead.has(i));
  const dead = world.peers.filter((_, i) => i !== index && world.dead.has(i));
  const contacts = [...nearest(live, target, k), ...nearest(dead, target, 3)];
  if (request.type === 'FIND_VALUE') {
    if (world.holders.has(index)) {
      return {
        type: 'VALUE',
        value: new TextEncoder().encode(`held by ${index}`),
        ttlMs: 500,
        contacts: [],
        token: tokenOf(peer),
        auth: null,
        withheld: false,
      };
    }
    return { type: 'VALUE', value: null, ttlMs: 0, contacts, token: tokenOf(peer), auth: null, withheld: false };
  }
  return { type: 'NODES', contacts, token: tokenOf(peer) };
}

/** What the lookups here share: a node lookup, k = 20, alpha = 3, from the world's first three peers, every peer accepted. */
function baseParams(world: World, target: Uint8Array): Omit<LookupParams, 'query'> {
  return { target, kind: 'node', k: 20, alpha: 3, selfId: seededBytes('self', 20), start: world.peers.slice(0, 3), accepts: () => true };
}

function run(
  world: World,
  overrides: Partial<LookupParams>,
  respond = (peer: Peer, request: RequestBody, done: (r: ResponseBody | null) => void, k: number) => done(answer(world, peer, request, k)),
): LookupResult {
  const k = overrides.k ?? 20;
  let result: LookupResult | undefined;
  // answers arrive later, in order, like datagrams; the queue drains after the start
  const queue: Array<() => void> = [];
  lookup(
    {
      ...baseParams(world, seededBytes('target', 20)),
      k,
      query: (peer, request, handler, tag) => queue.push(() => respond(peer, request, (r) => handler.answered(tag, r), k)),
      ...overrides,
    },
    (r) => (result = r),
  );
  while (queue.length > 0) queue.shift()!();
  assert.ok(result, 'lookup finished');
  return result;
}

test('a node lookup finds exactly the k closest peers of the network', () => {
  const world = makeWorld(400, 'w1');
  for (let t = 0; t < 10; t++) {
    const target = seededBytes(`t${t}`, 20);
    const result = run(world, { target });
    const expected = nearest(world.peers, target, 20).map((p) => p.port);
    assert.deepEqual(
      result.closest.map((p) => p.port),
      expected,
    );
    assert.ok(result.hops >= 1 && result.hops < 10, `hops ${result.hops}`);
    assert.ok(result.queried < 120, `queried ${result.queried}`);
    assert.equal(result.failed, 0);
  }
});

test('dead peers are skipped and never reported', () => {
  const world = makeWorld(300, 'w2');
  const random = rng(3);
  for (let i = 0; i < 300; i++) if (random() < 0.3 && i > 2) world.dead.add(i);
  const target = seededBytes('t-dead', 20);
  const result = run(world, { target });
  const live = world.peers.filter((_, i) => !world.dead.has(i));
  const expected = nearest(live, target, 20).map((p) => p.port);
  assert.deepEqual(
    result.closest.map((p) => p.port),
    expected,
  );
  assert.ok(result.failed > 0);
  assert.ok(result.closest.every((p) => !world.dead.has(p.port - 1)));
});

test('it never waits on a slow peer that is no longer among the k closest', () => {
  const world = makeWorld(200, 'w3');
  const target = seededBytes('t-slow', 20);
  // the farthest peer of the network is a starting contact that never answers
  const order = referenceClosest(
    target,
    world.peers.map((p) => p.id),
    200,
  );
  const slow = world.peers[order[199]];
  const pending: Array<() => void> = [];
  const result = run(world, { target, start: [slow, ...world.peers.slice(0, 2)] }, (peer, request, done, k) => {
    if (peer === slow) pending.push(() => done(null));
    else done(answer(world, peer, request, k));
  });
  assert.equal(pending.length, 1, 'the slow request is still outstanding');
  assert.equal(result.closest.length, 20);
  assert.ok(!result.closest.includes(slow));
  pending[0](); // answering after the end changes nothing and does not throw
});

test('a value lookup stops at the first holder and names where to cache', () => {
  const world = makeWorld(300, 'w4');
  const key = seededBytes('the-key', 20);
  const order = referenceClosest(
    key,
    world.peers.map((p) => p.id),
    300,
  );
  world.holders.add(order[2]); // the third closest holds it
  const result = run(world, { target: key, kind: 'value' });
  assert.equal(new TextDecoder().decode(result.value!), `held by ${order[2]}`);
  assert.equal(result.valueTtlMs, 500);
  assert.ok(result.cacheAt, 'a peer without the value answered first');
  assert.ok(!world.holders.has(result.cacheAt.port - 1));
  assert.ok(result.hops >= 1);
});

test('a missing value ends like a node lookup, with the k closest', () => {
  const world = makeWorld(300, 'w5');
  const key = seededBytes('missing', 20);
  const result = run(world, { target: key, kind: 'value' });
  assert.equal(result.value, null);
  assert.equal(result.cacheAt, null);
  const expected = nearest(world.peers, key, 20).map((p) => p.port);
  assert.deepEqual(
    result.closest.map((p) => p.port),
    expected,
  );
});

test('a miss asks the rest of the k closest at once when the closest has answered; node lookups keep alpha', () => {
  const world = makeWorld(300, 'w5');
  const key = seededBytes('missing', 20);
  // in flight: one more when asked, one less when its answer is delivered
  const measure = (kind: 'node' | 'value') => {
    let inFlight = 0;
    let peak = 0;
    const queue: Array<() => void> = [];
    let result: LookupResult | undefined;
    lookup(
      {
        ...baseParams(world, key),
        kind,
        query: (peer, request, handler, tag) => {
          peak = Math.max(peak, ++inFlight);
          queue.push(() => {
            inFlight--;
            handler.answered(tag, answer(world, peer, request, 20));
          });
        },
      },
      (r) => (result = r),
    );
    while (queue.length > 0) queue.shift()!();
    return { result: result!, peak };
  };
  const miss = measure('value');
  const node = measure('node');
  assert.equal(miss.result.value, null);
  assert.equal(node.peak, 3);
  assert.ok(miss.peak > 10, `the final round goes out at once (peak ${miss.peak} in flight)`);
  // and it still ends with the same k closest as the node lookup
  assert.deepEqual(
    miss.result.closest.map((p) => p.port),
    node.result.closest.map((p) => p.port),
  );
  assert.ok(
    miss.result.queried <= node.result.queried + 5,
    `about one node lookup's worth of queries (${miss.result.queried} vs ${node.result.queried})`,
  );
});

test('a query answered synchronously (inside query) is handled too', () => {
  const world = makeWorld(150, 'w-sync');
  const target = seededBytes('t-sync', 20);
  let result: LookupResult | undefined;
  lookup(
    {
      ...baseParams(world, target),
      query: (peer, request, handler, tag) => handler.answered(tag, answer(world, peer, request, 20)),
    },
    (r) => (result = r),
  );
  const expected = nearest(world.peers, target, 20).map((p) => p.port);
  assert.deepEqual(
    result?.closest.map((p) => p.port),
    expected,
  );
});

test('our own id and refused addresses are never queried', () => {
  const world = makeWorld(100, 'w6');
  const self = world.peers[50];
  const asked = new Set<number>();
  run(world, { selfId: self.id, accepts: (p) => p.port % 2 === 1 || p.port <= 3 }, (peer, request, done, k) => {
    asked.add(peer.port);
    done(answer(world, peer, request, k));
  });
  assert.ok(!asked.has(self.port));
  for (const port of asked) assert.ok(port % 2 === 1 || port <= 3, `asked refused port ${port}`);
});

test('an empty start finishes at once with nothing', () => {
  const result = run(makeWorld(5, 'w7'), { start: [] });
  assert.deepEqual(result.closest, []);
  assert.equal(result.queried, 0);
});

test('enough() ends a lookup early, as converged', () => {
  const world = makeWorld(300, 'w-enough');
  let answers = 0;
  const result = run(world, { enough: () => ++answers === 2 });
  assert.equal(answers, 2);
  assert.ok(result.queried <= 6, `stopped after the second answer (${result.queried} queried)`);
  assert.ok(result.closest.length >= 1);
});

test('each new peer a response names is reported once; start peers, our own id and refused ones never', () => {
  const world = makeWorld(300, 'w8');
  const self = world.peers[40];
  const start = world.peers.slice(0, 3);
  const accepts = (p: Peer) => p.port % 3 !== 0 || p.port <= 3;
  const reported: number[] = [];
  const named = new Set<number>();
  let finished = false;
  const queue: Array<() => void> = [];
  lookup(
    {
      target: seededBytes('t-discover', 20),
      kind: 'node',
      k: 20,
      alpha: 3,
      selfId: self.id,
      start,
      accepts,
      discovered: (peer) => reported.push(peer.port),
      query: (peer, request, handler, tag) =>
        queue.push(() => {
          const response = answer(world, peer, request, 20);
          if (!finished && response?.type === 'NODES') for (const c of response.contacts) named.add(c.port);
          handler.answered(tag, response);
        }),
    },
    () => (finished = true),
  );
  while (queue.length > 0) queue.shift()!();
  assert.ok(finished);
  assert.equal(new Set(reported).size, reported.length, 'no peer reported twice');
  const expected = [...named].filter((port) => accepts(world.peers[port - 1]) && port !== self.port && !start.some((s) => s.port === port));
  assert.deepEqual(
    [...reported].sort((a, b) => a - b),
    expected.sort((a, b) => a - b),
  );
  // every answer names the network's 20 closest; a third of them are refused
  assert.ok(reported.length >= 10, `reported ${reported.length}`);
});

test('peers carrying their id prefix (as arena records do) are ordered exactly as by their bytes, ties included', () => {
  // half the peers share their first 60 bits with another peer, so ordering falls back to the bytes
  const world = makeWorld(200, 'w9');
  for (let i = 100; i < 200; i++) world.peers[i].id.set(world.peers[i - 100].id.subarray(0, 8));
  const withPrefix = (peer: Peer): Peer => ({ ...peer, head: idHeadAt(peer.id, 0), next: idNextAt(peer.id, 0) });
  const records = new Map(world.peers.map((p) => [p.port, withPrefix(p)]));
  for (let t = 0; t < 5; t++) {
    const target = world.peers[t * 7].id.slice();
    target[19] ^= 1; // a target near a peer, so the closest ids share long prefixes
    const plain = run(world, { target });
    const carried = run(world, { target, start: world.peers.slice(0, 3).map((p) => records.get(p.port)!) }, (peer, request, done, k) => {
      const response = answer(world, peer, request, k);
      done(response?.type === 'NODES' ? { ...response, contacts: response.contacts.map((c) => records.get(c.port)!) } : response);
    });
    const expected = nearest(world.peers, target, 20).map((p) => p.port);
    assert.deepEqual(
      plain.closest.map((p) => p.port),
      expected,
    );
    assert.deepEqual(
      carried.closest.map((p) => p.port),
      expected,
    );
    assert.equal(carried.queried, plain.queried);
  }
});

test('a peer named again as a fresh copy (as a decoded datagram names it) is recognised by its bytes: asked once', () => {
  // in one process, answers share the arena's records and a repeat is known by identity;
  // over UDP every answer decodes new objects, so a repeat must be found by its id bytes
  const world = makeWorld(300, 'w10');
  for (let i = 150; i < 300; i++) world.peers[i].id.set(world.peers[i - 150].id.subarray(0, 8)); // ties on 60 bits too
  for (let t = 0; t < 5; t++) {
    const target = world.peers[t * 11].id.slice();
    target[19] ^= 1;
    const asked: number[] = [];
    const reported: number[] = [];
    const copy = (c: Peer): Peer => ({ id: c.id.slice(), host: c.host, port: c.port, head: idHeadAt(c.id, 0), next: idNextAt(c.id, 0) });
    const result = run(
      world,
      { target, start: world.peers.slice(0, 3).map(copy), discovered: (peer) => reported.push(peer.port) },
      (peer, request, done, k) => {
        asked.push(peer.port);
        const response = answer(world, peer, request, k);
        done(response?.type === 'NODES' ? { ...response, contacts: response.contacts.map(copy) } : response);
      },
    );
    assert.equal(new Set(asked).size, asked.length, 'no peer asked twice');
    assert.equal(new Set(reported).size, reported.length, 'no peer reported twice');
    const expected = nearest(world.peers, target, 20).map((p) => p.port);
    assert.deepEqual(
      result.closest.map((p) => p.port),
      expected,
    );
  }
});

test('a lookup told of more peers than it keeps still ends with exactly the k closest, each asked once', () => {
  // answers name 60 random peers besides the k closest: the candidate list (64 for k = 20)
  // overflows on nearly every answer, and what it drops must always be the far end
  const world = makeWorld(600, 'w11');
  const random = rng(11);
  for (let t = 0; t < 5; t++) {
    const target = seededBytes(`t-cap-${t}`, 20);
    const asked: number[] = [];
    const named = new Set<number>();
    const result = run(world, { target }, (peer, request, done, k) => {
      asked.push(peer.port);
      const response = answer(world, peer, request, k);
      if (response?.type !== 'NODES') return done(response);
      const noise = Array.from({ length: 60 }, () => world.peers[Math.floor(random() * world.peers.length)]);
      const contacts = [...noise, ...response.contacts];
      for (const c of contacts) named.add(c.port);
      done({ ...response, contacts });
    });
    assert.ok(named.size > 200, `named ${named.size} distinct peers`);
    assert.equal(new Set(asked).size, asked.length, 'no peer asked twice');
    const expected = nearest(world.peers, target, 20).map((p) => p.port);
    assert.deepEqual(
      result.closest.map((p) => p.port),
      expected,
    );
  }
});

test('a lookup that ends with requests in flight keeps its candidates until they settle; lookups meanwhile are unaffected', () => {
  const world = makeWorld(300, 'w-late');
  const target = seededBytes('t-late', 20);
  const held: Array<{ port: number; settle: (answers: boolean) => void }> = [];
  const failed: number[] = [];
  const results: LookupResult[] = [];
  lookup(
    {
      ...baseParams(world, target),
      enough: () => true, // the first answer ends it
      failed: (peer) => failed.push(peer.port),
      query: (peer, request, handler, tag) =>
        held.push({ port: peer.port, settle: (answers) => handler.answered(tag, answers ? answer(world, peer, request, 20) : null) }),
    },
    (r) => results.push(r),
  );
  assert.equal(held.length, 3);
  const answered = held.shift()!;
  answered.settle(true);
  assert.equal(results.length, 1, 'ended with two requests still out');
  assert.deepEqual(
    results[0].closest.map((p) => p.port),
    [answered.port],
  );
  // other lookups run start to end meanwhile: the first one's table is not theirs to take
  for (let t = 0; t < 3; t++) {
    const other = seededBytes(`t-other-${t}`, 20);
    assert.deepEqual(
      run(world, { target: other }).closest.map((p) => p.port),
      nearest(world.peers, other, 20).map((p) => p.port),
    );
  }
  // the late timeouts still name the right peers, and change nothing else
  const late = held.map((h) => h.port);
  for (const h of held) h.settle(false);
  assert.deepEqual(failed, late);
  assert.equal(results.length, 1);
});

test('maxPerIp: no host gives a lookup more candidates than that, in every lookup of a row', () => {
  // six peers on each of 50 IPv4 hosts; the candidate tables are pooled, so the second and
  // third lookups reuse the first one's, whose counts must start again from zero
  const world = makeWorld(300, 'w-ip');
  world.peers.forEach((p, i) => ((p as { host: string }).host = `10.0.0.${i % 50}`));
  for (let t = 0; t < 3; t++) {
    const asked: string[] = [];
    const result = run(world, { target: seededBytes(`t-ip-${t}`, 20), maxPerIp: 2 }, (peer, request, done, k) => {
      asked.push(peer.host);
      done(answer(world, peer, request, k));
    });
    const perHost = new Map<string, number>();
    for (const host of asked) perHost.set(host, (perHost.get(host) ?? 0) + 1);
    assert.ok(Math.max(...perHost.values()) <= 2, `lookup ${t}: at most 2 asked per host`);
    assert.ok(perHost.size >= 10, `lookup ${t}: ${perHost.size} hosts asked`);
    assert.equal(result.closest.length, 20);
  }
});
