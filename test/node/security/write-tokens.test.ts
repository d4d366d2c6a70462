import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519Suite, modelSuite } from '../../../src/node/security/crypto-suite.js';
import { TOKEN_ROTATION_MS, WriteTokens } from '../../../src/node/security/write-tokens.js';
import { SeededRandom } from '../../../src/util/random.js';

for (const suite of [ed25519Suite, modelSuite]) {
  test(`${suite.kind}: a token works for the IP it was given to, for two rotations, and for no other IP`, () => {
    const tokens = new WriteTokens(suite, new SeededRandom(1), 0);
    const token = tokens.issue('203.0.113.7', 0);
    assert.equal(token.length, 8);
    assert.ok(tokens.accepts('203.0.113.7', token, 1));
    assert.ok(!tokens.accepts('203.0.113.8', token, 1), 'another IP');
    assert.ok(!tokens.accepts('203.0.113.7', null, 1), 'no token');
    const forged = token.slice();
    forged[0] ^= 1;
    assert.ok(!tokens.accepts('203.0.113.7', forged, 1), 'a changed token');
    assert.ok(tokens.accepts('203.0.113.7', token, TOKEN_ROTATION_MS + 1), 'after one rotation: the previous secret still counts');
    assert.ok(!tokens.accepts('203.0.113.7', token, 2 * TOKEN_ROTATION_MS + 2), 'after two: expired');
  });

  test(`${suite.kind}: after a long idle spell every old token is refused at once`, () => {
    const tokens = new WriteTokens(suite, new SeededRandom(2), 0);
    const token = tokens.issue('198.51.100.1', 0);
    assert.ok(!tokens.accepts('198.51.100.1', token, 10 * TOKEN_ROTATION_MS));
    assert.ok(tokens.accepts('198.51.100.1', tokens.issue('198.51.100.1', 10 * TOKEN_ROTATION_MS), 10 * TOKEN_ROTATION_MS));
  });
}
