// Outgoing requests and their responses. A response is accepted only if its request id
// AND its source address match a pending request and its type answers that request;
// anything else (late, duplicate, unmatched, spoofed) is dropped and counted.
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { Address, Transport } from '../net/transport.js';
import { REQUEST_ID_BYTES } from '../protocol/codec.js';
import { type PendingLookup, type WireCodec, wireCodec } from '../protocol/wire-codec.js';
import { MAX_DATAGRAM_BYTES } from '../protocol/limits.js';
import { expectedResponse, type Message, type PeerAddress, type RequestBody, type ResponseBody } from '../protocol/messages.js';
import type { RandomSource } from '../util/random.js';
import { RttEstimator } from './rtt-estimator.js';
import { TokenBucket } from '../util/token-bucket.js';
import type { ResponseCallback, ResponseHandler } from './response-handler.js';
import { pendingRequests, type PendingRequests } from './pending-requests.js';

export interface RpcCounters {
  requestsSent: number;
  responsesSent: number;
  /** Bytes of every datagram this node sent (in a simulation, what the codec would have made of each message). */
  bytesSent: number;
  responsesAccepted: number;
  /** Of those, error answers (Mainline's KRPC errors: a refusal, or an answer that says nothing). */
  errorAnswers: number;
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
  /** Answers to unproven askers cut down to AMPLIFICATION_FACTOR times their request (contacts dropped, a value withheld). */
  answersTrimmed: number;
  /** Answers to unproven askers not sent: the node's budget of bytes per second for them was spent. */
  answersOverBudget: number;
}

/** How much a node may send to askers that have not proven they receive at their address. */
export interface UnprovenBudget {
  /** Bytes per second, over all such askers. */
  bytesPerSecond: number;
  burst: number;
}

/** The shortest a request waits once answers have been timed (unless the timeout itself is shorter). */
export const DEFAULT_TIMEOUT_FLOOR_MS = 250;

/** Finished request ids remembered to tell late and duplicate answers apart (per node: kept small). */
const RECENT_SLOTS = 32;
/** What each response type is as a record stores it (pending-requests.ts). */
const EXPECT: Record<ResponseBody['type'], number> = { PONG: 1, STORED: 2, NODES: 3, VALUE: 4, PEERS: 5, ANNOUNCED: 6 };
const EXPECTED_TYPE = Object.fromEntries(Object.entries(EXPECT).map(([type, code]) => [code, type])) as Record<
  number,
  ResponseBody['type']
>;
const NONE = -1;
const ANSWERED = 1;
const TIMED_OUT = 2;

/** A request id as a number: its first 53 bits (exact in a double). The full id is still compared. */
function requestKey(id: Uint8Array): number {
  return (
    (((id[0] << 24) | (id[1] << 16) | (id[2] << 8) | id[3]) >>> 0) * 2097152 +
    ((((id[4] << 24) | (id[5] << 16) | (id[6] << 8) | id[7]) >>> 0) >>> 11)
  );
}

/** The 11 bits of a request id that requestKey leaves out. */
function requestTail(id: Uint8Array): number {
  return ((id[6] & 0x07) << 8) | id[7];
}

