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
  requestId: Uint8Array;
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
  /** Exceptions thrown by response callbacks (caught so a bug cannot kill the node): always 0 unless there is a bug. */
  callbackErrors: number;
}

/** Finished request ids remembered to tell late and duplicate answers apart (per node: kept small). */
const RECENT_SLOTS = 64;
const ANSWERED = 1;
const TIMED_OUT = 2;

/** A request id as a number: its first 53 bits (exact in a double). The full id is still compared. */
function requestKey(id: Uint8Array): number {
  return (((id[0] << 24) | (id[1] << 16) | (id[2] << 8) | id[3]) >>> 0) * 2097152 + ((((id[4] << 24) | (id[5] << 16) | (id[6] << 8) | id[7]) >>> 0) >>> 11);
}

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return a.length === b.length;
}

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
    callbackErrors: 0,
  };
  private readonly pending = new Map<number, Pending>();
  /** A ring of recently finished requests: key and outcome. */
  private readonly recentKeys = new Float64Array(RECENT_SLOTS).fill(-1);
  private readonly recentOutcomes = new Uint8Array(RECENT_SLOTS);
  private recentNext = 0;

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
    const key = requestKey(requestId);
    if (this.pending.has(key)) {
      // a 53-bit collision among our own pending requests: astronomically rare, but never mix them up
      callback(null);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(key);
      this.remember(key, TIMED_OUT);
      this.counters.timeouts++;
      this.deliver(callback, null);
    }, this.timeoutMs);
    this.pending.set(key, { requestId, to: { host: to.host, port: to.port }, expect: expectedResponse(body), timer, callback });
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
    const key = requestKey(message.requestId);
    const pending = this.pending.get(key);
    if (
      !pending ||
      !sameId(pending.requestId, message.requestId) ||
      pending.to.port !== from.port ||
      pending.to.host !== from.host ||
      pending.expect !== message.body.type
    ) {
      const recent = pending ? 0 : this.recentOutcome(key);
      if (recent === TIMED_OUT) this.counters.lateResponses++;
      else if (recent === ANSWERED) this.counters.duplicateResponses++;
      else this.counters.unmatchedResponses++;
      return false;
    }
    this.pending.delete(key);
    this.clock.clearTimeout(pending.timer);
    this.remember(key, ANSWERED);
    this.counters.responsesAccepted++;
    this.deliver(pending.callback, message.body as ResponseBody);
    return true;
  }

  /** Fails every pending request now (the node is stopping). */
  cancelAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      this.clock.clearTimeout(p.timer);
      this.deliver(p.callback, null);
    }
  }

  /** Runs a callback from a timer or the receive path: whatever it throws is counted, never propagated. */
  private deliver(callback: ResponseCallback, response: ResponseBody | null): void {
    try {
      callback(response);
    } catch {
      this.counters.callbackErrors++;
    }
  }

  private remember(key: number, outcome: number): void {
    this.recentKeys[this.recentNext] = key;
    this.recentOutcomes[this.recentNext] = outcome;
    this.recentNext = (this.recentNext + 1) % RECENT_SLOTS;
  }

  /** Only consulted for responses that matched nothing (rare): a linear scan is fine. */
  private recentOutcome(key: number): number {
    for (let i = 0; i < RECENT_SLOTS; i++) if (this.recentKeys[i] === key) return this.recentOutcomes[i];
    return 0;
  }
}
