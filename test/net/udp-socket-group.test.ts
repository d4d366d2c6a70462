// The native socket set behind UdpSocketGroup: it must behave as UdpTransport does
// (delivery, oversized drops, address checks, bind errors, IPv6), read many sockets in
// batches without losing or misrouting a datagram, and let the process exit once its
// last socket is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { chooseUdpIo, UdpSocketGroup } from '../../src/net/udp-socket-group.js';
import { loadNativeAddon } from '../../src/native/binding.js';
import { assertIpv4AddressChecks } from '../helpers/udp-address-checks.js';
import type { Address } from '../../src/net/transport.js';

const loaded = loadNativeAddon();
const skip = loaded.ok && 'UdpSocketSet' in loaded.addon ? false : 'this build has no native socket set (Linux only)';

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('datagrams go both ways on loopback; oversized ones are dropped unread', { skip }, async () => {
  const group = new UdpSocketGroup();
  const a = group.open('127.0.0.1', 0);
  const b = group.open('127.0.0.1', 0);
  try {
    assert.ok(a.local.port > 0 && b.local.port > 0 && a.local.port !== b.local.port);
    const received: Array<{ bytes: number[]; from: Address }> = [];
    b.onDatagram((datagram, from) => received.push({ bytes: Array.from(datagram), from }));
    a.send(b.local, new Uint8Array([1, 2, 3]));
    const raw = dgram.createSocket('udp4');
    raw.send(new Uint8Array(9000), b.local.port, '127.0.0.1');
    raw.send(new Uint8Array([4]), b.local.port, '127.0.0.1');
    await settle(() => received.length >= 2 && b.counters.oversizedIn >= 1);
    raw.close();
    assert.deepEqual(received[0], { bytes: [1, 2, 3], from: { host: '127.0.0.1', port: a.local.port } });
    assert.deepEqual(received[1].bytes, [4]);
    assert.equal(b.counters.oversizedIn, 1);
    assert.equal(b.counters.datagramsIn, 2);
    assert.equal(a.counters.datagramsOut, 1);
    assert.equal(a.copiesOnSend, true);
  } finally {
    a.close();
    b.close();
  }
});

test('a burst to many sockets arrives whole, each datagram at its own socket from its own sender', { skip }, async () => {
  const group = new UdpSocketGroup();
  const sockets = Array.from({ length: 50 }, () => group.open('127.0.0.1', 0));
  const got = new Map<string, number>();
  for (const [i, s] of sockets.entries()) {
    s.onDatagram((datagram, from) => {
      // the bytes say who sent them to whom: [sender, receiver, sequence]
      assert.equal(datagram[1], i, 'delivered to the socket it was sent to');
      assert.equal(from.port, sockets[datagram[0]].local.port, 'from the socket that sent it');
      const key = `${datagram[0]}>${i}`;
      got.set(key, (got.get(key) ?? 0) + 1);
    });
  }
  try {
    // 50 x 49 x 4 = 9,800 datagrams, more than one batch per socket and per wakeup
    for (let round = 0; round < 4; round++) {
      for (const [i, from] of sockets.entries()) {
        for (const [j, to] of sockets.entries()) if (i !== j) from.send(to.local, new Uint8Array([i, j, round, ...new Array(100).fill(7)]));
      }
    }
    const total = () => [...got.values()].reduce((a, b) => a + b, 0);
    await settle(() => total() === 9_800);
    assert.equal(total(), 9_800);
    assert.equal(got.size, 50 * 49);
    for (const count of got.values()) assert.equal(count, 4);
    assert.equal(
      sockets.reduce((sum, s) => sum + s.counters.sendErrors, 0),
      0,
    );
  } finally {
    for (const s of sockets) s.close();
  }
});

