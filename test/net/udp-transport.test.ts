import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { UdpTransport } from '../../src/net/udp-transport.js';
import { assertIpv4AddressChecks } from '../helpers/udp-address-checks.js';

test('datagrams go both ways on loopback; oversized ones are dropped unread', async () => {
  const a = await UdpTransport.open('127.0.0.1', 0);
  const b = await UdpTransport.open('127.0.0.1', 0);
  try {
    assert.ok(a.local.port > 0);
    const received: Array<{ bytes: number[]; port: number }> = [];
    b.onDatagram((datagram, from) => received.push({ bytes: Array.from(datagram), port: from.port }));
    a.send(b.local, new Uint8Array([1, 2, 3]));
    const raw = dgram.createSocket('udp4');
    raw.send(new Uint8Array(9000), b.local.port, '127.0.0.1');
    raw.send(new Uint8Array([4]), b.local.port, '127.0.0.1');
    for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    raw.close();
    assert.deepEqual(received[0], { bytes: [1, 2, 3], port: a.local.port });
    assert.deepEqual(received[1].bytes, [4]);
    assert.equal(b.counters.oversizedIn, 1);
    assert.equal(b.counters.datagramsIn, 2);
  } finally {
    a.close();
    b.close();
  }
});

test('address checks and bind errors', async () => {
  const a = await UdpTransport.open('127.0.0.1', 0);
  try {
    assertIpv4AddressChecks(a);
    await assert.rejects(UdpTransport.open('127.0.0.1', a.local.port), {
      message: `cannot listen on 127.0.0.1:${a.local.port}: address already in use`,
      code: 'EADDRINUSE',
    });
    await assert.rejects(UdpTransport.open('localhost', 1), { message: 'localhost is not an IP address' });
    a.send({ host: '127.0.0.1', port: 9 }, new Uint8Array([1])); // nobody there: no throw
  } finally {
    a.close();
  }
  a.send({ host: '127.0.0.1', port: 9 }, new Uint8Array([1])); // after close: ignored
});

test('IPv6 loopback works when the machine has it', async (t) => {
  let v6: UdpTransport;
  try {
    v6 = await UdpTransport.open('::1', 0);
  } catch {
    t.skip('no IPv6 loopback here');
    return;
  }
  const other = await UdpTransport.open('::1', 0);
  try {
    let got: number[] | undefined;
    other.onDatagram((d) => (got = Array.from(d)));
    v6.send(other.local, new Uint8Array([6]));
    for (let i = 0; i < 100 && !got; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, [6]);
  } finally {
    v6.close();
    other.close();
  }
});

test('sockets ask for a 1 MB receive queue, as far as net.core.rmem_max allows', async () => {
  const { readFileSync } = await import('node:fs');
  const t = await UdpTransport.open('127.0.0.1', 0);
  try {
    let rmemMax = 0;
    try {
      rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    } catch {
      // not Linux: nothing to compare with
    }
    // Linux doubles the request (bookkeeping) and caps it at twice rmem_max
    if (rmemMax > 0) assert.ok(t.receiveBufferBytes >= Math.min(4 << 20, rmemMax), `${t.receiveBufferBytes} bytes (rmem_max ${rmemMax})`);
    else assert.ok(t.receiveBufferBytes > 0);
  } finally {
    t.close();
  }
});
