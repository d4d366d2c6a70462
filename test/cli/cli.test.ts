// End to end: real `kademlia` processes on loopback, driven through stdin like the seed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const started: CliProcess[] = [];
after(() => started.forEach((p) => p.kill()));
const track = (p: CliProcess) => (started.push(p), p);

/** Sends a PING to a UDP port and resolves whether a PONG came back. */
function udpPing(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const requestId = new Uint8Array(8).fill(7);
    const timer = setTimeout(() => {
      socket.close();
      resolve(false);
    }, timeoutMs);
    socket.on('message', (datagram) => {
      const decoded = decodeMessage(datagram);
      if (decoded.ok && decoded.message.body.type === 'PONG') {
        clearTimeout(timer);
        socket.close();
        resolve(true);
      }
    });
    socket.send(encodeMessage({ requestId, sender: new Uint8Array(20).fill(9), body: { type: 'PING' } }), port, '127.0.0.1');
  });
}

test('the seed session: store on one node, get from another, misses say Not found', async () => {
  const entry = track(await CliProcess.node());
  const b = track(await CliProcess.node(['-r', entry.address]));
  const c = track(await CliProcess.node(['-r', entry.address]));
  await b.until(() => b.stderr.some((l) => l.startsWith('joined through')), 5000, 'b joined');
  await c.until(() => c.stderr.some((l) => l.startsWith('joined through')), 5000, 'c joined');
  assert.ok(
    b.stderr.some((l) => /^joined through 127\.0\.0\.1:\d+: 1 contact$/.test(l)),
    `one contact, singular: ${b.stderr.join(' | ')}`,
  );
  assert.ok(
    c.stderr.some((l) => /^joined through 127\.0\.0\.1:\d+: 2 contacts$/.test(l)),
    `two contacts: ${c.stderr.join(' | ')}`,
  );

  b.send('I key1 value one, with spaces');
  assert.match(await b.line(0), /^Stored key1 on 3 nodes$/);
  c.send('G key1');
  assert.equal(await c.line(0), 'value one, with spaces');
  entry.send('G key1');
  assert.equal(await entry.line(0), 'value one, with spaces');

  const start = performance.now();
  c.send('G key5000');
  assert.equal(await c.line(1), 'Not found');
  assert.ok(performance.now() - start < 2000, 'a missing key answers within 2 s');

  c.send('I key-only');
  assert.equal(await c.line(2), 'Error: usage: I <key> <value>');
  c.send('FOO bar');
  assert.match(await c.line(3), /^Error: unknown command "FOO"/);
  c.send(`I big ${'x'.repeat(9000)}`);
  assert.equal(await c.line(4), 'Error: value too large (9000 bytes; the limit is 7932)');
  c.send('G key1');
  assert.equal(await c.line(5), 'value one, with spaces', 'bad input lost nothing');

  // BEP 44 immutable items: the target is the SHA-1 of the text bencoded, "11:hello world"
  b.send('PUT hello world');
  assert.equal(await b.line(1), 'Stored 6d33adc2b6b2c14c3036feefb7fedbca1a880527 on 3 nodes');
  c.send('GET 6d33adc2b6b2c14c3036feefb7fedbca1a880527');
  assert.equal(await c.line(6), 'hello world');
  c.send('GET 0000000000000000000000000000000000000000');
  assert.equal(await c.line(7), 'Not found');
  c.send('GET nothex');
  assert.equal(await c.line(8), 'Error: usage: GET <target> (40 lowercase hex digits)');

  c.send('Q');
  assert.equal(await c.exitCode(), 0);
  entry.child.kill('SIGTERM');
  assert.equal(await entry.exitCode(), 0);
  b.child.kill('SIGINT');
  assert.equal(await b.exitCode(), 0);
});

