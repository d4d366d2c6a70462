// Our bencode against the bencode package on random values (each reads what the other
// writes), and the inputs it must refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import reference from 'bencode';
import { BencodeError, bdecode, bencode, type BValue, type Encodable } from '../../src/protocol/bencode.js';
import { SeededRandom } from '../../src/util/random.js';

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function randomValue(random: SeededRandom, depth: number): Encodable {
  const pick = random.next32() % (depth > 3 ? 2 : 4);
  if (pick === 0) return (random.next32() % 2 ? -1 : 1) * (random.next32() % 1_000_000_000) * (random.next32() % 1000);
  if (pick === 1) return random.bytes(random.next32() % 40);
  if (pick === 2) return Array.from({ length: random.next32() % 5 }, () => randomValue(random, depth + 1));
  const dict: { [key: string]: Encodable } = {};
  for (let n = random.next32() % 5; n > 0; n--) dict[`k${random.next32() % 100}`] = randomValue(random, depth + 1);
  return dict;
}

/** Both libraries' decoded values in one shape: byte strings as Buffers, dictionaries as plain objects. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

test('our bencode and the bencode package read each other, byte for byte', () => {
  const random = new SeededRandom(44);
  for (let n = 0; n < 2000; n++) {
    const value = randomValue(random, 0);
    const ours = bencode(value);
    const theirs = reference.encode(value);
    assert.deepEqual(Buffer.from(ours), Buffer.from(theirs));
    assert.deepEqual(plain(bdecode(theirs)), plain(reference.decode(theirs)));
  }
  assert.deepEqual(
    Buffer.from(bencode({ y: 'q', t: latin1('aa') })).toString('latin1'),
    'd1:t2:aa1:y1:qe',
    'keys sorted, strings as UTF-8',
  );
  assert.deepEqual(Buffer.from(bencode({ a: undefined, b: 1 })).toString(), 'd1:bi1ee', 'undefined entries left out');
  assert.throws(() => bencode(1.5), RangeError);
});

test('decoded byte strings are views of the input; dictionaries have no prototype', () => {
  const input = latin1('d9:__proto__d1:xi1ee2:id3:abce');
  const dict = bdecode(input) as { [key: string]: BValue };
  assert.equal(Object.getPrototypeOf(dict), null);
  assert.ok(Object.hasOwn(dict, '__proto__'));
  assert.equal((dict.id as Uint8Array).buffer, input.buffer);
});

test('what is not bencode is refused with a BencodeError saying where', () => {
  const bad = [
    '',
    'i01e',
    'i-0e',
    'ie',
    'i12',
    'i1234567890123456e',
    '01:a',
    '5:abc',
    'l',
    'li1e',
    'd1:a',
    'di1ei2ee',
    'i1ei2e',
    'x',
    '1:ab',
    'l'.repeat(17) + 'e'.repeat(17),
    '99999999999999999999:a',
  ];
  for (const text of bad) assert.throws(() => bdecode(latin1(text)), BencodeError, JSON.stringify(text));
  assert.deepEqual(bdecode(latin1('l'.repeat(16) + 'e'.repeat(16))), [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]);
  assert.equal(bdecode(latin1('i-42e')), -42);
  assert.equal(bdecode(latin1('i999999999999999e')), 999999999999999);
  assert.deepEqual(bdecode(latin1('0:')), new Uint8Array(0));
});
