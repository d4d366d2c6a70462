// The gateway against a live node process (`kademlia -l ... --http ...`): every route,
// the error cases, junk on the socket, and a WebSocket client receiving events. All of it
// twice: on uWebSockets.js's native server and on its JS fallback (UWS_USE_FALLBACK=1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { GatewayStats } from '../../src/gateway/stats.js';
import { MAX_VALUE_BYTES } from '../../src/protocol/codec.js';
import { CliProcess } from '../helpers/cli-process.js';

function gatewaySuite(fallback: boolean): void {
  const env = fallback ? { UWS_USE_FALLBACK: '1' } : {};
  let node: CliProcess;
  let url: string;

  before(async () => {
    node = await CliProcess.node(['--http', '127.0.0.1:0'], env);
    await node.until(() => node.gatewayUrl !== '', 10_000, 'the gateway line');
    url = node.gatewayUrl;
  });

  after(() => node.child.kill('SIGTERM'));

  const request = (path: string, init?: RequestInit) => fetch(`${url}${path}`, init);

  test('the startup line says which uWebSockets.js server runs', () => {
    const expected = fallback ? 'JS fallback' : 'native server';
    assert.ok(
      node.stderr.some((line) => line.startsWith('gateway: http://127.0.0.1:') && line.endsWith(`(uWebSockets.js ${expected})`)),
      node.stderr.join('\n'),
    );
  });

  test('PUT stores (201, replicas) and GET returns the value; a missing key is 404', async () => {
    const put = await request('/v1/keys/greeting', { method: 'PUT', body: 'hello, world' });
    assert.equal(put.status, 201);
    assert.deepEqual(await put.json(), { key: 'greeting', replicas: 1, attempted: 1 });
    const get = await request('/v1/keys/greeting');
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'hello, world');
    const missing = await request('/v1/keys/never-stored');
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'not found: never-stored\n');
  });

  test('keys are percent-decoded UTF-8 and values are raw bytes; the CLI sees the same store', async () => {
    const value = new Uint8Array([0, 255, 10, 13, 7, 128]);
    assert.equal((await request(`/v1/keys/${encodeURIComponent('clé à/ü')}`, { method: 'PUT', body: value })).status, 201);
    const got = await request(`/v1/keys/${encodeURIComponent('clé à/ü')}`);
    assert.deepEqual(new Uint8Array(await got.arrayBuffer()), value);
    await request('/v1/keys/shared', { method: 'PUT', body: 'from http' });
    const seen = node.stdout.length;
    node.send('G shared');
    await node.until(() => node.stdout.length > seen, 5000, 'the CLI answer');
    assert.equal(node.stdout[seen], 'from http');
  });

  test('bad input gets a 4xx with one line, and nothing is lost', async () => {
    const oneLine = async (response: Response, status: number, pattern: RegExp) => {
      assert.equal(response.status, status);
      const body = await response.text();
      assert.match(body, pattern);
      assert.equal(body.split('\n').length, 2, `one line: ${JSON.stringify(body)}`);
    };
    await request('/v1/keys/keep', { method: 'PUT', body: 'kept' });
    await oneLine(await request(`/v1/keys/${'k'.repeat(513)}`), 400, /^key too long \(513 bytes; the limit is 512\)/);
    await oneLine(await request('/v1/keys/%E0%A4%A'), 400, /^bad key: not valid percent-encoded UTF-8/);
    await oneLine(await request('/v1/keys/big', { method: 'PUT', body: new Uint8Array(MAX_VALUE_BYTES + 1) }), 413, /^value too large/);
    await oneLine(await request('/v1/keys/empty', { method: 'PUT', body: '' }), 400, /^empty value/);
    const post = await request('/v1/keys/keep', { method: 'POST', body: 'x' });
    assert.equal(post.headers.get('allow'), 'GET, PUT, DELETE');
    await oneLine(post, 405, /^method not allowed/);
    await oneLine(await request('/v1/stats', { method: 'DELETE' }), 405, /^method not allowed \(use GET\)/);
    await oneLine(await request('/v2/whatever'), 404, /^no such route: GET \/v2\/whatever/);
    await oneLine(await request('/v1/keys/'), 404, /^no such route/);
    // the largest value that fits is accepted
    assert.equal((await request('/v1/keys/biggest', { method: 'PUT', body: new Uint8Array(MAX_VALUE_BYTES).fill(65) })).status, 201);
    assert.equal((await (await request('/v1/keys/biggest')).arrayBuffer()).byteLength, MAX_VALUE_BYTES);
    assert.equal(await (await request('/v1/keys/keep')).text(), 'kept');
  });

  test('junk bytes on the socket are refused and the gateway keeps serving', async () => {
    const { port } = new URL(url);
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0xde, 0xad])),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.setTimeout(3000, () => socket.destroy());
    });
    assert.ok(reply === '' || /^HTTP\/1\.1 4\d\d/.test(reply), `refused: ${JSON.stringify(reply.slice(0, 40))}`);
    assert.equal((await request('/v1/keys/greeting')).status, 200);
  });

  test('GET /v1/stats has the node, message, lookup, latency, storage and phase figures', async () => {
    const stats = (await (await request('/v1/stats')).json()) as GatewayStats;
    assert.equal(stats.kind, 'node');
    assert.ok(['native', 'ts'].includes(stats.backend));
    assert.deepEqual(stats.nodes, { total: 1, alive: 1 });
    for (const field of ['in', 'out', 'dropped', 'per_s'] as const) assert.equal(typeof stats.messages[field], 'number');
    assert.ok(stats.lookups >= 1);
    assert.equal(stats.internal_errors, 0);
    assert.ok(stats.latency_ms.hit.count >= 1 && stats.latency_ms.miss.count >= 1, 'gets through the gateway are measured');
    assert.ok(stats.hops.histogram[0] >= 2, 'local answers have 0 hops');
    assert.ok(stats.storage.entries >= 3 && stats.storage.bytes > MAX_VALUE_BYTES);
    assert.equal(stats.phase.name, 'serving');
    assert.equal(stats.time_basis, 'wall', 'a real node times gets in real time');
    assert.ok(stats.rss_mb > 10);
  });

  test('GET /metrics is Prometheus text with HELP and TYPE for counters, gauges and histograms', async () => {
    const response = await request('/metrics');
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    assert.match(body, /# HELP kadswarm_messages_sent_total .+\n# TYPE kadswarm_messages_sent_total counter\n/);
    assert.match(body, /# TYPE kadswarm_nodes_alive gauge\nkadswarm_nodes_alive 1\n/);
    assert.match(body, /# TYPE kadswarm_internal_errors_total counter\nkadswarm_internal_errors_total 0\n/);
    assert.match(body, /# TYPE kadswarm_get_duration_seconds histogram\n/);
    assert.match(body, /kadswarm_get_duration_seconds_count\{result="hit",clock="wall"\} [1-9]/);
    assert.match(body, /kadswarm_get_hops_bucket\{le="0"\} [1-9]/);
    assert.match(body, /kadswarm_phase_progress_ratio\{phase="serving"\} 0/);
  });

  test('WS /v1/events sends stats at once and then at least every second', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/events`);
    const arrivals: number[] = [];
    const events: Array<{ type: string; stats?: { nodes: { alive: number } } }> = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        arrivals.push(performance.now());
        events.push(JSON.parse(String(data)));
        if (events.length === 3) resolve();
      });
      ws.on('error', reject);
      setTimeout(() => reject(new Error(`only ${events.length} events in 5 s`)), 5000);
    });
    ws.close();
    assert.ok(events.every((e) => e.type === 'stats' && e.stats?.nodes.alive === 1));
    assert.ok(arrivals[2] - arrivals[1] < 1600, `stats every second (gap ${Math.round(arrivals[2] - arrivals[1])} ms)`);
  });

  test("another site's page cannot open the event stream (Origin), nor reach it by a DNS name (Host)", async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/events`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', (error) => resolve(error.message));
      });
    assert.equal(await attempt({ origin: 'https://evil.example' }), '403');
    assert.equal(await attempt({ host: 'rebound.example' }), '403');
    assert.equal(await attempt({ origin: url }), 'open');
  });

  test('the dashboard and its assets are served locally', async () => {
    const page = await (await request('/')).text();
    assert.match(page, /<script src="\/uPlot\.iife\.min\.js"><\/script>/);
    assert.doesNotMatch(page, /https?:\/\//, 'no CDN: nothing outside this server');
    for (const asset of ['/dashboard.js', '/dashboard.css', '/uPlot.iife.min.js', '/uPlot.min.css']) {
      const response = await request(asset);
      assert.equal(response.status, 200, asset);
      assert.ok((await response.text()).length > 100, asset);
    }
  });
}

describe('on the native server', () => gatewaySuite(false));
describe('on the JS fallback', () => gatewaySuite(true));

test('startGateway refuses bad options by name, before it listens', async () => {
  const { startGateway, nodeTarget, Telemetry } = await import('../../src/gateway/index.js');
  const { KademliaNode, MemoryNetwork, VirtualClock } = await import('../../src/index.js');
  const clock = new VirtualClock();
  const node = new KademliaNode(new MemoryNetwork(clock).createTransport(), clock);
  const good = { host: '127.0.0.1', port: 0, target: nodeTarget(node, () => 0), telemetry: new Telemetry() };
  await assert.rejects(startGateway({ ...good, hots: 'x' } as never), { name: 'TypeError', message: /^unknown gateway option "hots"/ });
  await assert.rejects(startGateway({ ...good, port: 70_000 }), {
    name: 'RangeError',
    message: 'port must be an integer from 0 to 65535 (got 70000)',
  });
  await assert.rejects(startGateway({ ...good, host: '' }), { name: 'TypeError', message: 'host must be a non-empty string' });
  await assert.rejects(startGateway({ ...good, target: {} as never }), { name: 'TypeError', message: /^target must be a GatewayTarget/ });
  await assert.rejects(startGateway({ ...good, telemetry: {} as never }), { name: 'TypeError', message: 'telemetry must be a Telemetry' });
  assert.throws(() => new Telemetry({ clock: 'virtual' } as never), { name: 'TypeError', message: /^unknown telemetry option "clock"/ });
});
