// Who may use the gateway: Host and Origin checks, the bearer token for writes, the
// header limit, DELETE, items, and the bound on published values. An in-process gateway
// over a small simulated network.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { type Gateway, startGateway } from '../../src/gateway/gateway.js';
import { MAX_HEADERS } from '../../src/gateway/access.js';
import type { GatewayTarget } from '../../src/gateway/target.js';
import { Telemetry } from '../../src/telemetry/telemetry.js';
import { createNetwork, type Sim } from '../helpers/sim.js';

const TOKEN = 'correct horse battery staple';
let sim: Sim;
let gateway: Gateway;
let open: Gateway;

/** The sim's node 0 as a gateway target: operations run virtual time until they finish. */
function simTarget(s: Sim): GatewayTarget {
  return {
    kind: 'node',
    nodes: s.nodes,
    entry: s.nodes[0],
    drive: <T>(start: (done: (result: T) => void) => void) => Promise.resolve(s.settle<T>(start)),
    now: () => s.clock.now(),
    dropped: () => 0,
  };
}

before(async () => {
  sim = createNetwork(25, { node: { maxPublished: 3 } });
  gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    target: simTarget(sim),
    telemetry: new Telemetry(),
    token: TOKEN,
    allowedHosts: ['dht.example'],
  });
  open = await startGateway({ host: '127.0.0.1', port: 0, target: simTarget(sim), telemetry: new Telemetry() });
});

after(() => {
  gateway.close();
  open.close();
});

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function send(g: Gateway, method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: g.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

test('writes need the bearer token; reads do not', async () => {
  assert.equal((await send(gateway, 'PUT', '/v1/keys/k1', {}, 'v')).status, 401);
  const wrong = await send(gateway, 'PUT', '/v1/keys/k1', { authorization: 'Bearer not the token at all' }, 'v');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers['www-authenticate'], 'Bearer');
  assert.equal((await send(gateway, 'PUT', '/v1/keys/k1', auth, 'v')).status, 201);
  assert.equal((await send(gateway, 'GET', '/v1/keys/k1')).body, 'v');
  assert.equal((await send(gateway, 'DELETE', '/v1/keys/k1')).status, 401);
  assert.equal((await send(open, 'GET', '/v1/keys/k1')).status, 200, 'a loopback gateway without a token takes reads and writes');
});

test('a Host that is not an IP, localhost or an allowed name is refused (DNS rebinding)', async () => {
  const rebinding = await send(gateway, 'GET', '/v1/stats', { host: 'attacker.example:8080' });
  assert.equal(rebinding.status, 403);
  assert.match(rebinding.body, /^host "attacker\.example" is not allowed/);
  for (const host of [`127.0.0.1:${gateway.port}`, `localhost:${gateway.port}`, 'dht.example', 'DHT.example:80', '[::1]:1']) {
    assert.equal((await send(gateway, 'GET', '/v1/stats', { host })).status, 200, host);
  }
});

