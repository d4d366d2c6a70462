// The stdin commands (I, G, PUT, GET, ANNOUNCE, PEERS, Q) of `kademlia -l` and `kademlia host`: one result line each
// on stdout, in input order, after the node has joined.
import { createInterface } from 'node:readline';
import { idFromHex, idToHex, keyFromString } from '../id/id.js';
import type { KademliaNode } from '../node/kademlia-node.js';
import { MAX_VALUE_BYTES } from '../protocol/codec.js';
import { plural } from '../util/plural.js';
import { formatAddress } from '../net/udp-transport.js';
import { type Command, parseCommand } from './commands.js';

/**
 * Reads commands from stdin until Q (or SIGINT/SIGTERM), running each against `node` once
 * `ready` settles. End of stdin is not a stop: the seed pipes one command in and the
 * node keeps serving.
 */
export function serveCommands(node: KademliaNode, ready: Promise<unknown>, shutdown: () => void): void {
  process.stdout.on('error', () => {}); // a closed stdout (the reader went away) must not kill the node
  const stop = (code: number) => {
    shutdown();
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  let queue = ready;
  createInterface({ input: process.stdin, terminal: false }).on('line', (line) => {
    const command = parseCommand(line);
    queue = queue.then(() => executeCommand(node, command, stop));
  });
}

export async function executeCommand(node: KademliaNode, command: Command, stop: (code: number) => void): Promise<void> {
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
      return say(`Stored ${command.key} on ${plural(result.replicas, 'node')}`);
    }
    case 'get': {
      const result = await node.get(keyFromString(command.key));
      return say(result.value === null ? 'Not found' : Buffer.from(result.value).toString('utf8'));
    }
    case 'put-item': {
      const value = Buffer.from(command.text, 'utf8');
      if (value.length > MAX_VALUE_BYTES) return say(`Error: value too large (${value.length} bytes; the limit is ${MAX_VALUE_BYTES})`);
      const result = await node.putImmutable(value);
      if (result.replicas === 0) return say(`Error: not stored (${result.refusals[0] ?? 'no node answered'})`);
      return say(`Stored ${idToHex(result.key)} on ${plural(result.replicas, 'node')}`);
    }
    case 'get-item': {
      const result = await node.get(idFromHex(command.target));
      return say(result.value === null ? 'Not found' : Buffer.from(result.value).toString('utf8'));
    }
    case 'announce': {
      const result = await node.announce(idFromHex(command.infoHash), command.port);
      if (result.announced === 0) return say(`Error: ${command.infoHash} not announced (${result.refusals[0] ?? 'no node answered'})`);
      return say(`Announced ${command.infoHash} on ${plural(result.announced, 'node')}`);
    }
    case 'peers': {
      const { peers } = await node.getPeers(idFromHex(command.infoHash));
      return say(peers.length === 0 ? 'Not found' : peers.map((peer) => formatAddress(peer)).join(' '));
    }
  }
}
