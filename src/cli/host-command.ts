// `kademlia host --nodes N --base-port P -r HOST:PORT`: N UDP nodes in this process, joined
// to an existing network. Several hosts (on one machine or many) form one DHT: this is
// how a swarm grows past one process's socket limit. Stdin commands go to the first node.
import { isIP } from 'node:net';
import { backend } from '../distance/index.js';
import { formatAddress } from '../net/udp-transport.js';
import { chooseUdpIo } from '../net/udp-socket-group.js';
import { joinPhase } from '../stress/phases.js';
import { createProgress } from '../stress/progress.js';
import { createUdpSwarm, nodeHost } from '../stress/swarm.js';
import { HostStates } from './host-states.js';
import { CryptoRandom } from '../util/random.js';
import type { Gateway } from '../gateway/gateway.js';
import { swarmTarget } from '../stress/swarm-target.js';
import { Telemetry } from '../telemetry/telemetry.js';
import { parseAddress } from './address.js';
import { HTTP_FLAGS, HTTP_HELP, parseHttpFlags, startCliGateway } from './http-flag.js';
import { serveCommands } from './execute.js';
import { numberFlag, parseFlags, positiveInteger, protocolFlag } from './flags.js';
import { NODE_FLAGS, NODE_FLAGS_HELP, parseNodeFlags } from './node-flags.js';
import { UsageError } from './usage-error.js';
import { COMMANDS_LINE } from './help.js';
import { plural } from '../util/plural.js';

export const HOST_HELP = `Usage: kademlia host --nodes N --base-port P -r HOST:PORT [options]
  Hosts N UDP nodes in this process, joined to the network that HOST:PORT belongs to, and
  serves until stopped. Reads the same stdin commands as a single node (I, G, Q), answered
  through its first node.

  --nodes N         nodes to host (default 100)
  --base-port P     node i listens on P+i; 0 lets the system pick (default 0)
  --host H          address to listen on (default 127.0.0.1); on loopback, node i
                    listens on H + i (127.0.0.1, 127.0.0.2, ...), so per-IP limits
                    treat the nodes as separate hosts
  -r, --remote A    a node of the network to join (required)
  --timeout MS      the longest a request waits (default 1000; see the README)
  --protocol P      kadswarm (default: our MessagePack protocol) or mainline
                    (BitTorrent's DHT: KRPC, BEP 5, 44 and 42)
  --state DIR       keep each node's id, key, contacts and published values in
                    DIR/node-<i>.json (saved every 5 minutes and at exit, loaded at start)
${HTTP_HELP}
  --no-progress     no join progress bar

${NODE_FLAGS_HELP}`;

export async function runHostCommand(args: string[]): Promise<void> {
  const values = parseFlags(args, {
    nodes: { type: 'string' },
    'base-port': { type: 'string' },
    host: { type: 'string' },
    remote: { type: 'string', short: 'r' },
    timeout: { type: 'string' },
    protocol: { type: 'string' },
    state: { type: 'string' },
    ...NODE_FLAGS,
    ...HTTP_FLAGS,
    'no-progress': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${HOST_HELP}\n`);
    return;
  }
  const nodes = Number(values.nodes ?? 100);
  if (!Number.isInteger(nodes) || nodes < 1) throw new UsageError(`--nodes must be a positive integer (got "${values.nodes}")`);
  const basePort = Number(values['base-port'] ?? 0);
  if (!Number.isInteger(basePort) || basePort < 0 || (basePort > 0 && basePort + nodes - 1 > 65535)) {
    throw new UsageError(`--base-port must leave room for ${nodes} ports below 65536 (got "${values['base-port']}")`);
  }
  const host = values.host ?? '127.0.0.1';
  if (isIP(host) === 0) throw new UsageError(`--host must be an IP address (got "${host}")`);
  if (!values.remote) throw new UsageError('-r HOST:PORT is required (a node of the network to join)');
  const remote = parseAddress(values.remote, '-r');
  const timeout = numberFlag('timeout', values.timeout, 1000, positiveInteger, 'a positive integer');
  const http = parseHttpFlags(values);
  const protocol = protocolFlag(values.protocol);
  const states = values.state === undefined ? null : new HostStates(values.state, nodes, protocol);

  // Random ids from the OS: hosts in other processes must never share ids with ours.
  const swarm = await createUdpSwarm({
    nodes,
    seed: 0,
    random: new CryptoRandom(),
    node: { ...parseNodeFlags(values), requestTimeoutMs: timeout, protocol },
    identities: states?.identities((j) => nodeHost(host, j)),
    host,
    basePort,
    io: chooseUdpIo(backend),
  });
  const first = swarm.nodes[0];
  const last = swarm.nodes[nodes - 1];
  process.stderr.write(
    `kademlia host: ${plural(nodes, 'node')} on ${formatAddress(first.address)}..${formatAddress(last.address)} (protocol: ${protocol}, backend: ${backend}, UDP I/O: ${swarm.io})\n`,
  );
  process.stderr.write(`(through the first node) ${COMMANDS_LINE}`);
  const telemetry = new Telemetry();
  let gateway: Gateway | undefined;
  if (http) {
    try {
      gateway = await startCliGateway(http, swarmTarget('host', swarm), telemetry);
    } catch (error) {
      swarm.close();
      throw error;
    }
  }
  const ready = (async () => {
    telemetry.setPhase('join', nodes);
    const joined = await first.bootstrap(remote);
    if (!joined.ok) {
      process.stderr.write(`kademlia: could not join through ${formatAddress(remote)} (${joined.reason}); serving alone\n`);
    }
    // the others join through our first node, as the network grows
    const rest = await joinPhase(swarm, 32, telemetry.progress(createProgress(!values['no-progress'])));
    telemetry.setPhase('serving');
    process.stderr.write(`joined through ${formatAddress(remote)}: ${rest + (joined.ok ? 1 : 0)} of ${nodes} nodes\n`);
  })();
  const stopSaving = states?.resumeAndKeepSaving(swarm.nodes);
  serveCommands(first, ready, () => {
    stopSaving?.(); // before the nodes stop, which empties their tables
    gateway?.close();
    swarm.close();
  });
}
