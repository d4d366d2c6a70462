import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../src/cli/address.js';
import { parseCommand } from '../../src/cli/commands.js';

test('stdin commands', () => {
  assert.deepEqual(parseCommand('I key1 value1'), { kind: 'insert', key: 'key1', value: 'value1' });
  assert.deepEqual(parseCommand('I key  two  spaces kept \r'), { kind: 'insert', key: 'key', value: ' two  spaces kept ' });
  assert.deepEqual(parseCommand('i k v'), { kind: 'insert', key: 'k', value: 'v' });
  assert.deepEqual(parseCommand('G key1'), { kind: 'get', key: 'key1' });
  assert.deepEqual(parseCommand('  G   key1  '), { kind: 'get', key: 'key1' });
  assert.deepEqual(parseCommand('Q'), { kind: 'quit' });
  assert.deepEqual(parseCommand(''), { kind: 'blank' });
  assert.deepEqual(parseCommand('   '), { kind: 'blank' });
  assert.equal(parseCommand('I key').kind, 'invalid');
  assert.equal(parseCommand('I key ').kind, 'invalid');
  assert.equal(parseCommand('G').kind, 'invalid');
  assert.equal(parseCommand('G a b').kind, 'invalid');
  assert.equal(parseCommand('Q now').kind, 'invalid');
  assert.deepEqual(parseCommand('X'), {
    kind: 'invalid',
    message:
      'unknown command "X"; commands are "I <key> <value>", "G <key>", "PUT <text>", "GET <target>", "ANNOUNCE <infohash> <port>", "PEERS <infohash>", "Q"',
  });
  assert.deepEqual(parseCommand('PUT  hello world '), { kind: 'put-item', text: ' hello world ' });
  assert.deepEqual(parseCommand('GET 2aae6c35c94fcfb415dbe95f408b9ce91ee846ed'), {
    kind: 'get-item',
    target: '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed',
  });
  assert.equal(parseCommand('PUT').kind, 'invalid');
  assert.equal(parseCommand('GET 2AAE6C35C94FCFB415DBE95F408B9CE91EE846ED').kind, 'invalid', 'lowercase hex only');
  assert.equal(parseCommand('GET 2aae6c').kind, 'invalid');
  const infoHash = '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed';
  assert.deepEqual(parseCommand(`ANNOUNCE ${infoHash} 6881`), { kind: 'announce', infoHash, port: 6881 });
  assert.deepEqual(parseCommand(`announce ${infoHash} 0`), { kind: 'announce', infoHash, port: 0 }, '0: the port we send from');
  assert.deepEqual(parseCommand(`PEERS ${infoHash} `), { kind: 'peers', infoHash });
  for (const bad of [
    `ANNOUNCE ${infoHash}`,
    `ANNOUNCE ${infoHash} 65536`,
    `ANNOUNCE ${infoHash} -1`,
    'ANNOUNCE abc 1',
    `ANNOUNCE ${infoHash} 1 2`,
  ])
    assert.match((parseCommand(bad) as { message: string }).message, /^usage: ANNOUNCE <infohash> <port>/, bad);
  for (const bad of ['PEERS', 'PEERS 2AAE6C35C94FCFB415DBE95F408B9CE91EE846ED', `PEERS ${infoHash} x`])
    assert.match((parseCommand(bad) as { message: string }).message, /^usage: PEERS <infohash>/, bad);
});

test('HOST:PORT arguments', () => {
  assert.deepEqual(parseAddress('127.0.0.1:8080', '-l'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseAddress('[::1]:8080', '-l'), { host: '::1', port: 8080 });
  assert.deepEqual(parseAddress('localhost:1', '-r'), { host: '127.0.0.1', port: 1 });
  assert.deepEqual(parseAddress('127.0.0.1:0', '-l', { allowPortZero: true }), { host: '127.0.0.1', port: 0 });
  assert.throws(() => parseAddress('127.0.0.1:0', '-r'), /port must be 1..65535/);
  assert.throws(() => parseAddress('example.com:80', '-r'), /is not an IP address/);
  assert.throws(() => parseAddress('127.0.0.1', '-r'), /expects HOST:PORT/);
  assert.throws(() => parseAddress('::1:80', '-r'), /HOST:PORT|not an IP/);
});
