// What a node reports about itself: one snapshot, read by the stress report, the gateway
// and tests, so that none of them reaches into the node's parts.
import type { RpcCounters } from './rpc.js';

export interface NodeCounters {
  datagramsIn: number;
  /** Datagrams that were not a valid message (dropped). */
  malformed: number;
  /** Messages claiming our own id (dropped). */
  fromSelf: number;
  requestsHandled: number;
  lookups: number;
  /** Exceptions caught on the receive path or in background upkeep: always 0 unless there is a bug. */
  internalErrors: number;
  /** Datagrams dropped unread: their source IP was over its rate (options.rateLimit). */
  rateLimited: number;
  /** Contacts ignored because their id does not match their IP (BEP 42, options.idFromIp). */
  idMismatches: number;
  /** Queries left unanswered because this node is read-only (BEP 43, options.readOnly). */
  queriesIgnored: number;
  /** Queries from read-only nodes (BEP 43): answered, their senders kept out of the table. */
  fromReadOnly: number;
}

export interface NodeStats {
  running: boolean;
  /** Contacts in the routing table. */
  contacts: number;
  /** Contacts per bucket (bucket 0: the farthest half of the id space), up to the deepest one that holds any. */
  buckets: number[];
  /** Values held for others and for us (not expired). */
  stored: { entries: number; bytes: number };
  /** Values we publish (and republish while we run). */
  published: number;
  /** Requests sent and not yet answered or timed out. */
  requestsInFlight: number;
  /** How long a request sent now would wait for its answer (adapts to the answers seen). */
  requestTimeoutMs: number;
  /** Republish, replication and refresh work: running now, and waiting its turn. */
  upkeep: { inFlight: number; queued: number };
  /** Exceptions caught and counted instead of crashing the node: 0 unless there is a bug. */
  exceptionsCaught: number;
  /** What reached the node and what it did with it. */
  traffic: NodeCounters;
  /** The RPC layer: requests, answers, timeouts, and what it refused. */
  rpc: RpcCounters;
}

export function newNodeCounters(): NodeCounters {
  return {
    datagramsIn: 0,
    malformed: 0,
    fromSelf: 0,
    requestsHandled: 0,
    lookups: 0,
    internalErrors: 0,
    rateLimited: 0,
    idMismatches: 0,
    queriesIgnored: 0,
    fromReadOnly: 0,
  };
}
