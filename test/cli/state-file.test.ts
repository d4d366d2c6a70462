// --state DIR's file: a round trip of everything a node saves, atomic writes, and a
// missing or corrupt file as one warning and a fresh start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateFile, stateFromJson, stateToJson } from '../../src/cli/state-file.js';
import type { NodeState } from '../../src/node/kademlia-node.js';
import { seededBytes } from '../helpers/reference.js';
import { tempDir } from '../helpers/temp-dir.js';

const state: NodeState = {
  id: seededBytes('id', 20),
  keySeed: seededBytes('seed', 32),
  contacts: [
    { id: seededBytes('a', 20), host: '127.0.0.2', port: 8082 },
    { id: seededBytes('b', 20), host: '::1', port: 9 },
  ],
  published: [
    { key: seededBytes('k1', 20), value: new Uint8Array([1, 2, 3]), auth: null },
    {
      key: seededBytes('k2', 20),
      value: new Uint8Array(0),
      auth: { publicKey: seededBytes('pk', 32), seq: 7, signature: seededBytes('s', 64), salt: null },
    },
    {
      key: seededBytes('k3', 20),
      value: new Uint8Array([9]),
      auth: { publicKey: seededBytes('pk', 32), seq: 0, signature: seededBytes('s', 64), salt: seededBytes('salt', 5) },
    },
  ],
};

test('a saved state reads back field for field', () => {
  assert.deepEqual(stateFromJson(stateToJson(state, 'mainline')), { ...state, protocol: 'mainline' });
  assert.deepEqual(stateFromJson(stateToJson({ ...state, keySeed: null }, 'kadswarm')).keySeed, null);
});

test('a corrupt state says what is wrong', () => {
  const good = JSON.parse(stateToJson(state, 'kadswarm'));
  const cases: Array<[unknown, RegExp]> = [
    [{ ...good, format: 'other' }, /not a kadswarm-node-state file/],
    [{ ...good, protocol: 'x' }, /protocol must be/],
    [{ ...good, id: 'zz' }, /id must be 40 hex digits/],
    [{ ...good, keySeed: 'abcd' }, /keySeed must be 32 bytes/],
    [{ ...good, contacts: [{ ...good.contacts[0], port: 70000 }] }, /contacts\[0\]\.port must be 1-65535/],
    [
      { ...good, published: [{ ...good.published[1], auth: { ...good.published[1].auth, seq: -1 } }] },
      /auth\.seq must be a non-negative integer/,
    ],
    [{ ...good, published: 'x' }, /published must be a list/],
  ];
  for (const [value, message] of cases) assert.throws(() => stateFromJson(JSON.stringify(value)), message);
  assert.throws(() => stateFromJson('{"format": "kadswarm-node-st'), SyntaxError);
});

test('saves are atomic renames; missing and corrupt files give one warning and null', () => {
  const dir = tempDir('state');
  const file = new StateFile(join(dir, 'made/by/it'));
  const warnings: string[] = [];
  assert.equal(
    file.load((w) => warnings.push(w)),
    null,
  );
  assert.match(warnings[0], /^no saved state in .*node\.json yet: starting fresh$/);
  assert.equal(
    file.save(state, 'kadswarm', (w) => warnings.push(w)),
    true,
  );
  assert.deepEqual(readdirSync(join(dir, 'made/by/it')), ['node.json'], 'no temporary file left behind');
  assert.deepEqual(
    file.load(() => assert.fail('no warning')),
    { ...state, protocol: 'kadswarm' },
  );
  writeFileSync(file.path, readFileSync(file.path, 'utf8').slice(0, 100));
  assert.equal(
    file.load((w) => warnings.push(w)),
    null,
  );
  assert.match(warnings[1], /node\.json is not a usable saved state \(.*\): starting fresh$/);
  assert.equal(warnings.length, 2);
});
