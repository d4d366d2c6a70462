import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_BYTES, idFromHex, idToHex, keyFromString, randomId } from '../../src/index.js';

test('keyFromString is SHA-1 of the UTF-8 string', () => {
  assert.equal(ID_BYTES, 20);
  const key = keyFromString('key1');
  assert.ok(key instanceof Uint8Array);
  assert.equal(key.length, 20);
  // sha1("key1"), computed independently with `printf key1 | sha1sum`
  assert.equal(idToHex(key), '1073ab6cda4b991cd29f9e83a307f34004ae9327');
  assert.equal(idToHex(keyFromString('')), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  assert.equal(idToHex(keyFromString('é')), idToHex(keyFromString('\u00e9')));
  assert.notEqual(idToHex(keyFromString('é')), idToHex(keyFromString('e\u0301')));
});

test('keyFromString rejects non-strings', () => {
  assert.throws(() => keyFromString(42 as unknown as string), TypeError);
});

test('hex round trip and validation', () => {
  const id = randomId();
  assert.deepEqual(idFromHex(idToHex(id)), id);
  assert.throws(() => idFromHex('abc'), RangeError);
  assert.throws(() => idFromHex('zz'.repeat(20)), RangeError);
});