test('a node whose stdin ended keeps serving (the seed pipes one command in)', async () => {
  const entry = track(await CliProcess.node());
  const piped = track(await CliProcess.node(['-r', entry.address]));
  piped.send('I key2 value2');
  piped.child.stdin.end();
  assert.match(await piped.line(0), /^Stored key2 on 2 nodes$/);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(piped.child.exitCode, null, 'still running after EOF');
  assert.equal(await udpPing(piped.port), true, 'and answering on UDP');
  entry.send('G key2');
  assert.equal(await entry.line(0), 'value2');
  piped.child.kill('SIGTERM');
  assert.equal(await piped.exitCode(), 0);
  entry.send('Q');
  assert.equal(await entry.exitCode(), 0);
});

test('bad flags and a port in use: one line on stderr, exit 2', async () => {
  const cases: string[][] = [
    ['--bogus'],
    [],
    ['-l', 'nonsense'],
    ['-l', '127.0.0.1:70000'],
    ['-l', '127.0.0.1:0', '-r', 'x:1'],
    ['stress-typo'],
    ['-l', '127.0.0.1:0', '--timeout', 'soon'],
  ];
  for (const args of cases) {
    const p = track(CliProcess.spawn(args));
    assert.equal(await p.exitCode(), 2, args.join(' '));
    assert.equal(p.stderr.length, 1, `one line for ${args.join(' ')}: ${JSON.stringify(p.stderr)}`);
    assert.match(p.stderr[0], /^kademlia: /);
    assert.deepEqual(p.stdout, []);
  }
  const holder = track(await CliProcess.node());
  const clash = track(CliProcess.spawn(['-l', holder.address]));
  assert.equal(await clash.exitCode(), 2);
  assert.deepEqual(clash.stderr, [`kademlia: cannot listen on ${holder.address}: address already in use`]);
  holder.send('Q');
  assert.equal(await holder.exitCode(), 0);
});

test('joining a dead address warns and serves alone', async () => {
  const lonely = track(await CliProcess.node(['-r', '127.0.0.1:9', '--timeout', '300']));
  await lonely.until(() => lonely.stderr.some((l) => l.includes('could not join')), 5000, 'join warning');
  lonely.send('I solo yes');
  assert.equal(await lonely.line(0), 'Stored solo on 1 node');
  lonely.send('G solo');
  assert.equal(await lonely.line(1), 'yes');
  lonely.send('Q');
  assert.equal(await lonely.exitCode(), 0);
});

test('--help prints usage and exits 0', async () => {
  const p = track(CliProcess.spawn(['--help']));
  assert.equal(await p.exitCode(), 0);
  assert.match(p.stdout.join('\n'), /kademlia -l HOST:PORT \[-r HOST:PORT\]/);
});

test('--version, help and help COMMAND print to stdout and exit 0', async () => {
  const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const expectations: Array<[string[], RegExp]> = [
    [['--version'], new RegExp(`^kadswarm ${version.replace(/\./g, '\\.')}$`)],
    [['-V'], /^kadswarm \d+\.\d+\.\d+/],
    [['help'], /^Usage:\n {2}kademlia -l HOST:PORT/],
    [['help', 'stress'], /^Usage: kademlia stress \[options\]/],
    [['help', 'host'], /^Usage: kademlia host --nodes N/],
  ];
  for (const [args, expected] of expectations) {
    const p = track(CliProcess.spawn(args));
    assert.equal(await p.exitCode(), 0, args.join(' '));
    assert.match(p.stdout.join('\n'), expected, args.join(' '));
    assert.deepEqual(p.stderr, []);
  }
});

