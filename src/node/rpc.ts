// Outgoing requests and their responses. A response is accepted only if its request id
// AND its source address match a pending request and its type answers that request;
// anything else (late, duplicate, unmatched, spoofed) is dropped and counted.
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { Address, Transport } from '../net/transport.js';
import { encodeMessage, REQUEST_ID_BYTES } from '../protocol/codec.js';
import { MAX_DATAGRAM_BYTES } from '../protocol/limits.js';
import { expectedResponse, type Message, type RequestBody, type ResponseBody } from '../protocol/messages.js';
import type { RandomSource } from '../util/random.js';

/** Called once per request: the response, or null after the timeout. */
export type ResponseCallback = (response: ResponseBody | null) => void;

interface Pending {
  to: Address;
  expect: ResponseBody['type'];
  timer: TimerHandle;
  callback: ResponseCallback;
}

export interface RpcCounters {
  requestsSent: number;
  responsesSent: number;
  responsesAccepted: number;
  timeouts: number;
  /** Answer to a request that had already timed out. */
  lateResponses: number;
  /** Second answer to a request already answered. */
  duplicateResponses: number;
  /** Unknown request id, wrong source address or wrong response type. */
  unmatchedResponses: number;
  /** Messages that would not fit in one datagram (never sent). */
  oversized: number;
}

const RECENT_LIMIT = 1024;

export class Rpc {
  readonly counters: RpcCounters = {
    requestsSent: 0,
    responsesSent: 0,
    responsesAccepted: 0,
    timeouts: 0,
    lateResponses: 0,
    duplicateResponses: 0,
    unmatchedResponses: 0,
    oversized: 0,
  };
  private readonly pending = new Map<string, Pending>();
  /** Ids of recently finished requests, to tell late and duplicate answers apart. */
  private readonly recent = new Map<string, 'answered' | 'timed out'>();

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly selfId: Uint8Array,
    readonly timeoutMs: number,
  ) {}

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request; `callback` gets the matching response or null on timeout. */
  request(to: Address, body: RequestBody, callback: ResponseCallback): void {
    const requestId = this.random.bytes(REQUEST_ID_BYTES);
    const datagram = encodeMessage({ requestId, sender: this.selfId, body });
    if (datagram.length > MAX_DATAGRAM_BYTES) {
      this.counters.oversized++;
      callback(null);
      return;
    }
    const key = Buffer.from(requestId).toString('hex');
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(key);
      this.remember(key, 'timed out');
      this.counters.timeouts++;
      callback(null);
    }, this.timeoutMs);
    this.pending.set(key, { to: { host: to.host, port: to.port }, expect: expectedResponse(body), timer, callback });
    this.counters.requestsSent++;
    this.transport.send(to, datagram);
  }

  /** Sends the response to a request we received. */
  respond(to: Address, requestId: Uint8Array, body: ResponseBody): void {
    const datagram = encodeMessage({ requestId, sender: this.selfId, body });
    if (datagram.length > MAX_DATAGRAM_BYTES) {
      this.counters.oversized++;
      return;
    }
    this.counters.responsesSent++;
    this.transport.send(to, datagram);
  }

  /** Routes a response to its request; false if it matched none (and was counted). */
  accept(message: Message, from: Address): boolean {
    const key = Buffer.from(message.requestId).toString('hex');
    const pending = this.pending.get(key);
    if (!pending || pending.to.port !== from.port || pending.to.host !== from.host || pending.expect !== message.body.type) {
      const recent = pending ? undefined : this.recent.get(key);
      if (recent === 'timed out') this.counters.lateResponses++;
      else if (recent === 'answered') this.counters.duplicateResponses++;
      else this.counters.unmatchedResponses++;
      return false;
    }
    this.pending.delete(key);
    this.clock.clearTimeout(pending.timer);
    this.remember(key, 'answered');
    this.counters.responsesAccepted++;
    pending.callback(message.body as ResponseBody);
    return true;
  }

  /** Fails every pending request now (the node is stopping). */
  cancelAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      this.clock.clearTimeout(p.timer);
      p.callback(null);
    }
  }

  private remember(key: string, outcome: 'answered' | 'timed out'): void {
    this.recent.set(key, outcome);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value as string);
  }
}
