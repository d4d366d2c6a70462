import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Ed25519Key, ed25519Suite, modelSuite } from '../../../src/node/security/crypto-suite.js';
import { mutableKey, mutableSignedBytes, plainSignedBytes } from '../../../src/protocol/item-signature.js';
import { SeededRandom } from '../../../src/util/random.js';
import { seededBytes } from '../../helpers/reference.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const text = (s: string) => new TextEncoder().encode(s);

// BEP 44's test vectors (the same key for both)
const BEP44_PUBLIC_KEY = hex('77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548');
const BEP44_VECTORS = [
  {
    salt: '',
    target: '4a533d47ec9c7d95b1ad75f576cffc641853b750',
    signature:
      '305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01',
  },
  {
    salt: 'foobar',
    target: '411eba73b6f087ca51a3795d9c8c938d365e32c1',
    signature:
      '6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17ddf9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08',
  },
];

test("BEP 44's test vectors: the signed bytes, the target and the signature all check", () => {
  for (const v of BEP44_VECTORS) {
    const bytes = mutableSignedBytes(text(v.salt), 1, text('Hello World!'));
    assert.equal(bytes.toString('latin1'), `${v.salt ? `4:salt${v.salt.length}:${v.salt}` : ''}3:seqi1e1:v12:Hello World!`);
    assert.equal(Buffer.from(mutableKey(BEP44_PUBLIC_KEY, text(v.salt))).toString('hex'), v.target);
    assert.ok(ed25519Suite.verify(BEP44_PUBLIC_KEY, bytes, hex(v.signature)), `salt "${v.salt}"`);
    assert.ok(
      !ed25519Suite.verify(BEP44_PUBLIC_KEY, mutableSignedBytes(text(v.salt), 2, text('Hello World!')), hex(v.signature)),
      'another seq',
    );
  }
});

for (const suite of [ed25519Suite, modelSuite]) {
  test(`${suite.kind}: a signature checks for its key and bytes only, also when asked again (cached)`, () => {
    const key = suite.newKey(new SeededRandom(3));
    const other = suite.newKey(new SeededRandom(4));
    const bytes = plainSignedBytes(seededBytes('k', 20), 1, text('value'));
    const signature = key.sign(bytes);
    assert.equal(signature.length, 64);
    for (let round = 0; round < 2; round++) {
      assert.ok(suite.verify(key.publicKey, bytes, signature));
      assert.ok(!suite.verify(other.publicKey, bytes, signature), 'another key');
      assert.ok(!suite.verify(key.publicKey, plainSignedBytes(seededBytes('k', 20), 2, text('value')), signature), 'another seq');
      assert.ok(!suite.verify(key.publicKey, plainSignedBytes(seededBytes('k', 20), 1, text('valuf')), signature), 'another value');
      assert.ok(!suite.verify(key.publicKey, bytes, signature.subarray(0, 63)), 'a short signature');
    }
  });
}

test('an ed25519 key saved as its seed signs the same after loading', () => {
  const key = Ed25519Key.generate();
  const again = Ed25519Key.fromSeed(key.seed);
  assert.deepEqual(again.publicKey, key.publicKey);
  const bytes = text('hello');
  assert.ok(ed25519Suite.verify(key.publicKey, bytes, again.sign(bytes)));
  assert.throws(() => Ed25519Key.fromSeed(new Uint8Array(31)), /32 bytes/);
});

test('a public key that is not a curve point is refused, not thrown', () => {
  assert.equal(ed25519Suite.verify(new Uint8Array(32).fill(0xff), text('x'), new Uint8Array(64)), false);
});

test('making many node keys under GC pressure never deadlocks', { timeout: 120_000 }, () => {
  // generateKeyPairSync's KeyObjects could deadlock Node 20 (exporting one while a GC
  // finalized its key-generation job); --stress-compaction made the old code hang in about
  // half of such runs of 20,000 keys.
  const module = JSON.stringify(new URL('../../../src/node/security/crypto-suite.js', import.meta.url).href);
  const script = `import { Ed25519Key } from ${module};
    for (let i = 0; i < 20000; i++) Ed25519Key.generate();
    console.log('made 20000');`;
  for (let run = 0; run < 3; run++) {
    const child = spawnSync(process.execPath, ['--stress-compaction', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    assert.equal(child.status, 0, `run ${run}: exit ${child.status} ${child.signal ?? ''} ${child.stderr.slice(0, 300)}`);
    assert.equal(child.stdout.trim(), 'made 20000');
  }
});