test('a usage error points at the help that explains it', async () => {
  const expectations: Array<[string[], string]> = [
    [['--bogus'], "kademlia: Unknown option '--bogus' (see kademlia --help)"],
    [['stress', '--nodes', 'many'], 'kademlia: --nodes must be an integer from 2 to 10000000 (got "many") (see kademlia stress --help)'],
    [['host', '--nodes', '0', '-r', '127.0.0.1:9'], 'kademlia: --nodes must be a positive integer (got "0") (see kademlia host --help)'],
    [['help', 'nope'], 'kademlia: no help for "nope": the commands are stress, host, sweep (see kademlia --help)'],
    [
      ['-l', '127.0.0.1:0', '--ttl', 'soon'],
      'kademlia: --ttl must be a duration like 500ms, 30s, 10m or 2h, from 1ms to 50d (got "soon") (see kademlia --help)',
    ],
    [
      ['host', '--nodes', '2', '-r', '127.0.0.1:9', '--k', '0'],
      'kademlia: --k must be an integer from 1 to 64 (got "0") (see kademlia host --help)',
    ],
  ];
  for (const [args, line] of expectations) {
    const p = track(CliProcess.spawn(args));
    assert.equal(await p.exitCode(), 2, args.join(' '));
    assert.deepEqual(p.stderr, [line]);
  }
});

test('node settings on -l: a node with --k 1 stores on one node where a default node stores on all three; the one copy is found', async () => {
  const entry = track(await CliProcess.node());
  const b = track(await CliProcess.node(['-r', entry.address, '--k', '1', '--ttl', '30m', '--alpha', '2']));
  const c = track(await CliProcess.node(['-r', entry.address]));
  await b.until(() => b.stderr.some((l) => l.startsWith('joined through')), 5000, 'b joined');
  await c.until(() => c.stderr.some((l) => l.startsWith('joined through')), 5000, 'c joined');
  b.send('I narrow only the nearest');
  assert.match(await b.line(0), /^Stored narrow on 1 node$/);
  c.send('I wide every node');
  assert.match(await c.line(0), /^Stored wide on 3 nodes$/);
  c.send('G narrow'); // found wherever the one copy landed, c itself included
  assert.equal(await c.line(1), 'only the nearest');
});

test('--protocol mainline: the seed session and every stdin command over KRPC', async () => {
  const entry = track(await CliProcess.node(['--protocol', 'mainline']));
  assert.ok(
    entry.stderr.some((l) => l.includes('(protocol: mainline,')),
    entry.stderr.join(' | '),
  );
  const b = track(await CliProcess.node(['-r', entry.address, '--protocol', 'mainline']));
  const c = track(await CliProcess.node(['-r', entry.address, '--protocol', 'mainline']));
  await b.until(() => b.stderr.some((l) => l.startsWith('joined through')), 5000, 'b joined');
  await c.until(() => c.stderr.some((l) => l.startsWith('joined through')), 5000, 'c joined');

  // it speaks KRPC: a bencoded ping is answered with our transaction id; our MessagePack PING is not
  const krpc = await new Promise<string>((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (datagram) => {
      socket.close();
      resolve(datagram.toString('latin1'));
    });
    socket.send(Buffer.from(`d1:ad2:id20:${'a'.repeat(20)}e1:q4:ping1:t2:xy1:y1:qe`, 'latin1'), entry.port, '127.0.0.1');
  });
  assert.ok(krpc.endsWith('1:t2:xy1:v4:KS\x00\x011:y1:re'), krpc);
  assert.equal(await udpPing(entry.port, 500), false);

  b.send('I key1 value one');
  assert.equal(await b.line(0), 'Stored key1 on 3 nodes');
  c.send('G key1');
  assert.equal(await c.line(0), 'value one');
  b.send('PUT hello world');
  assert.equal(await b.line(1), 'Stored 6d33adc2b6b2c14c3036feefb7fedbca1a880527 on 3 nodes');
  c.send('GET 6d33adc2b6b2c14c3036feefb7fedbca1a880527');
  assert.equal(await c.line(1), 'hello world');
  const infoHash = 'aa'.repeat(20);
  b.send(`ANNOUNCE ${infoHash} 6881`);
  assert.match(await b.line(2), new RegExp(`^Announced ${infoHash} on [12] nodes?$`));
  c.send(`PEERS ${infoHash}`);
  assert.equal(await c.line(2), '127.0.0.1:6881');
  c.send(`PEERS ${'bb'.repeat(20)}`);
  assert.equal(await c.line(3), 'Not found');
  c.send('PEERS nothex');
  assert.equal(await c.line(4), 'Error: usage: PEERS <infohash> (40 lowercase hex digits)');
  c.send('G key1');
  assert.equal(await c.line(5), 'value one', 'bad input lost nothing');
  for (const p of [entry, b, c]) p.send('Q');
});

