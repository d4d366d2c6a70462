// Subcommand dispatch for `kademlia`.
import { runNodeCommand } from './node-command.js';
import { runStressCommand } from '../stress/run-stress.js';
import { runHostCommand } from './host-command.js';
import { UsageError } from './usage-error.js';

export const HELP = `Usage:
  kademlia -l HOST:PORT [-r HOST:PORT]    run one node; -r joins an existing network through it
  kademlia stress [options]               the seed's workload with N nodes in this process (stress --help)
  kademlia host --nodes N -r HOST:PORT    host N nodes in this process, joined to a network (host --help)

Once running, the node reads commands on stdin, one per line:
  I <key> <value>   store a value (the rest of the line); prints "Stored <key> on N nodes"
  G <key>           print the value, or "Not found"
  Q                 quit
End of stdin does not stop the node; Q, Ctrl-C or SIGTERM do.

Options:
  -l, --listen HOST:PORT   UDP address to listen on (port 0: any free port)
  -r, --remote HOST:PORT   a node of the network to join
      --timeout MS         the longest a request waits, in ms (default 1000; see the README)
      --http HOST:PORT     serve the HTTP/WebSocket gateway and dashboard (port 0: any free port)
  -h, --help               this help

Environment: KADEMLIA_NATIVE=0 forces the pure-TS backend, =1 requires the native addon.`;

export async function runCli(args: string[]): Promise<void> {
  const [first, ...rest] = args;
  if (first === 'stress') return runStressCommand(rest);
  if (first === 'host') return runHostCommand(rest);
  if (first !== undefined && !first.startsWith('-')) throw new UsageError(`unknown command "${first}"`);
  await runNodeCommand(args);
}