test('address checks, bind errors, and sends that cannot go are counted, never thrown', { skip }, async () => {
  const group = new UdpSocketGroup();
  const a = group.open('127.0.0.1', 0);
  try {
    assertIpv4AddressChecks(a);
    assert.throws(() => group.open('127.0.0.1', a.local.port), {
      message: `cannot listen on 127.0.0.1:${a.local.port}: address already in use`,
      code: 'EADDRINUSE',
    });
    assert.throws(() => group.open('localhost', 1), { message: 'localhost is not an IP address' });
    assert.throws(() => group.open('127.0.0.1', 65536), { message: 'port must be 0..65535 (got 65536)' });
    a.send({ host: '127.0.0.1', port: 9 }, new Uint8Array([1])); // nobody there: no throw
    a.send({ host: 'not-an-address', port: 9 }, new Uint8Array([1]));
    a.send({ host: '127.0.0.1', port: 0 }, new Uint8Array([1]));
    assert.equal(a.counters.sendErrors, 2, 'a name and port 0 cannot be sent to');
    assert.equal(a.counters.datagramsOut, 3);
  } finally {
    a.close();
  }
  a.send({ host: '127.0.0.1', port: 9 }, new Uint8Array([1])); // after close: ignored
  assert.equal(a.counters.datagramsOut, 3);
});

test('IPv6 loopback works when the machine has it', { skip }, async (t) => {
  const group = new UdpSocketGroup();
  let v6;
  try {
    v6 = group.open('::1', 0);
  } catch {
    t.skip('no IPv6 loopback here');
    return;
  }
  const other = group.open('::1', 0);
  try {
    let got: { bytes: number[]; from: Address } | undefined;
    other.onDatagram((d, from) => (got = { bytes: Array.from(d), from }));
    v6.send(other.local, new Uint8Array([6]));
    await settle(() => got !== undefined);
    assert.deepEqual(got, { bytes: [6], from: { host: '::1', port: v6.local.port } });
    assert.equal(v6.accepts({ host: '127.0.0.1', port: 80 }), false);
  } finally {
    v6.close();
    other.close();
  }
});

test('sockets ask for a 4 MB receive queue, as far as net.core.rmem_max allows', { skip }, async () => {
  const { readFileSync } = await import('node:fs');
  const t = new UdpSocketGroup().open('127.0.0.1', 0);
  try {
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    assert.ok(t.receiveBufferBytes >= Math.min(4 << 20, rmemMax), `${t.receiveBufferBytes} bytes (rmem_max ${rmemMax})`);
  } finally {
    t.close();
  }
});

test('a closed socket gets nothing more, and closing the last one lets the process exit', { skip }, () => {
  // In a child: with a socket open the event loop stays alive; once all are closed it must not.
  const script = `
    import { UdpSocketGroup } from ${JSON.stringify(new URL('../../src/net/udp-socket-group.js', import.meta.url).href)};
    const group = new UdpSocketGroup();
    const a = group.open('127.0.0.1', 0), b = group.open('127.0.0.1', 0);
    let got = 0;
    b.onDatagram(() => { got++; b.close(); a.send(b.local, new Uint8Array([2])); });
    a.send(b.local, new Uint8Array([1]));
    setTimeout(() => { console.log('got', got); a.close(); }, 200);
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'got 1');
});

test('spoofed senders cannot grow the address table: it stays bounded, and every datagram still names its sender', { skip }, async () => {
  const group = new UdpSocketGroup(4);
  const b = group.open('127.0.0.1', 0);
  // twelve "hosts" (distinct loopback addresses), three datagrams each; b answers every one
  const senders = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, `127.0.0.${10 + i}`, resolve));
      const replies: number[] = [];
      socket.on('message', (m) => replies.push(m[0]));
      return { socket, host: `127.0.0.${10 + i}`, replies };
    }),
  );
  const seen: string[] = [];
  let largestTable = 0;
  b.onDatagram((datagram, from) => {
    seen.push(`${from.host}:${datagram[0]}`);
    b.send(from, new Uint8Array([datagram[0]]));
    largestTable = Math.max(largestTable, group.addressCount);
  });
  try {
    for (let round = 0; round < 3; round++) {
      for (const [i, s] of senders.entries()) s.socket.send(new Uint8Array([i]), b.local.port, '127.0.0.1');
    }
    await settle(() => senders.every((s) => s.replies.length === 3));
    assert.equal(seen.length, 36);
    for (const [i, s] of senders.entries()) {
      assert.equal(seen.filter((x) => x === `${s.host}:${i}`).length, 3, `${s.host}'s datagrams arrived named as from ${s.host}`);
      assert.deepEqual(s.replies, [i, i, i], `${s.host} got its answers back`);
    }
    assert.ok(largestTable <= 4, `the table never held more than its capacity (held ${largestTable})`);
    assert.equal(b.counters.sendErrors, 0);
  } finally {
    b.close();
    for (const s of senders) s.socket.close();
  }
});

