// Outgoing requests and their responses. A response is accepted only if its request id
// AND its source address match a pending request and its type answers that request;
// anything else (late, duplicate, unmatched, spoofed) is dropped and counted.
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { Address, Transport } from '../net/transport.js';
import { encodeMessage, encodeMessageView, REQUEST_ID_BYTES } from '../protocol/codec.js';
import { MAX_DATAGRAM_BYTES } from '../protocol/limits.js';
import { expectedResponse, type Message, type RequestBody, type ResponseBody } from '../protocol/messages.js';
import type { RandomSource } from '../util/random.js';
import { RttEstimator } from './rtt-estimator.js';
import { TokenBucket } from '../util/token-bucket.js';
import type { ResponseCallback, ResponseHandler } from './response-handler.js';

interface Pending {
  /** The request id is key (its first 53 bits) and tail (the last 11): no bytes kept. */
  key: number;
  tail: number;
  toHost: string;
  toPort: number;
  expect: ResponseBody['type'];
  sentAt: number;
  deadline: number;
  /** Answered or failed: the deadline queue skips it. */
  settled: boolean;
  /** Who gets the answer: the handler (with the tag) if there is one, else the callback. */
  callback: ResponseCallback;
  handler: ResponseHandler | null;
  tag: number;
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
const NOTHING_PENDING: ResponseCallback = () => {};
/** Fills the deadline queue's slots behind its head, so a finished request is not kept alive there. */
const PASSED: Pending = {
  key: -1,
  tail: -1,
  toHost: '',
  toPort: 0,
  expect: 'PONG',
  sentAt: 0,
  deadline: 0,
  settled: true,
  callback: NOTHING_PENDING,
  handler: null,
  tag: 0,
};
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
    answersTrimmed: 0,
    answersOverBudget: 0,
  };
  /** Answer bytes left for unproven askers; made on the first such answer. */
  private unprovenBytes: TokenBucket | null = null;
  private readonly pending = new Map<number, Pending>();
  /**
   * Deadlines never precede an earlier request's (see request()), so they come in send
   * order: one FIFO and one armed timer per node instead of a timer per request (settled
   * entries are skipped when they reach the head).
   */
  private readonly deadlines: Pending[] = [];
  private readonly rtt: RttEstimator;
  private deadlineHead = 0;
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
  ) {
    this.rtt = new RttEstimator(timeoutFloorMs, timeoutMs);
  }

  /** How long a request sent now would wait for its answer. */
  get currentTimeoutMs(): number {
    return this.rtt.timeoutMs;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request; `callback` gets the matching response or null on timeout. */
  request(to: Address, body: RequestBody, callback: ResponseCallback): void {
    this.send(to, body, callback, null, 0);
  }

  /** Sends a request; handler.answered(tag, ...) gets the matching response or null on timeout. */
  requestFor(to: Address, body: RequestBody, handler: ResponseHandler, tag: number): void {
    this.send(to, body, NOTHING_PENDING, handler, tag);
  }

  private send(to: Address, body: RequestBody, callback: ResponseCallback, handler: ResponseHandler | null, tag: number): void {
    const requestId = this.random.bytes(REQUEST_ID_BYTES);
    const key = requestKey(requestId);
    // a 53-bit collision among our own pending requests (astronomically rare, but never mix
    // them up), or a message too large to send: it fails at once
    const payload = this.pending.has(key) ? null : this.prepare({ requestId, sender: this.selfId, body });
    if (!payload) {
      if (handler) handler.answered(tag, null);
      else callback(null);
      return;
    }
    const now = this.clock.now();
    // When the estimate drops, a request waits no less than a pending one sent before it:
    // deadlines stay in send order, so the FIFO and its one timer still hold.
    // (While any request is pending, the queue's last entry is the latest one sent.)
    const earliest = this.pending.size === 0 ? now : this.deadlines[this.deadlines.length - 1].deadline;
    const deadline = Math.max(earliest, now + this.rtt.timeoutMs);
    const entry: Pending = {
      key,
      tail: requestTail(requestId),
      toHost: to.host,
      toPort: to.port,
      expect: expectedResponse(body),
      sentAt: now,
      deadline,
      settled: false,
      callback,
      handler,
      tag,
    };
    this.pending.set(key, entry);
    this.deadlines.push(entry);
    // expire() re-arms itself for the head; otherwise arm for this deadline unless the timer
    // fires before it (it can fire after: the requests it was armed for may all be answered)
    if (!this.expiring && (this.timer === null || this.timerAt > deadline)) this.arm(deadline, now);
    this.counters.requestsSent++;
    this.transmit(to, payload);
  }

  /**
   * Sends the response to a request we received. `maxBytes` > 0: the asker has not proven
   * it receives at its address (no valid token), and its request was maxBytes /
   * AMPLIFICATION_FACTOR bytes: a larger answer is cut down to fit, and every such answer
   * draws on the node's budget for unproven askers. 0: no limit (proven, or on a transport
   * that carries messages, where there are no bytes to count).
   */
  respond(to: Address, requestId: Uint8Array, body: ResponseBody, maxBytes = 0): void {
    let payload = this.prepare({ requestId, sender: this.selfId, body });
    if (!payload) return;
    if (maxBytes > 0 && payload instanceof Uint8Array) {
      if (payload.length > maxBytes) {
        payload = this.trimmed(requestId, body, maxBytes);
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
  private trimmed(requestId: Uint8Array, body: ResponseBody, maxBytes: number): Uint8Array | null {
    let fitted = body;
    if (fitted.type === 'VALUE' && fitted.value !== null)
      fitted = { ...fitted, value: null, ttlMs: 0, contacts: [], auth: null, withheld: true };
    for (;;) {
      const payload = this.prepare({ requestId, sender: this.selfId, body: fitted });
      if (!(payload instanceof Uint8Array) || payload.length <= maxBytes) return payload as Uint8Array | null;
      if ((fitted.type !== 'NODES' && fitted.type !== 'VALUE') || fitted.contacts.length === 0) return null;
      // a packed contact takes 29 bytes or more: drop enough of them at once, then check again
      const drop = Math.max(1, Math.ceil((payload.length - maxBytes) / 29));
      fitted = { ...fitted, contacts: fitted.contacts.slice(0, Math.max(0, fitted.contacts.length - drop)) };
    }
  }

  /**
   * Encodes a message for the transport, or hands it over as is when the transport carries
   * messages (the simulator). Null when it would not fit in one datagram (counted). A
   * message-carrying transport skips the size check: every message the node builds fits
   * by construction (values are capped at MAX_VALUE_BYTES, replies at k contacts), and the
   * codec tests and UDP runs check exactly that.
   */
  private prepare(message: Message): Uint8Array | Message | null {
    if (this.transport.sendMessage) return message;
    const datagram = this.transport.copiesOnSend ? encodeMessageView(message) : encodeMessage(message);
    if (datagram.length > MAX_DATAGRAM_BYTES) {
      this.counters.oversized++;
      return null;
    }
    return datagram;
  }

  private transmit(to: Address, payload: Uint8Array | Message): void {
    if (payload instanceof Uint8Array) this.transport.send(to, payload);
    else this.transport.sendMessage!(to, payload);
  }

  /** Routes a response to its request; false if it matched none (and was counted). */
  accept(message: Message, from: Address): boolean {
    const key = requestKey(message.requestId);
    const pending = this.pending.get(key);
    if (
      !pending ||
      pending.tail !== requestTail(message.requestId) ||
      pending.toPort !== from.port ||
      pending.toHost !== from.host ||
      pending.expect !== message.body.type
    ) {
      const recent = pending ? 0 : this.recentOutcome(key);
      if (recent === TIMED_OUT) {
        this.counters.lateResponses++;
        this.rtt.late();
      } else if (recent === ANSWERED) this.counters.duplicateResponses++;
      else this.counters.unmatchedResponses++;
      return false;
    }
    this.pending.delete(key);
    pending.settled = true;
    // Answers mostly come in send order: drop the answered head at once. Left in the queue
    // until the timer passed it, every request lived a timeout (250 ms or more) and so
    // outlived young collections, to die in the old generation.
    if (this.deadlines[this.deadlineHead] === pending) this.dropSettledHead();
    this.remember(key, ANSWERED);
    this.rtt.sample(this.clock.now() - pending.sentAt);
    this.counters.responsesAccepted++;
    this.deliver(pending, message.body as ResponseBody);
    return true;
  }

  /** Fails every pending request now (the node is stopping). */
  cancelAll(): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    this.deadlines.length = 0;
    this.deadlineHead = 0;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const p of all) this.deliver(p, null);
  }

  /** The timer: fails every request past its deadline, then re-arms for the next one. */
  private readonly expire = (): void => {
    this.timer = null;
    this.expiring = true; // callbacks below may send requests: arm once, at the end, for the head
    const now = this.clock.now();
    const queue = this.deadlines;
    while (this.deadlineHead < queue.length) {
      const entry = queue[this.deadlineHead];
      if (!entry.settled && entry.deadline > now) break;
      queue[this.deadlineHead++] = PASSED;
      if (entry.settled) continue;
      this.pending.delete(entry.key);
      this.remember(entry.key, TIMED_OUT);
      this.counters.timeouts++;
      this.deliver(entry, null);
    }
    if (this.deadlineHead === queue.length) {
      queue.length = 0;
      this.deadlineHead = 0;
    } else if (this.deadlineHead > 1024 && this.deadlineHead * 2 > queue.length) {
      queue.splice(0, this.deadlineHead);
      this.deadlineHead = 0;
    }
    this.expiring = false;
    if (this.timer === null && this.deadlineHead < queue.length) {
      this.arm(queue[this.deadlineHead].deadline, now);
    }
  };

  /** Moves the deadline queue's head past requests already answered; empties it when none is left. */
  private dropSettledHead(): void {
    const queue = this.deadlines;
    while (this.deadlineHead < queue.length && queue[this.deadlineHead].settled) queue[this.deadlineHead++] = PASSED;
    if (this.deadlineHead === queue.length) {
      queue.length = 0;
      this.deadlineHead = 0;
    }
  }

  private arm(deadline: number, now: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = this.clock.setTimeout(this.expire, Math.max(0, deadline - now));
  }

  /**
   * Settles a request and hands over its answer (from a timer or the receive path): what
   * the callback or handler throws is counted, never propagated. The deadline queue may
   * hold the entry a while: it lets go of the callback and handler first.
   */
  private deliver(entry: Pending, response: ResponseBody | null): void {
    const { callback, handler, tag } = entry;
    entry.settled = true;
    entry.callback = NOTHING_PENDING;
    entry.handler = null;
    try {
      if (handler) handler.answered(tag, response);
      else callback(response);
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