export class Rpc implements PendingLookup {
  readonly counters: RpcCounters = {
    requestsSent: 0,
    bytesSent: 0,
    responsesSent: 0,
    responsesAccepted: 0,
    errorAnswers: 0,
    timeouts: 0,
    lateResponses: 0,
    duplicateResponses: 0,
    unmatchedResponses: 0,
    oversized: 0,
    callbackErrors: 0,
    answersTrimmed: 0,
    answersOverBudget: 0,
  };
  /** Answer bytes left for unproven askers; made on the first such answer. */
  private unprovenBytes: TokenBucket | null = null;
  /** The process's pool of pending requests; ours carry `owner`. */
  private readonly pool: PendingRequests = pendingRequests;
  private readonly owner = this.pool.newOwner();
  /** Requests waiting for their answer. */
  private waiting = 0;
  /**
   * Deadlines never precede an earlier request's (see request()), so they come in send
   * order: one queue (records linked from first to last) and one armed timer per node
   * instead of a timer per request. Settled records are skipped when they reach the head.
   */
  private first = NONE;
  private last = NONE;
  private readonly rtt: RttEstimator;
  private timer: TimerHandle | null = null;
  /** When the armed timer fires. */
  private timerAt = 0;
  private expiring = false;
  /**
   * A ring of recently finished requests: the key if answered, -1 - key if timed out, NaN
   * if empty. A plain array of doubles (kept unboxed by V8): a Float64Array would add an
   * ArrayBuffer and a separately allocated backing store to every node, ~200 bytes more.
   */
  private readonly recent: number[] = new Array<number>(RECENT_SLOTS).fill(NaN);
  private recentNext = 0;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    private readonly selfId: Uint8Array,
    /** The longest a request waits; answers seen bring it down to srtt + 4 rttvar, never below timeoutFloorMs. */
    readonly timeoutMs: number,
    timeoutFloorMs = Math.min(timeoutMs, DEFAULT_TIMEOUT_FLOOR_MS),
    private readonly unprovenBudget: UnprovenBudget | null = null,
    readonly codec: WireCodec = wireCodec('kadswarm'),
    /** BEP 43: our queries say we are read-only. */
    private readonly readOnly = false,
  ) {
    this.rtt = new RttEstimator(timeoutFloorMs, timeoutMs);
  }

  /** How long a request sent now would wait for its answer. */
  get currentTimeoutMs(): number {
    return this.rtt.timeoutMs;
  }

  get inFlight(): number {
    return this.waiting;
  }

  /** Sends a request; `callback` gets the matching response or null on timeout. */
  request(to: Address, body: RequestBody, callback: ResponseCallback): void {
    this.send(to, body, callback, null, 0);
  }

  /** Sends a request; handler.answered(tag, ...) gets the matching response or null on timeout. */
  requestFor(to: Address, body: RequestBody, handler: ResponseHandler, tag: number): void {
    this.send(to, body, null, handler, tag);
  }

  private send(to: Address, body: RequestBody, callback: ResponseCallback | null, handler: ResponseHandler | null, tag: number): void {
    const requestId = this.random.bytes(REQUEST_ID_BYTES);
    const key = requestKey(requestId);
    // a 53-bit collision among our own pending requests (astronomically rare, but never mix
    // them up), or a message too large to send: it fails at once
    const payload = this.pool.find(this.owner, key) !== NONE ? null : this.prepare(this.query(requestId, body), to);
    if (!payload) {
      if (handler) handler.answered(tag, null);
      else callback!(null);
      return;
    }
    const now = this.clock.now();
    // When the estimate drops, a request waits no less than a pending one sent before it:
    // deadlines stay in send order, so the queue and its one timer still hold.
    // (While any request is waiting, the queue's last record is the latest one sent.)
    const earliest = this.waiting === 0 ? now : this.pool.deadline(this.last);
    const deadline = Math.max(earliest, now + this.rtt.timeoutMs);
    const record = this.pool.add(
      this.owner,
      key,
      requestTail(requestId),
      to.host,
      to.port,
      EXPECT[expectedResponse(body)],
      now,
      deadline,
      callback,
      handler,
      tag,
    );
    this.waiting++;
    if (this.last === NONE) this.first = record;
    else this.pool.link(this.last, record);
    this.last = record;
    // expire() re-arms itself for the head; otherwise arm for this deadline unless the timer
    // fires before it (it can fire after: the requests it was armed for may all be answered)
    if (!this.expiring && (this.timer === null || this.timerAt > deadline)) this.arm(deadline, now);
    this.counters.requestsSent++;
    this.transmit(to, payload);
  }

  private query(requestId: Uint8Array, body: RequestBody): Message {
    const message: Message = { requestId, sender: this.selfId, body };
    if (this.readOnly) message.readOnly = true;
    return message;
  }

  /**
   * Sends the response to a request we received. `maxBytes` > 0: the asker has not proven
   * it receives at its address (no valid token), and its request was maxBytes /
   * AMPLIFICATION_FACTOR bytes: a larger answer is cut down to fit, and every such answer
   * draws on the node's budget for unproven askers. 0: no limit (proven, or on a transport
   * that carries messages, where there are no bytes to count).
   */
  respond(to: Address, requestId: Uint8Array, body: ResponseBody, maxBytes = 0): void {
    let payload = this.prepare({ requestId, sender: this.selfId, body }, to);
    if (!payload) return;
    if (maxBytes > 0 && payload instanceof Uint8Array) {
      const cap = Math.max(maxBytes, this.codec.unprovenAnswerFloor);
      if (payload.length > cap) {
        payload = this.trimmed(to, requestId, body, cap);
        this.counters.answersTrimmed++;
        if (!payload) return;
      }
      if (this.unprovenBudget) {
        const now = this.clock.now();
        this.unprovenBytes ??= new TokenBucket(this.unprovenBudget.bytesPerSecond, this.unprovenBudget.burst, now);
        if (!this.unprovenBytes.take(payload.length, now)) {
          this.counters.answersOverBudget++;
          return;
        }
      }
    }
    this.counters.responsesSent++;
    this.transmit(to, payload);
  }

  /** The answer cut to at most maxBytes: a value withheld (ask again with the token), contacts dropped from the far end. */
  private trimmed(to: Address, requestId: Uint8Array, body: ResponseBody, maxBytes: number): Uint8Array | null {
    let fitted = body;
    if (fitted.type === 'VALUE' && fitted.value !== null)
      fitted = { ...fitted, value: null, ttlMs: 0, contacts: [], auth: null, withheld: true };
    for (;;) {
      const payload = this.prepare({ requestId, sender: this.selfId, body: fitted }, to);
      if (!(payload instanceof Uint8Array) || payload.length <= maxBytes) return payload as Uint8Array | null;
      if (fitted.type !== 'NODES' && fitted.type !== 'VALUE' && fitted.type !== 'PEERS') return null;
      // a packed contact takes 26 bytes or more, a peer 6: drop enough at once, then check again
      const excess = payload.length - maxBytes;
      if (fitted.contacts.length > 0) {
        const keep = Math.max(0, fitted.contacts.length - Math.max(1, Math.ceil(excess / 26)));
        fitted = { ...fitted, contacts: fitted.contacts.slice(0, keep) };
      } else if (fitted.type === 'PEERS' && fitted.peers.length > 0) {
        const keep = Math.max(0, fitted.peers.length - Math.max(1, Math.ceil(excess / 6)));
        fitted = { ...fitted, peers: fitted.peers.slice(0, keep) };
      } else return null;
    }
  }

  /** A protocol error answer (Mainline's KRPC errors) to a query we could not take. */
  respondError(to: Address, requestId: Uint8Array, code: number, message: string): void {
    const datagram = this.transport.sendMessage ? null : this.codec.encodeError(requestId, code, message);
    if (datagram === null) return;
    this.counters.responsesSent++;
    this.counters.bytesSent += datagram.length;
    this.transport.send(to, datagram);
  }

  /** What the pending request with this id, sent to `from`, expects as its answer (null: none is pending). */
  expectedFor(requestId: Uint8Array, from: PeerAddress): ResponseBody['type'] | null {
    if (requestId.length !== REQUEST_ID_BYTES) return null;
    const record = this.pool.find(this.owner, requestKey(requestId));
    if (record === NONE) return null;
    const code = this.pool.expectOf(record);
    return this.pool.matches(record, requestTail(requestId), from.host, from.port, code) ? EXPECTED_TYPE[code] : null;
  }

  /**
   * Encodes a message for the transport, or hands it over as is when the transport carries
   * messages (the simulator). Null when it would not fit in one datagram (counted). A
   * message-carrying transport skips the size check: every message the node builds fits
   * by construction (values are capped at MAX_VALUE_BYTES, replies at k contacts), and the
   * codec tests and UDP runs check exactly that.
   */
  private prepare(message: Message, to: Address): Uint8Array | Message | null {
    if (this.transport.sendMessage) return message;
    const datagram = this.codec.encode(message, to, this.transport.copiesOnSend === true);
    if (datagram.length > MAX_DATAGRAM_BYTES) {
      this.counters.oversized++;
      return null;
    }
    return datagram;
  }

  private transmit(to: Address, payload: Uint8Array | Message): void {
    if (payload instanceof Uint8Array) {
      this.counters.bytesSent += payload.length;
      this.transport.send(to, payload);
    } else {
      this.counters.bytesSent += this.codec.size(payload, to);
      this.transport.sendMessage!(to, payload);
    }
  }

  /** Routes a response to its request; false if it matched none (and was counted). */
  accept(message: Message, from: Address): boolean {
    const key = requestKey(message.requestId);
    const pool = this.pool;
    const record = pool.find(this.owner, key);
    if (
      record === NONE ||
      !pool.matches(record, requestTail(message.requestId), from.host, from.port, EXPECT[message.body.type as ResponseBody['type']])
    ) {
      const recent = record !== NONE ? 0 : this.recentOutcome(key);
      if (recent === TIMED_OUT) {
        this.counters.lateResponses++;
        this.rtt.late();
      } else if (recent === ANSWERED) this.counters.duplicateResponses++;
      else this.counters.unmatchedResponses++;
      return false;
    }
    this.remember(key, ANSWERED);
    this.rtt.sample(this.clock.now() - pool.sentAt(record));
    this.counters.responsesAccepted++;
    if (message.sender.length === 0) this.counters.errorAnswers++; // a KRPC error names no sender
    this.deliver(record, message.body as ResponseBody);
    // answers mostly come in send order: the answered head leaves the queue at once
    if (record === this.first) this.dropSettledHead();
    return true;
  }

  /** Fails every pending request now (the node is stopping). */
  cancelAll(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const pool = this.pool;
    const waiters: Array<{ callback: ResponseCallback | null; handler: ResponseHandler | null; tag: number }> = [];
    for (let r = this.first; r !== NONE;) {
      const after = pool.after(r);
      if (!pool.isSettled(r)) {
        waiters.push({ callback: pool.callback(r), handler: pool.handler(r), tag: pool.tag(r) });
        pool.settle(r);
      }
      pool.free(r);
      r = after;
    }
    this.first = this.last = NONE;
    this.waiting = 0;
    for (const { callback, handler, tag } of waiters) this.handOver(callback, handler, tag, null);
  }

  /** The timer: fails every request past its deadline, then re-arms for the next one. */
  private readonly expire = (): void => {
    this.timer = null;
    this.expiring = true; // callbacks below may send requests: arm once, at the end, for the head
    const now = this.clock.now();
    const pool = this.pool;
    while (this.first !== NONE) {
      const r = this.first;
      const settled = pool.isSettled(r);
      if (!settled && pool.deadline(r) > now) break;
      this.first = pool.after(r);
      if (this.first === NONE) this.last = NONE;
      if (settled) {
        pool.free(r);
        continue;
      }
      this.remember(pool.key(r), TIMED_OUT);
      this.counters.timeouts++;
      this.deliver(r, null);
      pool.free(r);
    }
    this.expiring = false;
    if (this.timer === null && this.first !== NONE) this.arm(pool.deadline(this.first), now);
  };

  /** Moves the queue's head past requests already settled, freeing them. */
  private dropSettledHead(): void {
    const pool = this.pool;
    while (this.first !== NONE && pool.isSettled(this.first)) {
      const r = this.first;
      this.first = pool.after(r);
      pool.free(r);
    }
    if (this.first === NONE) this.last = NONE;
  }

  private arm(deadline: number, now: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = this.clock.setTimeout(this.expire, Math.max(0, deadline - now));
  }

  /**
   * Settles request record r (from the timer or the receive path) and hands over its
   * answer. The record stays queued (the caller frees it once it leaves the queue).
   */
  private deliver(r: number, response: ResponseBody | null): void {
    const pool = this.pool;
    const callback = pool.callback(r);
    const handler = pool.handler(r);
    const tag = pool.tag(r);
    pool.settle(r);
    this.waiting--;
    this.handOver(callback, handler, tag, response);
  }

  /** Gives an answer to whoever waits for it: what the callback or handler throws is counted, never propagated. */
  private handOver(callback: ResponseCallback | null, handler: ResponseHandler | null, tag: number, response: ResponseBody | null): void {
    try {
      if (handler) handler.answered(tag, response);
      else callback!(response);
    } catch {
      this.counters.callbackErrors++;
    }
  }

  private remember(key: number, outcome: number): void {
    this.recent[this.recentNext] = outcome === ANSWERED ? key : -1 - key;
    this.recentNext = (this.recentNext + 1) % RECENT_SLOTS;
  }

  /** Only consulted for responses that matched nothing (rare): a linear scan is fine. */
  private recentOutcome(key: number): number {
    for (let i = 0; i < RECENT_SLOTS; i++) {
      if (this.recent[i] === key) return ANSWERED;
      if (this.recent[i] === -1 - key) return TIMED_OUT;
    }
    return 0;
  }
}
