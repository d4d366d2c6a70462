// `kademlia -l HOST:PORT [-r HOST:PORT]`: one node on UDP, a drop-in for the seed's CLI.
// The banner and diagnostics go to stderr; stdout carries one line per command.
import { RealClock } from '../clock/clock.js';
import { backend } from '../distance/index.js';
import { idToHex } from '../id/id.js';
import { formatAddress, UdpTransport } from '../net/udp-transport.js';
import { KademliaNode } from '../node/kademlia-node.js';
import type { Gateway } from '../gateway/gateway.js';
import { nodeTarget } from '../gateway/target.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { parseAddress } from './address.js';
import { HTTP_FLAGS, parseHttpFlags, startCliGateway } from './http-flag.js';
import { serveCommands } from './execute.js';
import { numberFlag, parseFlags, positiveInteger, protocolFlag } from './flags.js';
import { COMMANDS_LINE, HELP } from './help.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';
import { plural } from '../util/plural.js';

function parseNodeArgs(args: string[]) {
  const values = parseFlags(args, {
    listen: { type: 'string', short: 'l' },
    remote: { type: 'string', short: 'r' },
    timeout: { type: 'string' },
    protocol: { type: 'string' },
    ...HTTP_FLAGS,
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
  });
  if (values.help) return { help: true as const };
  if (values.version) return { version: true as const };
  if (!values.listen) throw new UsageError('-l HOST:PORT is required');
  const timeout = numberFlag('timeout', values.timeout, 1000, positiveInteger, 'a positive integer');
  return {
    listen: parseAddress(values.listen, '-l', { allowPortZero: true }),
    remote: values.remote === undefined ? undefined : parseAddress(values.remote, '-r'),
    http: parseHttpFlags(values),
    timeout,
    protocol: protocolFlag(values.protocol),
  };
}

export async function runNodeCommand(args: string[]): Promise<void> {
  const options = parseNodeArgs(args);
  if ('help' in options) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if ('version' in options) {
    process.stdout.write(`kadswarm ${packageVersion()}\n`);
    return;
  }
  const transport = await UdpTransport.open(options.listen.host, options.listen.port); // a failure is one line, exit 2
  const node = new KademliaNode(transport, new RealClock(), { requestTimeoutMs: options.timeout, protocol: options.protocol });
  node.start();
  process.stderr.write(
    `kademlia node ${idToHex(node.id)} listening on ${formatAddress(transport.local)} (protocol: ${options.protocol}, backend: ${backend})\n`,
  );
  process.stderr.write(COMMANDS_LINE);
  const telemetry = new Telemetry();
  let gateway: Gateway | undefined;
  if (options.http) {
    try {
      gateway = await startCliGateway(
        options.http,
        nodeTarget(node, () => transport.counters.sendErrors),
        telemetry,
      );
    } catch (error) {
      node.stop();
      throw error;
    }
  }

  // Commands wait for the join and run one at a time, so output follows input order.
  let ready: Promise<unknown> = Promise.resolve();
  if (options.remote) {
    const remote = options.remote;
    telemetry.setPhase('join', 1);
    ready = node.bootstrap(remote).then((joined) => {
      telemetry.setPhase('serving');
      if (joined.ok) process.stderr.write(`joined through ${formatAddress(remote)}: ${plural(joined.contacts, 'contact')}\n`);
      else process.stderr.write(`kademlia: could not join through ${formatAddress(remote)} (${joined.reason}); serving alone\n`);
    });
  } else telemetry.setPhase('serving');
  serveCommands(node, ready, () => {
    gateway?.close();
    node.stop();
  });
}