test('--read-only (BEP 43): the node stores and gets through the others, and answers no query', async () => {
  const entry = track(await CliProcess.node([]));
  const b = track(await CliProcess.node(['-r', entry.address]));
  const ro = track(await CliProcess.node(['-r', entry.address, '--read-only']));
  assert.ok(
    ro.stderr.some((l) => l.includes('read-only,')),
    ro.stderr.join(' | '),
  );
  await ro.until(() => ro.stderr.some((l) => l.startsWith('joined through')), 5000, 'the read-only node joined');
  ro.send('I key1 from the read-only node');
  assert.equal(await ro.line(0), 'Stored key1 on 2 nodes', 'held by the two others, not by itself');
  b.send('G key1');
  assert.equal(await b.line(0), 'from the read-only node');
  b.send('I key2 from b');
  assert.equal(await b.line(1), 'Stored key2 on 2 nodes', 'b does not count on the read-only node');
  ro.send('G key2');
  assert.equal(await ro.line(1), 'from b');
  assert.equal(await udpPing(ro.port, 500), false);
  assert.equal(await udpPing(entry.port, 500), true);
  for (const p of [entry, b, ro]) p.send('Q');
});

test('--state DIR: a node restarted from its folder keeps its id and values and rejoins through its saved contacts; a corrupt file is a warning', async () => {
  const dir = tempDir('cli-state');
  const idOf = (p: CliProcess) => /kademlia node ([0-9a-f]{40}) listening/.exec(p.stderr.join('\n'))?.[1];
  const entry = track(await CliProcess.node());
  const first = track(await CliProcess.node(['-r', entry.address, '--state', dir]));
  await first.until(() => first.stderr.some((l) => l.startsWith('joined through')), 5000, 'joined');
  assert.ok(
    first.stderr.some((l) => /no saved state in .*node\.json yet: starting fresh/.test(l)),
    first.stderr.join(' | '),
  );
  first.send('I kept across restarts');
  assert.equal(await first.line(0), 'Stored kept on 2 nodes');
  first.send('Q');
  assert.equal(await first.exitCode(), 0);
  assert.ok(existsSync(join(dir, 'node.json')), 'state saved at exit');

  // restarted at its address, as a node usually is (a new address is a new contact to the others)
  const again = track(CliProcess.spawn(['-l', first.address, '--state', dir]));
  await again.until(() => again.stderr.some((l) => l.startsWith('joined through')), 5000, 'rejoined');
  assert.equal(idOf(again), idOf(first), 'the same id');
  assert.ok(again.stderr.includes('restored 1 published value; 1 of 1 saved contact answered'), again.stderr.join(' | '));
  assert.ok(again.stderr.includes(`joined through ${entry.address}: 1 contact`), again.stderr.join(' | '));
  again.send('G kept');
  assert.equal(await again.line(0), 'across restarts', 'what it publishes came back');
  const reader = track(await CliProcess.node(['-r', entry.address]));
  await reader.until(() => reader.stderr.some((l) => l.startsWith('joined through')), 5000, 'reader joined');
  reader.send('G kept');
  assert.equal(await reader.line(0), 'across restarts');
  again.send('Q');
  assert.equal(await again.exitCode(), 0);

  writeFileSync(join(dir, 'node.json'), '{"format": "kadswarm-node-st');
  const fresh = track(await CliProcess.node(['--state', dir]));
  await fresh.until(() => fresh.stderr.some((l) => l.includes('is not a usable saved state')), 5000, 'warning');
  assert.notEqual(idOf(fresh), idOf(first), 'a fresh start');
  fresh.send('G kept');
  assert.equal(await fresh.line(0), 'Not found', 'it serves (alone)');
  fresh.send('Q');
});