test("an Origin other than the gateway's own is refused, for HTTP and for the event stream", async () => {
  const own = `http://127.0.0.1:${gateway.port}`;
  assert.equal((await send(gateway, 'GET', '/v1/stats', { origin: 'https://evil.example' })).status, 403);
  assert.equal((await send(gateway, 'GET', '/v1/stats', { origin: 'null' })).status, 403);
  assert.equal((await send(gateway, 'GET', '/v1/stats', { origin: own })).status, 200);
  const events = (origin: string) =>
    new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/v1/events`, { origin });
      ws.on('message', () => {
        ws.close();
        resolve('open');
      });
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => resolve('error'));
    });
  assert.equal(await events('https://evil.example'), '403');
  assert.equal(await events(own), 'open');
});

test(`more than ${MAX_HEADERS} headers get 431`, async () => {
  const headers: Record<string, string> = {};
  for (let i = 0; i < MAX_HEADERS + 2; i++) headers[`x-h${i}`] = 'v';
  const answer = await send(gateway, 'GET', '/v1/stats', headers);
  assert.equal(answer.status, 431);
});

test('DELETE stops republishing a key; the node publishes at most maxPublished values', async () => {
  const entry = sim.nodes[0];
  for (const key of ['a', 'b', 'c']) await send(gateway, 'PUT', `/v1/keys/bound-${key}`, auth, key);
  assert.equal(entry.stats().published, 3);
  const over = await send(gateway, 'PUT', '/v1/keys/bound-d', auth, 'd');
  assert.equal(over.status, 507);
  assert.equal(over.body, 'not stored: publish limit reached (3 values): unpublish one first\n');
  const deleted = await send(gateway, 'DELETE', '/v1/keys/bound-a', auth);
  assert.deepEqual([deleted.status, JSON.parse(deleted.body)], [200, { key: 'bound-a', unpublished: true }]);
  assert.equal((await send(gateway, 'DELETE', '/v1/keys/bound-a', auth)).status, 404);
  assert.equal((await send(gateway, 'PUT', '/v1/keys/bound-d', auth, 'd')).status, 201, 'room again');
  for (const key of ['b', 'c', 'd']) await send(gateway, 'DELETE', `/v1/keys/bound-${key}`, auth);
});

test('items: an immutable PUT answers its target; a mutable one is signed by the node key; GET finds both', async () => {
  const put = await send(gateway, 'PUT', '/v1/items', auth, 'hello world');
  assert.equal(put.status, 201);
  const { target } = JSON.parse(put.body) as { target: string };
  // BEP 44: SHA-1 of the value bencoded as a byte string
  assert.equal(target, createHash('sha1').update('11:hello world').digest('hex'));
  const got = await send(gateway, 'GET', `/v1/items/${target}`);
  assert.deepEqual([got.status, got.body], [200, 'hello world']);
  const mutable = await send(gateway, 'PUT', '/v1/items?seq=4&salt=profile', auth, 'v4');
  assert.equal(mutable.status, 201);
  const item = JSON.parse(mutable.body) as { target: string; public_key: string; seq: number };
  const publicKey = Buffer.from(sim.nodes[0].key.publicKey).toString('hex');
  assert.equal(item.public_key, publicKey);
  assert.equal(item.target, createHash('sha1').update(sim.nodes[0].key.publicKey).update('profile').digest('hex'));
  const read = await send(gateway, 'GET', `/v1/items/${item.target}`);
  assert.deepEqual([read.body, read.headers['x-kadswarm-seq'], read.headers['x-kadswarm-public-key']], ['v4', '4', publicKey]);
  assert.equal((await send(gateway, 'PUT', '/v1/items?seq=3&salt=profile', auth, 'v3')).status, 503, 'a lower seq is refused');
  assert.equal((await send(gateway, 'GET', '/v1/items/XYZ')).status, 400);
  assert.equal((await send(gateway, 'PUT', '/v1/items?salt=x', auth, 'v')).status, 400);
  assert.equal((await send(gateway, 'PUT', '/v1/items?seq=1&color=red', auth, 'v')).status, 400);
  for (const t of [target, item.target]) sim.nodes[0].unpublish(Buffer.from(t, 'hex'));
});

test('peers (BEP 5): PUT announces through node 0 with the token; GET lists them; bad input is a 400', async () => {
  const infoHash = 'ab'.repeat(20);
  assert.equal((await send(gateway, 'GET', `/v1/peers/${infoHash}`)).status, 404, 'none announced yet');
  assert.equal((await send(gateway, 'PUT', `/v1/peers/${infoHash}?port=6881`)).status, 401, 'a write needs the token');
  const put = await send(gateway, 'PUT', `/v1/peers/${infoHash}?port=6881`, auth);
  assert.equal(put.status, 201, put.body);
  assert.equal(JSON.parse(put.body).announced, 20);
  const got = await send(gateway, 'GET', `/v1/peers/${infoHash}`);
  assert.equal(got.status, 200);
  assert.deepEqual(JSON.parse(got.body).peers, [`${sim.nodes[0].address.host}:6881`]);
  for (const [method, path, status] of [
    ['GET', '/v1/peers/ABCD', 400],
    ['PUT', `/v1/peers/${infoHash}`, 400],
    ['PUT', `/v1/peers/${infoHash}?port=70000`, 400],
    ['PUT', `/v1/peers/${infoHash}?port=1&x=2`, 400],
    ['DELETE', `/v1/peers/${infoHash}`, 405],
  ] as const)
    assert.equal((await send(gateway, method, path, auth)).status, status, `${method} ${path}`);
});

test('a gateway off loopback without a token refuses to start', async () => {
  await assert.rejects(startGateway({ host: '0.0.0.0', port: 0, target: simTarget(sim), telemetry: new Telemetry() }), {
    message: 'a gateway on 0.0.0.0 (not loopback) needs a token for writes: give --http-token or set KADSWARM_HTTP_TOKEN',
  });
  await assert.rejects(startGateway({ host: '127.0.0.1', port: 0, target: simTarget(sim), telemetry: new Telemetry(), token: 'short' }), {
    message: 'token must be a string of at least 16 characters',
  });
});
