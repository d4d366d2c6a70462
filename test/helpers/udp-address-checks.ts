// What every UDP transport must refuse to send to, whichever way its sockets are read.
import assert from 'node:assert/strict';
import type { Transport } from '../../src/net/transport.js';

/** For a transport bound to an IPv4 address. */
export function assertIpv4AddressChecks(transport: Transport): void {
  assert.equal(transport.accepts({ host: '127.0.0.1', port: 80 }), true);
  assert.equal(transport.accepts({ host: '::1', port: 80 }), false, 'an IPv4 socket cannot reach IPv6');
  assert.equal(transport.accepts({ host: 'example.com', port: 80 }), false, 'no names: no DNS lookups from peer input');
  assert.equal(transport.accepts({ host: '127.0.0.1', port: 0 }), false);
  assert.equal(transport.accepts({ host: '127.0.0.1', port: 70000 }), false);
}
