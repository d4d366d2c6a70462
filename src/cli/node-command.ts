// `kademlia -l HOST:PORT [-r HOST:PORT]`: one node on UDP, a drop-in for the seed's CLI.
// The banner and diagnostics go to stderr; stdout carries one line per command.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { RealClock } from '../clock/clock.js';
import { backend } from '../distance/index.js';
import { idToHex, keyFromString } from '../id/id.js';
import { formatAddress, UdpTransport } from '../net/udp-transport.js';
import { KademliaNode } from '../node/kademlia-node.js';
import { MAX_VALUE_BYTES } from '../protocol/codec.js';
import { parseAddress } from './address.js';
import { type Command, parseCommand } from './commands.js';
import { HELP } from './run.js';
import { UsageError } from './usage-error.js';

function parseNodeArgs(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        listen: { type: 'string', short: 'l' },
        remote: { type: 'string', short: 'r' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const { values } = parsed;
  if (values.help) return { help: true as const };
  if (!values.listen) throw new UsageError('-l HOST:PORT is required');
  const timeout = values.timeout === undefined ? 1000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) throw new UsageError(`--timeout must be a positive integer (got "${values.timeout}")`);
  return {
    help: false as const,
    listen: parseAddress(values.listen, '-l', { allowPortZero: true }),
    remote: values.remote === undefined ? undefined : parseAddress(values.remote, '-r'),
    timeout,
  };
}

export async function runNodeCommand(args: string[]): Promise<void> {
  const options = parseNodeArgs(args);
  if (options.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let transport: UdpTransport;
  try {
    transport = await UdpTransport.open(options.listen.host, options.listen.port);
  } catch (error) {
    throw new Error((error as Error).message); // one line, exit 2
  }
  const node = new KademliaNode(transport, new RealClock(), { requestTimeoutMs: options.timeout });
  node.start();
  process.stdout.on('error', () => {}); // a closed stdout (e.g. the reader went away) must not kill the node
  process.stderr.write(`kademlia node ${idToHex(node.id)} listening on ${formatAddress(transport.local)} (backend: ${backend})\n`);
  process.stderr.write('Commands: "I key value" store, "G key" get, "Q" quit\n');

  const stop = (code: number) => {
    node.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  // Commands wait for the join and run one at a time, so output follows input order.
  let queue: Promise<unknown> = Promise.resolve();
  if (options.remote) {
    const remote = options.remote;
    queue = node.bootstrap(remote).then((joined) => {
      if (joined.ok) process.stderr.write(`joined through ${formatAddress(remote)}: ${joined.contacts} contacts\n`);
      else process.stderr.write(`kademlia: could not join through ${formatAddress(remote)} (${joined.reason}); serving alone\n`);
    });
  }

  const input = createInterface({ input: process.stdin, terminal: false });
  input.on('line', (line) => {
    const command = parseCommand(line);
    queue = queue.then(() => execute(node, command, stop));
  });
  // End of stdin is not a stop: the seed pipes one command in and the node keeps serving.
  input.on('close', () => {});
}

async function execute(node: KademliaNode, command: Command, stop: (code: number) => void): Promise<void> {
  const say = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  switch (command.kind) {
    case 'blank':
      return;
    case 'invalid':
      return say(`Error: ${command.message}`);
    case 'quit':
      return stop(0);
    case 'insert': {
      const value = Buffer.from(command.value, 'utf8');
      if (value.length > MAX_VALUE_BYTES) return say(`Error: value too large (${value.length} bytes; the limit is ${MAX_VALUE_BYTES})`);
      const result = await node.store(keyFromString(command.key), value);
      if (result.replicas === 0) return say(`Error: ${command.key} not stored (${result.refusals[0] ?? 'no node answered'})`);
      return say(`Stored ${command.key} on ${result.replicas} node${result.replicas === 1 ? '' : 's'}`);
    }
    case 'get': {
      const result = await node.get(keyFromString(command.key));
      return say(result.value === null ? 'Not found' : Buffer.from(result.value).toString('utf8'));
    }
  }
}
