// Messages between a threaded UDP swarm (main thread) and the worker threads that host
// its other nodes. Node numbers here are the worker's own (0 = its first node).
import type { Census, RpcTotals } from './swarm.js';
import type { Address } from '../net/transport.js';
import type { GetResult, JoinResult, StoreResult } from '../node/kademlia-node.js';
import type { NodeOptions } from '../node/options.js';
import type { UdpIo } from '../net/udp-socket-group.js';

/** workerData: which nodes the worker hosts and how. */
export interface WorkerSetup {
  nodes: number;
  host: string;
  /** Port of the worker's first node; 0 lets the system pick every port. */
  basePort: number;
  /** Its node j listens on basePort + j * portStep. */
  portStep: number;
  /** The swarm-wide index of its node 0 (its node j is firstIndex + j * portStep): picks their addresses. */
  firstIndex: number;
  /** Seeds the worker's node ids (a stream of its own, distinct from every other thread's). */
  seed: number;
  node: NodeOptions;
  io: UdpIo;
  /** Nodes of the whole swarm that start; the others wait, down, for a rejoin. */
  active: number;
}

export type ToWorker =
  | { type: 'join'; id: number; node: number; entry: Address }
  | { type: 'publish'; id: number; node: number; key: Uint8Array | null; value: Uint8Array }
  | { type: 'stop'; node: number }
  | { type: 'rejoin'; id: number; node: number; entry: Address }
  | { type: 'find'; id: number; node: number; key: Uint8Array }
  | { type: 'census'; id: number }
  | { type: 'traffic'; id: number }
  | { type: 'close' };

export interface WorkerTraffic extends RpcTotals {
  sent: number;
  received: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'joined'; id: number; result: JoinResult }
  | { type: 'published'; id: number; result: StoreResult }
  | { type: 'found'; id: number; result: GetResult; ms: number }
  | { type: 'census'; id: number; census: Census }
  | ({ type: 'traffic'; id: number } & WorkerTraffic);
