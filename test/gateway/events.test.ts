// WS /v1/events from an in-process gateway: one event per phase change, as it happens,
// between the once-a-second stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startGateway } from '../../src/gateway/gateway.js';
import { swarmTarget } from '../../src/stress/swarm-target.js';
import { createSimSwarm } from '../../src/stress/sim-swarm.js';
import { Telemetry } from '../../src/telemetry/telemetry.js';

test('every phase change is pushed to event subscribers at once', { timeout: 20_000 }, async () => {
  const swarm = createSimSwarm({ nodes: 5, seed: 1, node: {}, latencyMs: [10, 10], loss: 0 });
  const telemetry = new Telemetry();
  const gateway = await startGateway({ host: '127.0.0.1', port: 0, target: swarmTarget('stress', swarm), telemetry });
  try {
    const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/events`);
    const events: Array<{ type: string; phase?: { name: string; total: number }; stats?: { nodes: { total: number } } }> = [];
    const arrived = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (events.length >= count ? resolve() : setTimeout(check, 10));
        setTimeout(() => reject(new Error(`only ${events.length} events`)), 5000);
        check();
      });
    ws.on('message', (data) => events.push(JSON.parse(String(data))));
    await arrived(1);
    assert.equal(events[0].type, 'stats', 'a snapshot on connect');
    assert.equal(events[0].stats?.nodes.total, 5);
    const before = events.length;
    const sentAt = performance.now();
    telemetry.setPhase('join', 4);
    telemetry.setPhase('store', 5);
    await arrived(before + 2);
    assert.ok(performance.now() - sentAt < 500, 'pushed right away, not with the next stats tick');
    const phases = events.filter((e) => e.type === 'phase').map((e) => `${e.phase?.name}/${e.phase?.total}`);
    assert.deepEqual(phases, ['join/4', 'store/5']);
    ws.close();
  } finally {
    gateway.close();
    swarm.close();
  }
});
