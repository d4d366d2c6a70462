import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { MemoryNetwork } from '../../src/net/memory-network.js';
import { SeededRandom } from '../../src/util/random.js';

function traffic(seed: number, loss: number) {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock, { latencyMs: [10, 50], loss, random: new SeededRandom(seed) });
  const a = network.createTransport();
  const b = network.createTransport();
  const arrivals: number[] = [];
  b.onDatagram((datagram, from) => {
    assert.deepEqual(from, a.local);
    arrivals.push(clock.now() * 1000 + datagram[0]);
  });
  for (let i = 0; i < 1000; i++) a.send(b.local, new Uint8Array([i % 256]));
  clock.advance(100);
  return { arrivals, counters: network.counters };
}

test('latency stays in range and the same seed gives the same run', () => {
  const first = traffic(7, 0);
  assert.equal(first.arrivals.length, 1000);
  for (const t of first.arrivals) assert.ok(t >= 10_000 && t <= 50_000 + 255);
  assert.deepEqual(traffic(7, 0).arrivals, first.arrivals);
  assert.notDeepEqual(traffic(8, 0).arrivals, first.arrivals);
});

test('loss drops about the given fraction', () => {
  const { arrivals, counters } = traffic(3, 0.2);
  assert.ok(counters.lost > 150 && counters.lost < 250, `lost ${counters.lost}`);
  assert.equal(arrivals.length + counters.lost, 1000);
});

test('datagrams to a closed endpoint are undeliverable, not errors', () => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock);
  const a = network.createTransport();
  const b = network.createTransport();
  b.close();
  a.send(b.local, new Uint8Array([1]));
  clock.advance(100);
  assert.equal(network.counters.undeliverable, 1);
  assert.throws(() => network.createTransport(a.local.port), /in use/);
  assert.throws(() => new MemoryNetwork(clock, { loss: 1 }), RangeError);
});

test('carrying messages: the message itself arrives; a bytes-only endpoint gets it encoded', async () => {
  const { encodeMessage } = await import('../../src/protocol/codec.js');
  const clock = new VirtualClock();
  const network = new MemoryNetwork(clock, { latencyMs: [5, 5], carryMessages: true });
  const a = network.createTransport();
  const b = network.createTransport();
  const c = network.createTransport();
  assert.ok(a.sendMessage && a.onMessage, 'message-carrying endpoints offer sendMessage/onMessage');
  assert.equal(new MemoryNetwork(clock).createTransport().sendMessage, undefined, 'byte endpoints do not');
  const message = { requestId: new Uint8Array(8).fill(1), sender: new Uint8Array(20).fill(2), body: { type: 'PING' as const } };
  const got: unknown[] = [];
  b.onMessage!((m, from) => got.push([m, from.port]));
  const bytes: Uint8Array[] = [];
  c.onDatagram((d) => bytes.push(d));
  a.sendMessage!(b.local, message);
  a.sendMessage!(c.local, message);
  a.send(c.local, new Uint8Array([9]));
  clock.advance(5);
  assert.equal(got.length, 1);
  assert.equal((got[0] as unknown[])[0], message, 'not copied');
  assert.equal((got[0] as unknown[])[1], a.local.port);
  assert.deepEqual(bytes, [encodeMessage(message), new Uint8Array([9])]);
  assert.equal(network.counters.delivered, 3);
});

test('an unknown or out-of-range network option is refused by name', () => {
  const clock = new VirtualClock();
  assert.throws(() => new MemoryNetwork(clock, { latency: [1, 2] } as never), {
    name: 'TypeError',
    message: /^unknown network option "latency" \(known: latencyMs, loss, random, carryMessages, remote\)$/,
  });
  assert.throws(() => new MemoryNetwork(clock, { loss: 1 }), { name: 'RangeError', message: 'loss must be in [0, 1)' });
  assert.throws(() => new MemoryNetwork(clock, { latencyMs: [5, 1] }), { name: 'RangeError' });
});
