import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectEngine } from '../../src/distance/backend.js';
import { loadNativeAddon } from '../../src/native/binding.js';

const missing = () => ({ ok: false as const, reason: 'Cannot find module /x/kadswarm.node', path: '/x/kadswarm.node' });

test('KADEMLIA_NATIVE=0 forces TS; unset falls back to TS when the addon is missing', () => {
  assert.equal(selectEngine('0').name, 'ts');
  assert.equal(selectEngine(undefined, missing).name, 'ts');
  assert.equal(selectEngine('', missing).name, 'ts');
});

test('KADEMLIA_NATIVE=1 without the addon fails with a clear message', () => {
  assert.throws(() => selectEngine('1', missing), {
    message:
      /^KADEMLIA_NATIVE=1 but the native addon could not be loaded from \/x\/kadswarm.node: Cannot find module .*\(run npm install, or set KADEMLIA_NATIVE=0\)$/,
  });
});

test('other KADEMLIA_NATIVE values are refused', () => {
  assert.throws(() => selectEngine('yes'), { message: 'KADEMLIA_NATIVE must be 0 or 1 (got "yes")' });
});

test('native is chosen when it loads', { skip: loadNativeAddon().ok ? false : 'native addon not built' }, () => {
  assert.equal(selectEngine('1').name, 'native');
  assert.equal(selectEngine(undefined).name, 'native');
});
