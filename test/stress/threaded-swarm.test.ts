// A UDP swarm over worker threads: shares, seeds, orders to nodes in another thread,
// traffic summed across threads, and a worker that cannot bind failing in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createThreadedUdpSwarm, indexInThread, shareSizes, threadOf, threadSeed } from '../../src/stress/threaded-swarm.js';
import type { JoinResult, StoreResult } from '../../src/node/kademlia-node.js';
import type { Swarm } from '../../src/stress/swarm.js';
import { keyFromString } from '../../src/id/id.js';
import { backend } from '../../src/distance/index.js';
import { chooseUdpIo } from '../../src/net/udp-socket-group.js';
import { tempDir } from '../helpers/temp-dir.js';

// The backend's choice: the native socket set on the native backend, dgram on TS.
const io = chooseUdpIo(backend);

test('shares cover every node once, differ by at most one, and never outnumber the nodes', () => {
  for (const [nodes, threads] of [
    [10_000, 2],
    [301, 3],
    [5, 8],
    [2, 2],
    [7, 1],
  ]) {
    const sizes = shareSizes(nodes, threads);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      nodes,
    );
    assert.equal(sizes.length, Math.min(nodes, threads));
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${nodes}/${threads}: ${sizes}`);
  }
  // node i lives in thread i % threads, so operations started in node order alternate threads
  for (const [nodes, threads] of [
    [301, 3],
    [10, 2],
  ]) {
    const sizes = shareSizes(nodes, threads);
    const seen = sizes.map(() => new Set<number>());
    for (let i = 0; i < nodes; i++) seen[threadOf(threads, i)].add(indexInThread(threads, i));
    seen.forEach((places, t) =>
      assert.deepEqual(
        [...places].sort((a, b) => a - b),
        [...Array(sizes[t]).keys()],
        `thread ${t} of ${threads}`,
      ),
    );
  }
  assert.equal(threadOf(2, 0), 0, 'node 0, the entry, is in the main thread');
  assert.equal(threadSeed(7, 0), 7, 'thread 0 keeps the run seed: its node ids match a one-thread run');
  const seeds = new Set([0, 1, 2, 3].map((t) => threadSeed(7, t)));
  assert.equal(seeds.size, 4);
});

const joinNode = (swarm: Swarm, i: number) => new Promise<JoinResult>((resolve) => swarm.join(i, swarm.entry.address, resolve));
const publish = (swarm: Swarm, i: number, key: string) =>
  new Promise<StoreResult>((resolve) => swarm.publish(i, keyFromString(key), new TextEncoder().encode(`v-${key}`), resolve));

test('nodes in a worker thread join, publish and stop on orders from this one', { timeout: 60_000 }, async () => {
  const swarm = await createThreadedUdpSwarm({ nodes: 40, seed: 3, node: {}, host: '127.0.0.1', basePort: 0, threads: 2, io });
  try {
    assert.equal(swarm.size, 40);
    assert.equal(swarm.nodes.length, 20, 'half the nodes live here');
    for (let i = 1; i < 40; i++) assert.equal((await joinNode(swarm, i)).ok, true, `node ${i} joined`);
    const stored = await publish(swarm, 33, 'from-the-worker');
    assert.ok(stored.replicas >= 10, `replicas ${stored.replicas}`);
    const found = await swarm.drive<Uint8Array | null>((done) =>
      swarm.entry.findValue(keyFromString('from-the-worker'), (r) => done(r.value)),
    );
    assert.equal(new TextDecoder().decode(found!), 'v-from-the-worker');

    // findValue reports before the STORE that caches the value on the path is answered: let it land
    await swarm.runUntil(() => swarm.entry.stats().requestsInFlight === 0);
    await swarm.refreshTraffic();
    const before = swarm.traffic();
    assert.ok(before.messages > 40 * 10, `messages ${before.messages}`);
    assert.equal(before.dropped, 0, 'what one thread sends, the other receives: counted once, summed across threads');

    // a worker node answers until it is stopped; then a request to it times out
    const address = workerAddress(swarm);
    const ping = () => swarm.drive<boolean>((done) => swarm.entry.ping(address, done));
    assert.equal(await ping(), true);
    for (let i = 1; i < 40; i += 2) swarm.stop(i); // the odd nodes: the worker's
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await ping(), false);
  } finally {
    swarm.close();
  }
});

/** A port in the worker's share: the entry knows it from the joins. */
/** The address of a node the worker thread hosts (one the entry knows). */
function workerAddress(swarm: Swarm): { host: string; port: number } {
  const local = new Set(swarm.nodes.map((n) => n.address.port));
  const arena = swarm.entry['arena'];
  const contacts = swarm.entry['table'].closestContacts(swarm.entry.id, 40).map((c) => ({ host: arena.host(c), port: arena.port(c) }));
  const remote = contacts.find((a) => !local.has(a.port));
  assert.ok(remote !== undefined, 'the entry knows a node of the worker thread');
  return remote;
}

test('a port in use in a worker share fails the swarm in one line and frees every socket', { timeout: 60_000 }, async () => {
  // 6 nodes over 2 threads on ports taken-3 .. taken+2, node g on 127.0.0.(1 + g); the worker
  // hosts the odd nodes, node 3 among them: at 127.0.0.4:taken
  const blocker = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.4', resolve));
  const taken = blocker.address().port;
  const basePort = taken - 3;
  try {
    await assert.rejects(createThreadedUdpSwarm({ nodes: 6, seed: 1, node: {}, host: '127.0.0.1', basePort, threads: 2, io }), {
      message: `cannot listen on 127.0.0.4:${taken}: address already in use`,
    });
  } finally {
    blocker.close();
  }
  // the main thread's share was closed again: its ports bind
  const again = await createThreadedUdpSwarm({ nodes: 6, seed: 1, node: {}, host: '127.0.0.1', basePort, threads: 2, io });
  assert.equal(again.size, 6);
  again.close();
});

test('a process that ends while a worker thread still closes its sockets exits cleanly', { timeout: 120_000 }, () => {
  // The worker's socket closes used to throw into a terminating thread: an abort (exit 134) in 1 of ~6 runs.
  const script = `
    import { createThreadedUdpSwarm } from ${JSON.stringify(new URL('../../src/stress/threaded-swarm.js', import.meta.url).href)};
    const swarm = await createThreadedUdpSwarm({ nodes: 4000, seed: 1, node: {}, host: '127.0.0.1', basePort: 0, threads: 2, io: ${JSON.stringify(io)} });
    swarm.close();
    process.exit(0);`;
  const file = join(tempDir('test'), 'close-and-exit.mjs'); // workers would inherit --eval
  writeFileSync(file, script);
  for (let run = 0; run < 8; run++) {
    // a child that hangs on exit is killed and fails the test, rather than blocking this file (spawnSync holds the event loop)
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    assert.equal(child.status, 0, `run ${run}: exit ${child.status} ${child.signal ?? ''}\n${child.stderr.slice(0, 400)}`);
  }
});
