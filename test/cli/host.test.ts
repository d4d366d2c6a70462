// Several processes form one DHT: a single CLI node and two `kademlia host` processes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayStats } from '../../src/gateway/stats.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const started: CliProcess[] = [];
after(() => started.forEach((p) => p.kill()));
const track = (p: CliProcess) => (started.push(p), p);

test('two host processes and a CLI node are one network', { timeout: 60_000 }, async () => {
  const entry = track(await CliProcess.node());
  const hostA = track(CliProcess.spawn(['host', '--nodes', '25', '-r', entry.address, '--no-progress']));
  const hostB = track(CliProcess.spawn(['host', '--nodes', '25', '-r', entry.address, '--no-progress', '--http', '127.0.0.1:0']));
  for (const h of [hostA, hostB]) {
    await h.until(() => h.stderr.some((l) => /^joined through .*: 25 of 25 nodes$/.test(l)), 30_000, 'host joined');
    assert.match(
      h.stderr[0],
      /^kademlia host: 25 nodes on 127\.0\.0\.1:\d+\.\.127\.0\.0\.25:\d+ \(protocol: kadswarm, backend: (native|ts), UDP I\/O: (native|dgram)\)$/,
    );
  }

  hostA.send('I shared across processes');
  assert.match(await hostA.line(0), /^Stored shared on 20 nodes$/, '51 nodes in all: the 20 closest hold it');
  hostB.send('G shared');
  assert.equal(await hostB.line(0), 'across processes');
  entry.send('G shared');
  assert.equal(await entry.line(0), 'across processes');
  entry.send('I from-entry value');
  assert.match(await entry.line(1), /^Stored from-entry on 20 nodes$/);
  hostB.send('G from-entry');
  assert.equal(await hostB.line(1), 'value');
  hostA.send('G nobody-stored-this');
  assert.equal(await hostA.line(1), 'Not found');
  // hostB's gateway: its 25 nodes, gets and puts through its first node
  const stats = (await (await fetch(`${hostB.gatewayUrl}/v1/stats`)).json()) as GatewayStats;
  assert.equal(stats.kind, 'host');
  assert.deepEqual(stats.nodes, { total: 25, alive: 25 });
  assert.equal(stats.phase.name, 'serving');
  assert.equal(await (await fetch(`${hostB.gatewayUrl}/v1/keys/shared`)).text(), 'across processes');
  assert.equal((await fetch(`${hostB.gatewayUrl}/v1/keys/via-http`, { method: 'PUT', body: 'put over http' })).status, 201);
  entry.send('G via-http');
  assert.equal(await entry.line(2), 'put over http');

  hostA.send('Q');
  assert.equal(await hostA.exitCode(), 0);
  // hostA's 25 nodes are gone; the rest still find what hostA stored (replicas elsewhere)
  hostB.send('G shared');
  assert.equal(await hostB.line(2, 15_000), 'across processes');
  hostB.child.kill('SIGTERM');
  assert.equal(await hostB.exitCode(), 0);
  entry.send('Q');
  assert.equal(await entry.exitCode(), 0);
});

test('--http on an address already in use: one line, exit 2', async () => {
  const first = track(await CliProcess.node(['--http', '127.0.0.1:0']));
  await first.until(() => first.gatewayUrl !== '', 10_000, 'the gateway line');
  const taken = new URL(first.gatewayUrl).port;
  for (const args of [
    ['-l', '127.0.0.1:0', '--http', `127.0.0.1:${taken}`],
    ['stress', '--nodes', '10', '--transport', 'sim', '--http', `127.0.0.1:${taken}`],
    ['-l', '127.0.0.1:0', '--http', 'nowhere'],
  ]) {
    const p = track(CliProcess.spawn(args));
    assert.equal(await p.exitCode(), 2, args.join(' '));
    assert.match(p.stderr[p.stderr.length - 1], /^kademlia: --http/, p.stderr.join(' | '));
  }
});

test('host needs -r, and refuses bad flags in one line', async () => {
  for (const args of [
    ['host'],
    ['host', '-r', 'nowhere'],
    ['host', '-r', '127.0.0.1:9', '--nodes', '0'],
    ['host', '-r', '127.0.0.1:9', '--base-port', '65530', '--nodes', '10'],
  ]) {
    const p = track(CliProcess.spawn(args));
    assert.equal(await p.exitCode(), 2, args.join(' '));
    assert.equal(p.stderr.length, 1, p.stderr.join(' | '));
  }
});

test('host --state DIR: each node keeps its id and what it published across a restart', { timeout: 60_000 }, async () => {
  const dir = tempDir('host-state');
  const entry = track(await CliProcess.node());
  const basePort = 20_000 + (process.pid % 20_000);
  const args = ['host', '--nodes', '4', '-r', entry.address, '--base-port', String(basePort), '--state', dir, '--no-progress'];
  const first = track(CliProcess.spawn(args));
  await first.until(() => first.stderr.some((l) => l.startsWith('joined through')), 20_000, 'host joined');
  assert.ok(
    first.stderr.some((l) => /no saved state in .*node-0\.json yet: starting fresh \(and 3 more nodes\)/.test(l)),
    first.stderr.join(' | '),
  );
  first.send('I hosted kept');
  assert.match(await first.line(0), /^Stored hosted on 5 nodes$/);
  first.send('Q');
  assert.equal(await first.exitCode(), 0);
  const ids = [0, 1, 2, 3].map((i) => JSON.parse(readFileSync(join(dir, `node-${i}.json`), 'utf8')).id as string);
  assert.equal(new Set(ids).size, 4);

  const again = track(CliProcess.spawn(args));
  await again.until(() => again.stderr.some((l) => l.startsWith('joined through')), 20_000, 'host rejoined');
  assert.ok(again.stderr.includes(`restoring 4 nodes of 4 from ${dir}`), again.stderr.join(' | '));
  again.send('G hosted');
  assert.equal(await again.line(0), 'kept');
  again.send('Q');
  assert.equal(await again.exitCode(), 0);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => JSON.parse(readFileSync(join(dir, `node-${i}.json`), 'utf8')).id as string),
    ids,
    'the same ids',
  );
  entry.send('Q');
});
