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
import { NODE_FLAGS, parseNodeFlags } from './node-flags.js';
import { COMMANDS_LINE, HELP } from './help.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from '../util/version.js';
import { plural } from '../util/plural.js';
import type { Address } from '../net/transport.js';
import type { ProtocolName } from '../protocol/wire-codec.js';
import { contactsFor, identityOf, type LoadedState, StateFile } from './state-file.js';

function parseNodeArgs(args: string[]) {
  const values = parseFlags(args, {
    listen: { type: 'string', short: 'l' },
    remote: { type: 'string', short: 'r' },
    timeout: { type: 'string' },
    protocol: { type: 'string' },
    state: { type: 'string' },
    'read-only': { type: 'boolean' },
    ...NODE_FLAGS,
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
    state: values.state,
    readOnly: values['read-only'] === true,
    settings: parseNodeFlags(values),
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
  const warn = (line: string) => process.stderr.write(`kademlia: ${line}\n`);
  const stateFile = options.state === undefined ? null : new StateFile(options.state);
  const saved = stateFile?.load(warn) ?? null;
  const transport = await UdpTransport.open(options.listen.host, options.listen.port); // a failure is one line, exit 2
  const node = new KademliaNode(transport, new RealClock(), {
    ...options.settings,
    requestTimeoutMs: options.timeout,
    protocol: options.protocol,
    readOnly: options.readOnly,
    ...(saved ? identityOf(saved, transport.local.host, warn) : {}),
  });
  node.start();
  process.stderr.write(
    `kademlia node ${idToHex(node.id)} listening on ${formatAddress(transport.local)} (protocol: ${options.protocol}${options.readOnly ? ', read-only' : ''}, backend: ${backend})\n`,
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

  // Saved contacts are pinged first: those that answer are back in the table, and without
  // -r the node rejoins through the first of them.
  const answered: Promise<Address[]> = saved ? resumeSaved(node, saved, options.protocol, warn) : Promise.resolve([]);
  const stopSaving = stateFile?.keepSaving(node, options.protocol, warn);

  // Commands wait for the join and run one at a time, so output follows input order.
  const ready = answered.then((alive) => {
    const remote = options.remote ?? alive[0];
    if (!remote) return telemetry.setPhase('serving');
    telemetry.setPhase('join', 1);
    return node.bootstrap(remote).then((joined) => {
      telemetry.setPhase('serving');
      if (joined.ok) process.stderr.write(`joined through ${formatAddress(remote)}: ${plural(joined.contacts, 'contact')}\n`);
      else process.stderr.write(`kademlia: could not join through ${formatAddress(remote)} (${joined.reason}); serving alone\n`);
    });
  });
  serveCommands(node, ready, () => {
    stopSaving?.(); // before stop(), which empties the routing table
    gateway?.close();
    node.stop();
  });
}

/** Republishes what was saved and pings the saved contacts; resolves with those that answered. */
function resumeSaved(node: KademliaNode, saved: LoadedState, protocol: ProtocolName, warn: (line: string) => void): Promise<Address[]> {
  const contacts = contactsFor(saved, protocol);
  if (saved.protocol !== protocol) warn(`the saved contacts are ${saved.protocol} nodes: not kept under --protocol ${protocol}`);
  return new Promise((resolve) =>
    node.resume({ contacts, published: saved.published }, (alive) => {
      process.stderr.write(
        `restored ${plural(saved.published.length, 'published value')}; ${alive.length} of ${plural(contacts.length, 'saved contact')} answered\n`,
      );
      resolve(alive);
    }),
  );
}
