// BEP 32's want: an answer keeps the contacts of the families asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withWantedFamilies } from '../../src/node/wanted-families.js';
import { type ResponseBody, WANT_V4, WANT_V6 } from '../../src/protocol/messages.js';
import { seededBytes } from '../helpers/reference.js';

const v4 = { id: seededBytes('a', 20), host: '10.0.0.1', port: 1 };
const v6 = { id: seededBytes('b', 20), host: '2001:db8::1', port: 2 };
const named = { id: seededBytes('c', 20), host: 'sim-node-3', port: 3 };
const token = new Uint8Array(8);

test('each answer with contacts keeps only the families wanted; others pass untouched', () => {
  const answers: ResponseBody[] = [
    { type: 'NODES', contacts: [v4, v6, named], token },
    { type: 'PEERS', peers: [{ host: '10.0.0.9', port: 9 }], contacts: [v6, v4], token },
    { type: 'VALUE', value: null, ttlMs: 0, contacts: [v4, v6], token, auth: null, withheld: false },
  ];
  for (const answer of answers) {
    const contactsOf = (want: number) => (withWantedFamilies(answer, want) as { contacts: unknown[] }).contacts;
    assert.deepEqual(contactsOf(WANT_V4), [v4], answer.type);
    assert.deepEqual(contactsOf(WANT_V6), [v6], answer.type);
    const given = (answer as { contacts: unknown[] }).contacts;
    assert.deepEqual(
      contactsOf(WANT_V4 | WANT_V6),
      given.filter((c) => c !== named),
      answer.type,
    );
    assert.deepEqual(contactsOf(0), [], answer.type);
  }
  const peers = withWantedFamilies(answers[1], WANT_V6) as Extract<ResponseBody, { type: 'PEERS' }>;
  assert.deepEqual(peers.peers, [{ host: '10.0.0.9', port: 9 }], "a torrent's peers are not contacts: want leaves them");
  const pong: ResponseBody = { type: 'PONG' };
  assert.equal(withWantedFamilies(pong, WANT_V6), pong);
});
