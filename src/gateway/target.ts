// What a gateway serves: one node (`kademlia -l`), or the nodes of a stress run or a host
// process (src/stress/swarm-target.ts). Gets and puts go through the entry node; stats sum
// over every node.
import type { KademliaNode } from '../node/kademlia-node.js';

export interface GatewayTarget {
  readonly kind: 'node' | 'stress' | 'host';
  readonly nodes: readonly KademliaNode[];
  /** The node that gets and puts go through. */
  readonly entry: KademliaNode;
  /** Starts an operation and resolves with its result (in a simulation, running virtual time until then). */
  drive<T>(start: (done: (result: T) => void) => void): Promise<T>;
  /** ms on the target's time basis (virtual in a simulation): get latencies are measured on it. */
  now(): number;
  /** Datagrams lost on the way (simulated loss, dead receivers, kernel drops, send errors). */
  dropped(): number;
}

export function nodeTarget(node: KademliaNode, sendErrors: () => number): GatewayTarget {
  return {
    kind: 'node',
    nodes: [node],
    entry: node,
    drive: (start) => new Promise(start),
    now: () => performance.now(),
    dropped: () => sendErrors() + node.stats().traffic.malformed,
  };
}

/**
 * Runs an operation through target.drive, but hands back the result itself when it came
 * at once (a value in local storage): the caller can answer in the same tick.
 */
export function runNowOrLater<T>(target: GatewayTarget, start: (done: (result: T) => void) => void): T | Promise<T> {
  let outcome: { result: T } | undefined;
  const later = target.drive<T>((done) =>
    start((result) => {
      outcome = { result };
      done(result);
    }),
  );
  return outcome ? outcome.result : later;
}