test(
  'every method of the native socket set checks its arguments: a bad call throws one clear error, and the set goes on',
  { skip },
  async () => {
    const SocketSet = loaded.ok ? loaded.addon.UdpSocketSet! : undefined!;
    const receive = new Uint8Array(4 * 100);
    const meta = new Int32Array(4 * 4);
    const state = new Int32Array(1);
    const make = (...args: unknown[]) => new (SocketSet as unknown as new (...a: unknown[]) => unknown)(...args);
    assert.throws(() => make(), {
      name: 'TypeError',
      message: 'UdpSocketSet(onBatch, receive, meta, state, addressCapacity) takes 5 arguments (got 0)',
    });
    assert.throws(() => make(1, receive, meta, state, 8), { name: 'TypeError', message: 'onBatch must be a function' });
    assert.throws(() => make(() => {}, receive, new Float64Array(4), state, 8), {
      name: 'TypeError',
      message: 'meta must be an Int32Array',
    });
    assert.throws(() => make(() => {}, receive, new Int32Array(3), state, 8), {
      name: 'RangeError',
      message: 'meta must hold 4 ints per slot (got 3)',
    });
    assert.throws(() => make(() => {}, receive, meta, state, 0), {
      name: 'RangeError',
      message: 'addressCapacity must be between 1 and 16777216 (got 0)',
    });
    const set = new SocketSet(() => {}, receive, meta, state, 8);
    const loose = set as unknown as Record<string, (...a: unknown[]) => unknown>;
    try {
      const [index] = set.open('127.0.0.1', 0);
      assert.throws(() => loose.open(7, 0), { name: 'TypeError', message: 'host must be a string' });
      assert.throws(() => loose.open('127.0.0.1', 70_000), { name: 'RangeError', message: 'port must be between 0 and 65535 (got 70000)' });
      assert.throws(() => loose.send(), { name: 'TypeError', message: 'send(index, addressId, port, bytes) takes 4 arguments (got 0)' });
      assert.throws(() => loose.send('0', 0, 9, new Uint8Array(1)), { name: 'TypeError', message: 'index must be an integer' });
      assert.throws(() => loose.send(index, -1, 9, new Uint8Array(1)), {
        name: 'RangeError',
        message: 'addressId must be between 0 and 4294967295',
      });
      assert.throws(() => loose.send(index, 0, 1.5, new Uint8Array(1)), { name: 'TypeError', message: 'port must be an integer' });
      assert.throws(() => loose.send(index, 0, 9, 'bytes'), { name: 'TypeError', message: 'bytes must be a Uint8Array' });
      assert.throws(() => loose.closeSocket({}), { name: 'TypeError', message: 'index must be an integer' });
      assert.throws(() => loose.receiveBufferBytes(), { name: 'TypeError', message: 'receiveBufferBytes(index) takes 1 argument (got 0)' });
      assert.throws(() => loose.addressName(99), { name: 'RangeError', message: 'unknown address id 99' });
      assert.throws(() => loose.addressId(null), { name: 'TypeError', message: 'host must be a string' });
      assert.equal(set.addressId('not an address'), -1);
      // after all that, the set still works
      const id = set.addressId('127.0.0.1');
      assert.equal(set.addressName(id), '127.0.0.1');
      assert.equal(set.send(index, id, 9, new Uint8Array([1])), 0);
      assert.ok(set.receiveBufferBytes(index) > 0);
    } finally {
      set.close();
    }
  },
);

test('KADEMLIA_UDP_IO picks the way sockets are read; the TS backend always uses dgram', () => {
  assert.equal(chooseUdpIo('ts', undefined), 'dgram');
  assert.throws(() => chooseUdpIo('ts', 'native'), {
    message: 'KADEMLIA_UDP_IO=native needs the native backend (KADEMLIA_NATIVE=0 turns it off)',
  });
  assert.equal(chooseUdpIo('native', 'dgram'), 'dgram');
  assert.equal(chooseUdpIo('native', undefined), skip ? 'dgram' : 'native');
  assert.throws(() => chooseUdpIo('native', 'fast'), { message: 'KADEMLIA_UDP_IO must be native or dgram (got "fast")' });
});
