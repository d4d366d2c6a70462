// `kademlia stress --bootstrap`: a kadswarm swarm joins a network it did not start (here
// bittorrent-dht nodes speaking Mainline), runs the seed's workload on it and reports
// what the nodes saw.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import DHT from 'bittorrent-dht';
import { parseStressArgs } from '../../src/cli/stress-command.js';
import { runStress, type StressOptions } from '../../src/stress/run-stress.js';
import { itemKeyOf } from '../../src/stress/phases.js';

const options = (args: string[]) => parseStressArgs([...args, '--no-progress']) as StressOptions;
const outside: Array<InstanceType<typeof DHT>> = [];
after(() => outside.forEach((dht) => dht.destroy()));

async function startBt(host: string, bootstrap: string[] | false): Promise<InstanceType<typeof DHT>> {
  const dht = new DHT({ bootstrap, host, timeout: 500 });
  outside.push(dht);
  dht.on('warning', () => {});
  await new Promise<void>((resolve) => dht.listen(0, host, () => resolve()));
  if (bootstrap) await new Promise<void>((resolve) => dht.once('ready', () => resolve()));
  return dht;
}

test('a Mainline stress swarm joins a network of bittorrent-dht nodes and stores and reads there', { timeout: 60_000 }, async () => {
  const first = await startBt('127.0.51.1', false);
  const at = `127.0.51.1:${first.address().port}`;
  for (let i = 2; i <= 6; i++) await startBt(`127.0.51.${i}`, [at]);

  const report = await runStress(
    options([
      '--nodes',
      '40',
      '--transport',
      'udp',
      '--protocol',
      'mainline',
      '--host',
      '127.0.52.1',
      '--base-port',
      '0',
      '--threads',
      '1',
      '--misses',
      '5',
      '--bootstrap',
      at,
    ]),
  );
  assert.equal(report.bootstrap, at);
  assert.equal(report.protocol, 'mainline');
  assert.equal(report.joined, 39);
  assert.equal(report.found, 40);
  assert.equal(report.wrong, 0);
  assert.equal(report.miss_not_found, 5);
  assert.ok(report.answers > 0 && report.answers <= report.messages);
  // the outside nodes took part: they hold some of the swarm's items (bittorrent-dht keeps them in its _values cache)
  const ours = new Set(Array.from({ length: 40 }, (_, n) => Buffer.from(itemKeyOf(n)).toString('hex')));
  const held = outside.flatMap((dht) => Object.keys((dht as unknown as { _values: { cache: Record<string, unknown> } })._values.cache));
  assert.ok(held.length > 0, 'bittorrent-dht nodes stored items');
  assert.ok(
    held.every((key) => ours.has(key)),
    'and only ours',
  );
});

test('--bootstrap: only over udp; an address nobody answers at stops the run with its reason', async () => {
  assert.throws(() => options(['--transport', 'sim', '--bootstrap', '127.0.0.1:1']), /--bootstrap needs --transport udp/);
  assert.throws(() => options(['--bootstrap', 'nowhere']), /--bootstrap/);
  await assert.rejects(
    runStress(
      options([
        '--nodes',
        '3',
        '--transport',
        'udp',
        '--host',
        '127.0.53.1',
        '--base-port',
        '0',
        '--threads',
        '1',
        '--timeout',
        '200',
        '--bootstrap',
        '127.0.54.1:9',
      ]),
    ),
    /could not join the network through 127\.0\.54\.1:9: no answer from 127\.0\.54\.1:9/,
  );
});
