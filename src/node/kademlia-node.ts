// One Kademlia node. Sans-IO: it reads and writes datagrams through a Transport and
// tells time through a Clock, so the same code runs over UDP and on the simulator.
import type { Clock, TimerHandle } from '../clock/clock.js';
import { ID_BITS, ID_BYTES, idKey, idsEqual } from '../id/id.js';
import { idEqualAt } from '../id/prefix.js';
import type { Address, Transport } from '../net/transport.js';
import { decodeMessage, MAX_VALUE_BYTES } from '../protocol/codec.js';
import { type ItemAuth, isRequest, type Message, type RequestBody, type ResponseBody } from '../protocol/messages.js';
import { immutableKey, mutableKey, signedBytes } from '../protocol/item-signature.js';
import { AMPLIFICATION_FACTOR, MAX_SALT_BYTES } from '../protocol/limits.js';
import { packedIpv4 } from '../util/ipv4.js';
import { idForIpv4, idMatchesIpv4, isLocalIpv4 } from '../id/id-from-ip.js';
import { SourceLimiter } from './security/source-limiter.js';
import type { Peer } from '../routing/peer.js';
import type { ContactArena } from '../routing/contact-arena.js';
import { RoutingTable } from '../routing/routing-table.js';
import type { HandlerContext } from './handlers/context.js';
import { handleFindNode } from './handlers/find-node.js';
import { handleFindValue } from './handlers/find-value.js';
import { handlePing } from './handlers/ping.js';
import { handleStore } from './handlers/store.js';
import { lookup, type LookupKind, type LookupResult } from './lookup.js';
import { type NodeOptions, resolveNodeOptions, type ResolvedNodeOptions } from './options.js';
import { Rpc } from './rpc.js';
import { Storage } from './storage.js';
import { UpkeepQueue } from './upkeep-queue.js';
import { shuffle } from '../util/random.js';
import { assertId, assertUint8Array } from '../distance/validate.js';
import { cryptoSuite, type CryptoSuite, type NodeKey } from './security/crypto-suite.js';
import { itemProblem } from './security/item-rules.js';
import { WriteTokens } from './security/write-tokens.js';

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
}

export interface GetResult {
  value: Uint8Array | null;
  /** Who may write it (null: an immutable item, or no value). */
  auth: ItemAuth | null;
  /** Lookup rounds (0 when answered from local storage). */
  hops: number;
  queried: number;
}

export interface StoreResult {
  /** Nodes that accepted the value, us included when we are among the k closest. */
  replicas: number;
  /** Nodes asked (the k closest found, us included when we are among them). */
  attempted: number;
  /** Reasons given by nodes that refused. */
  refusals: string[];
}

export interface JoinResult {
  ok: boolean;
  reason: string;
  /** Contacts in our routing table afterwards. */
  contacts: number;
}

const NO_REFUSALS: string[] = [];
/** Reused by closestPeers (never re-entered: JS is single-threaded): room for k and for k + 1. */
let nearestK = new Uint32Array(20);
let nearestKPlusOne = new Uint32Array(21);

export class KademliaNode {
  readonly id: Uint8Array;
  readonly options: ResolvedNodeOptions;
  readonly arena: ContactArena;
  readonly table: RoutingTable;
  readonly storage: Storage;
  readonly rpc: Rpc;
  readonly counters: NodeCounters = {
    datagramsIn: 0,
    malformed: 0,
    fromSelf: 0,
    requestsHandled: 0,
    lookups: 0,
    internalErrors: 0,
    rateLimited: 0,
    idMismatches: 0,
  };
  /** Per source IP rate limits (null: options.rateLimit is false). */
  private readonly limiter: SourceLimiter | null;
  /** Our own contact in the arena. */
  readonly self: number;
  /** Values we published, re-stored every republishMs while we run. */
  private readonly published = new Map<string, Published>();
  /** Signs the plain values we publish: they belong to this key until they expire. */
  readonly key: NodeKey;
  readonly crypto: CryptoSuite;
  /** Our write tokens (BEP 5), handed to every asker with our lookup answers. */
  readonly tokens: WriteTokens;
  // Both made on first use: most nodes never need them, and an empty Map costs ~180 bytes.
  /** Contacts being pinged because a newcomer wants their bucket slot. */
  private pinging: Set<number> | null = null;
  /** Failed requests in a row, per contact in our table. */
  private failures: Map<number, number> | null = null;
  private maintenanceTimer: TimerHandle | null = null;
  /** Republish, replication and refresh, options.upkeepConcurrency at a time. */
  readonly upkeep: UpkeepQueue;
  private running = false;
  private readonly handlerContext: HandlerContext;

  constructor(
    readonly transport: Transport,
    readonly clock: Clock,
    options: NodeOptions = {},
  ) {
    this.options = resolveNodeOptions(options);
    this.id = options.id ? options.id.slice() : this.newId(transport.local.host);
    if (this.id.length !== 20) throw new RangeError(`id must be 20 bytes (got ${this.id.length})`);
    this.arena = this.options.arena;
    this.self = this.arena.intern(this.id, transport.local.host, transport.local.port);
    this.arena.retain(this.self);
    this.table = new RoutingTable(this.arena, this.self, {
      k: this.options.k,
      replacementCacheSize: this.options.replacementCacheSize,
      maxContactsPerIp: this.options.maxContactsPerIp,
      now: clock.now(),
    });
    const limit = this.options.rateLimit;
    this.limiter = limit ? new SourceLimiter(limit, clock.now()) : null;
    this.storage = new Storage(this.options.storage);
    const budget = this.options.unprovenBudget;
    this.rpc = new Rpc(transport, clock, this.options.random, this.id, this.options.requestTimeoutMs, undefined, budget || null);
    this.upkeep = new UpkeepQueue(this.options.upkeepConcurrency, () => this.counters.internalErrors++);
    this.crypto = cryptoSuite(this.options.crypto);
    this.key = options.key ?? this.crypto.newKey(this.options.random);
    this.tokens = new WriteTokens(this.crypto, this.options.random, clock.now());
    this.handlerContext = new NodeHandlerContext(this);
  }

  get address(): Address {
    return this.transport.local;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Exceptions caught and counted instead of crashing the node (receive path, upkeep, response callbacks): 0 unless there is a bug. */
  get exceptionsCaught(): number {
    return this.counters.internalErrors + this.rpc.counters.callbackErrors;
  }

  /** Starts receiving and the maintenance tick. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.transport.onDatagram((datagram, from) => this.receive(datagram, from));
    this.transport.onMessage?.((message, from) => this.receiveMessage(message, from));
    // A random phase: nodes started together must not all replicate the same key at the
    // same instant (the first replica's STORE is what lets the others skip it).
    this.scheduleMaintenance(this.options.random.float() * this.options.maintenanceMs);
  }

  /** Stops the node (locally: there is no remote kill). Pending requests fail. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    if (this.maintenanceTimer) this.clock.clearTimeout(this.maintenanceTimer);
    this.maintenanceTimer = null;
    this.upkeep.clear();
    this.rpc.cancelAll();
    this.transport.close();
    this.table.clear();
    this.arena.release(this.self);
  }

  /** One incoming datagram. Never throws: whatever is wrong with it is counted and dropped. */
  receive(datagram: Uint8Array, from: Address): void {
    this.counters.datagramsIn++;
    if (this.overRate(from)) return; // before decoding: a flood costs as little as it can
    const decoded = decodeMessage(datagram);
    if (decoded.ok) this.dispatch(decoded.message, from, datagram.length);
    else this.counters.malformed++;
  }

  /** One incoming message (decoded, or handed over by a message-carrying transport). Never throws. */
  receiveMessage(message: Message, from: Address): void {
    this.counters.datagramsIn++;
    if (!this.overRate(from)) this.dispatch(message, from, 0);
  }

  private overRate(from: Address): boolean {
    if (this.limiter === null || this.limiter.admit(from.host, this.clock.now())) return false;
    this.counters.rateLimited++;
    return true;
  }

  /** A message that passed the rate limit; `size` its datagram's bytes (0: carried as a message, no bytes). */
  private dispatch(message: Message, from: Address, size: number): void {
    try {
      if (idsEqual(message.sender, this.id)) {
        this.counters.fromSelf++;
        return;
      }
      this.observe(message.sender, from);
      if (isRequest(message.body)) this.handleRequest(message, from, size);
      else this.rpc.accept(message, from);
    } catch {
      this.counters.internalErrors++;
    }
  }

  // ---- lookups and the operations built on them

  /** Iterative node lookup: the k closest live nodes to `target`. */
  findNode(target: Uint8Array, done: (result: LookupResult) => void): void {
    this.runLookup('node', target, done);
  }

  /**
   * Refreshes bucket b: a lookup of a random id in its range that ends as soon as the
   * bucket is full, or a node inside the range has answered (its answer names every node
   * it knows there, and those fill the bucket's free slots).
   */
  refreshBucket(b: number, done: () => void): void {
    const target = this.table.randomIdInBucket(b, (n) => this.options.random.bytes(n));
    const enough = (answeredBy: Peer) => this.table.bucketIndexOf(answeredBy.id) === b || this.table.bucketSize(b) >= this.options.k;
    // One request at a time: a refresh usually needs a single answer (from the bucket's own
    // range), and a join refreshes all its buckets at once, so parallelism is there anyway.
    this.runLookup('node', target, () => done(), enough, 1);
  }

  /** A value: from local storage if we hold it, else by an iterative value lookup. */
  findValue(key: Uint8Array, done: (result: GetResult) => void): void {
    assertId(key, 'key');
    const now = this.clock.now();
    // A plain value another node signed, held here, may be a squatter's that reached us
    // first (item-rules.ts): like any reader, ask the holders.
    const held = this.storage.get(key, now);
    const trusted =
      held && (held.auth === null || held.auth.salt !== null || Buffer.compare(held.auth.publicKey, this.key.publicKey) === 0);
    const local = (trusted ? held : undefined) ?? this.published.get(idKey(key));
    if (local) {
      done({ value: local.value, auth: local.auth, hops: 0, queried: 0 });
      return;
    }
    this.runLookup('value', key, (result) => {
      // Cache the value at the closest node on the path that lacked it (paper, 2.3).
      if (result.value && result.cacheAt && result.cacheToken) {
        const store = this.storeRequest(key, result.value, result.valueAuth, result.valueTtlMs, result.cacheToken, null);
        this.rpc.request(result.cacheAt, store, () => {});
      }
      done({ value: result.value, auth: result.valueAuth, hops: result.hops, queried: result.queried });
    });
  }

  /** A BEP 44 mutable item: found by its owner's public key and salt, and only if that key signed it. */
  findMutable(publicKey: Uint8Array, salt: Uint8Array, done: (result: GetResult) => void): void {
    assertUint8Array(publicKey, 'publicKey');
    assertUint8Array(salt, 'salt');
    this.findValue(mutableKey(publicKey, salt), (result) => {
      const auth = result.auth;
      const genuine = auth !== null && auth.salt !== null && Buffer.compare(auth.publicKey, publicKey) === 0;
      done(genuine ? result : { ...result, value: null, auth: null });
    });
  }

  /**
   * Stores key -> value at the k closest nodes (us too, if we are among them) and keeps
   * republishing it while we run. Throws RangeError for a value that cannot fit.
   */
  publish(key: Uint8Array, value: Uint8Array, done: (result: StoreResult) => void): void {
    assertId(key, 'key');
    checkValue(value);
    const previous = this.published.get(idKey(key))?.auth;
    const seq = previous && previous.salt === null ? previous.seq + 1 : 1;
    this.keepPublishing(key.slice(), value.slice(), this.signPlain(key, value, seq), null, done);
  }

  /** Stores an immutable item (BEP 44): its key is the SHA-1 of the value, which nobody can change. Returns the key. */
  publishImmutable(value: Uint8Array, done: (result: StoreResult) => void): Uint8Array {
    checkValue(value);
    const key = immutableKey(value);
    this.keepPublishing(key, value.slice(), null, null, done);
    return key;
  }

  /**
   * Stores a mutable item (BEP 44) signed by `key` (default: our node key) under
   * SHA-1(public key + salt), with sequence number `seq`; with `cas`, only over the
   * version whose seq is `cas`. Returns the item's key.
   */
  publishMutable(value: Uint8Array, item: MutableItemOptions, done: (result: StoreResult) => void): Uint8Array {
    checkValue(value);
    const salt = item.salt ?? new Uint8Array(0);
    assertUint8Array(salt, 'salt');
    if (salt.length > MAX_SALT_BYTES) throw new RangeError(`salt too long (${salt.length} bytes; the limit is ${MAX_SALT_BYTES})`);
    if (!Number.isSafeInteger(item.seq) || item.seq < 0) throw new RangeError(`seq must be a non-negative integer (got ${item.seq})`);
    if (item.cas !== undefined && (!Number.isSafeInteger(item.cas) || item.cas < 0)) {
      throw new RangeError(`cas must be a non-negative integer (got ${item.cas})`);
    }
    const signer = item.key ?? this.key;
    const key = mutableKey(signer.publicKey, salt);
    const unsigned = { seq: item.seq, salt: salt.slice() };
    const auth: ItemAuth = { publicKey: signer.publicKey, ...unsigned, signature: signer.sign(signedBytes(key, value, unsigned)) };
    this.keepPublishing(key, value.slice(), auth, item.cas ?? null, done);
    return key;
  }

  /** Stops republishing a value we published (holders keep it until it expires). False if we were not publishing it. */
  unpublish(key: Uint8Array): boolean {
    assertId(key, 'key');
    return this.published.delete(idKey(key));
  }

  /** How many values we publish. */
  get publishedCount(): number {
    return this.published.size;
  }

  private signPlain(key: Uint8Array, value: Uint8Array, seq: number): ItemAuth {
    return { publicKey: this.key.publicKey, seq, salt: null, signature: this.key.sign(signedBytes(key, value, { seq, salt: null })) };
  }

  private keepPublishing(
    key: Uint8Array,
    value: Uint8Array,
    auth: ItemAuth | null,
    cas: number | null,
    done: (result: StoreResult) => void,
  ): void {
    const name = idKey(key);
    const limit = this.options.maxPublished;
    if (this.published.size >= limit && !this.published.has(name)) {
      return done({ replicas: 0, attempted: 0, refusals: [`publish limit reached (${limit} values): unpublish one first`] });
    }
    this.published.set(name, { key, value, auth, at: this.clock.now() });
    this.storeAtClosest(key, value, auth, null, true, done, cas);
  }

  /**
   * Joins a network through one known node: ping it, look up our own id, refresh. Throws
   * RangeError for an address this transport cannot send to (a name, another IP family).
   */
  join(bootstrap: Address, done: (result: JoinResult) => void): void {
    if (typeof bootstrap !== 'object' || bootstrap === null || !this.transport.accepts(bootstrap)) {
      throw new RangeError(
        `cannot join through ${bootstrap?.host}:${bootstrap?.port}: not an address this transport can reach (a numeric IP of its family, port 1-65535)`,
      );
    }
    this.rpc.request(bootstrap, { type: 'PING' }, (response) => {
      if (!response) {
        done({ ok: false, reason: `no answer from ${bootstrap.host}:${bootstrap.port}`, contacts: this.table.size });
        return;
      }
      this.findNode(this.id, (self) => {
        const finish = () => done({ ok: true, reason: '', contacts: this.table.size });
        if (!this.options.refreshOnJoin) return finish();
        // Refresh every bucket farther than our closest neighbour (paper, 2.3)...
        const [nearest] = this.table.closestContacts(this.id, 1);
        let farthestToRefresh = nearest === undefined ? -1 : this.table.bucketIndexOf(this.arena.id(nearest)) - 1;
        // ...except those the lookup of our own id already covered: it found the k nodes
        // closest to us, so every node of a bucket nearer than the k-th's is one of them.
        if (self.closest.length === this.options.k) {
          farthestToRefresh = Math.min(farthestToRefresh, this.table.bucketIndexOf(self.closest[self.closest.length - 1].id));
        }
        // a bucket that is already full has nothing to gain from a refresh
        const toRefresh = Array.from({ length: farthestToRefresh + 1 }, (_, b) => b).filter(
          (b) => this.table.bucketSize(b) < this.options.k,
        );
        let remaining = toRefresh.length;
        if (remaining === 0) return finish();
        for (const b of toRefresh) {
          this.refreshBucket(b, () => {
            if (--remaining === 0) finish();
          });
        }
      });
    });
  }

  /** Pings an address; true if it answered in time. */
  ping(to: Address, done: (alive: boolean) => void): void {
    this.rpc.request(to, { type: 'PING' }, (response) => done(response !== null));
  }

  // ---- promise forms: what the callback forms throw (bad arguments) rejects the promise,
  // since an exception in a Promise executor does.

  get(key: Uint8Array): Promise<GetResult> {
    return new Promise((resolve) => this.findValue(key, resolve));
  }

  store(key: Uint8Array, value: Uint8Array): Promise<StoreResult> {
    return new Promise((resolve) => this.publish(key, value, resolve));
  }

  putImmutable(value: Uint8Array): Promise<{ key: Uint8Array } & StoreResult> {
    return new Promise((resolve) => {
      const key = this.publishImmutable(value, (result) => resolve({ key, ...result }));
    });
  }

  putMutable(value: Uint8Array, item: MutableItemOptions): Promise<{ key: Uint8Array } & StoreResult> {
    return new Promise((resolve) => {
      const key = this.publishMutable(value, item, (result) => resolve({ key, ...result }));
    });
  }

  getMutable(publicKey: Uint8Array, salt: Uint8Array = new Uint8Array(0)): Promise<GetResult> {
    return new Promise((resolve) => this.findMutable(publicKey, salt, resolve));
  }

  bootstrap(address: Address): Promise<JoinResult> {
    return new Promise((resolve) => this.join(address, resolve));
  }

  // ---- internals

  private handleRequest(message: Message, from: Address, size: number): void {
    this.counters.requestsHandled++;
    const body = message.body as RequestBody;
    let response: ResponseBody;
    switch (body.type) {
      case 'PING':
        response = handlePing();
        break;
      case 'STORE':
        response = handleStore(this.handlerContext, body, from);
        break;
      case 'FIND_NODE':
        response = handleFindNode(this.handlerContext, body, message.sender, from);
        break;
      case 'FIND_VALUE':
        response = handleFindValue(this.handlerContext, body, message.sender, from);
        break;
    }
    // An asker that echoed our token receives at its address; anyone else may be a forged
    // source, and gets at most AMPLIFICATION_FACTOR times what it sent.
    const proven = body.type === 'FIND_VALUE' && this.tokens.accepts(from.host, body.token, this.clock.now());
    this.rpc.respond(from, message.requestId, response, proven ? 0 : AMPLIFICATION_FACTOR * size);
  }

  /** Our id: from our IPv4 address (BEP 42) unless idFromIp exempts it, else random. */
  private newId(host: string): Uint8Array {
    const random = this.options.random.bytes(ID_BYTES);
    const ip = packedIpv4(host);
    const policy = this.options.idFromIp;
    if (ip < 0 || policy === 'off' || (policy === 'public' && isLocalIpv4(ip))) return random;
    return idForIpv4(ip, random);
  }

  /** Whether a peer's id may be used at its address (BEP 42, as options.idFromIp says); counts those that may not. */
  private idAllowed(id: Uint8Array, host: string, ipv4?: number, fits?: boolean): boolean {
    const policy = this.options.idFromIp;
    if (policy === 'off') return true;
    const ip = ipv4 ?? packedIpv4(host);
    // IPv6 and names are not checked: BEP 42's IPv6 rule is not implemented
    if (ip < 0 || (policy === 'public' && isLocalIpv4(ip)) || (fits ?? idMatchesIpv4(id, ip))) return true;
    this.counters.idMismatches++;
    return false;
  }

  /**
   * Every message updates the routing table. A newcomer for a full bucket takes the slot of
   * a contact we were only told about (never heard from); else it pings the least-recently-
   * seen contact unless that one is good (heard from within goodForMs), and waits in the
   * replacement cache.
   */
  private observe(id: Uint8Array, from: Address): void {
    if (!this.transport.accepts(from) || !this.idAllowed(id, from.host)) return;
    const contact = this.arena.intern(id, from.host, from.port);
    this.arena.retain(contact); // held while we work with it; freed at the end if nobody kept it
    const now = this.clock.now();
    const result = this.table.observe(contact, now);
    if (result.kind === 'full') {
      if (now - result.seenAt >= this.options.goodForMs) this.evictIfDead(result.leastRecentlySeen);
    } else if (result.kind === 'conflict') this.evictIfDead(result.existing);
    else if (result.kind !== 'ip-full') {
      if (result.kind === 'replaced') this.failures?.delete(result.evicted);
      this.failures?.delete(contact);
    }
    this.arena.release(contact);
  }

  /** Pings a contact that a newcomer could replace; removes it only if it does not answer. */
  private evictIfDead(stale: number): void {
    const pinging = (this.pinging ??= new Set());
    if (pinging.has(stale)) return;
    pinging.add(stale);
    this.arena.retain(stale); // keep the index valid while we wait
    this.ping(this.addressOf(stale), (alive) => {
      if (!alive && this.running) this.removeContact(stale);
      pinging.delete(stale);
      this.arena.release(stale);
    });
  }

  private removeContact(contact: number): void {
    this.failures?.delete(contact);
    this.table.remove(contact);
  }

  /** A contact named in a lookup response fills a free bucket slot (unverified: see offerUnverified). */
  private learn(peer: Peer): void {
    // Most peers a lookup names fall in buckets that are already full: skip interning them
    // (a hash probe, and a free right after, for a peer not yet in the arena).
    if (this.table.refusesUnverified(peer.id)) return;
    const contact = this.arena.internPeer(peer);
    // Our own id lands in no bucket, so it is never offered. Not comparing peer.id here
    // saves a cache miss per contact: the table reads the id from the arena anyway.
    this.table.offerUnverified(contact);
    this.arena.dropIfUnused(contact);
  }

  /** A request to a peer timed out: after failuresBeforeEviction in a row it leaves the table. */
  private noteFailure(peer: Peer): void {
    if (!this.running) return;
    const contact = this.arena.internPeer(peer);
    this.arena.retain(contact); // removal from the table must not free it under our feet
    if (this.table.has(contact)) {
      const counts = (this.failures ??= new Map());
      const failures = (counts.get(contact) ?? 0) + 1;
      if (failures >= this.options.failuresBeforeEviction) this.removeContact(contact);
      else counts.set(contact, failures);
    }
    this.arena.release(contact);
  }

  private runLookup(
    kind: LookupKind,
    target: Uint8Array,
    done: (result: LookupResult) => void,
    enough?: (answeredBy: Peer) => boolean,
    alpha = this.options.alpha,
  ): void {
    this.counters.lookups++;
    const bucket = this.table.bucketIndexOf(target);
    if (bucket < ID_BITS) this.table.touchBucket(bucket, this.clock.now());
    lookup(
      {
        target,
        kind,
        k: this.options.k,
        alpha,
        selfId: this.id,
        start: this.closestPeers(target, null),
        accepts: (peer) => this.transport.accepts(peer) && this.idAllowed(peer.id, peer.host, peer.ipv4, peer.idFitsIp),
        maxPerIp: this.options.maxContactsPerIp,
        plainQuorum: 2,
        // the lookup has checked accepts() for it
        discovered: (peer) => this.learn(peer),
        query: (peer, request, answered) =>
          this.rpc.request(peer, request, (response) => {
            if (!response) this.noteFailure(peer);
            answered(response);
          }),
        enough,
        acceptValue: kind === 'value' ? (value, auth) => itemProblem(target, value, auth, this.crypto) === '' : undefined,
      },
      done,
    );
  }

  /**
   * Sends STORE to the k closest nodes to key (storing locally if we are one of them).
   * expiresAt null: a publisher's full TTL; else a holder's own expiry, so the TTL sent is
   * what is left when the STORE leaves (after the lookup), and replication never extends
   * a value's life by more than the transit time.
   */
  private storeAtClosest(
    key: Uint8Array,
    value: Uint8Array,
    auth: ItemAuth | null,
    expiresAt: number | null,
    includeSelf: boolean,
    done: (result: StoreResult) => void,
    cas: number | null = null,
  ): void {
    // the lookup collects each closest node's write token on its way: no extra round trip
    this.findNode(key, (found) => {
      const now = this.clock.now();
      const ttlMs = expiresAt === null ? this.options.ttlMs : Math.round(expiresAt - now);
      if (ttlMs < 1) return done({ replicas: 0, attempted: 0, refusals: NO_REFUSALS });
      let peers = found.closest;
      let replicas = 0;
      let attempted = 0;
      const refusals: string[] = [];
      if (includeSelf && this.isAmongClosest(key, peers)) {
        // we take one of the k places: the farthest peer found drops out
        peers = peers.slice(0, this.options.k - 1);
        attempted++;
        const outcome = this.storage.put(key, value, now + ttlMs, 'self', now, auth, cas);
        if (outcome.ok) replicas++;
        else refusals.push(outcome.reason);
      }
      let waiting = peers.length;
      attempted += peers.length;
      if (waiting === 0) return done({ replicas, attempted, refusals: refusals.length ? refusals : NO_REFUSALS });
      for (let i = 0; i < peers.length; i++) {
        const peer = peers[i];
        this.rpc.request(peer, this.storeRequest(key, value, auth, ttlMs, found.tokens[i], cas), (response) => {
          if (response?.type === 'STORED') {
            if (response.ok) replicas++;
            else refusals.push(response.reason);
          } else if (!response) {
            this.noteFailure(peer);
          }
          if (--waiting === 0) done({ replicas, attempted, refusals });
        });
      }
    });
  }

  private storeRequest(
    key: Uint8Array,
    value: Uint8Array,
    auth: ItemAuth | null,
    ttlMs: number,
    token: Uint8Array,
    cas: number | null,
  ): RequestBody {
    return { type: 'STORE', key, value, ttlMs, token, auth, cas };
  }

  /** Whether we are closer to key than the k-th of `peers` (or there are fewer than k). */
  private isAmongClosest(key: Uint8Array, peers: Peer[]): boolean {
    if (peers.length < this.options.k) return true;
    const farthest = peers[peers.length - 1].id;
    for (let i = 0; i < 20; i++) {
      const ours = this.id[i] ^ key[i];
      const theirs = farthest[i] ^ key[i];
      if (ours !== theirs) return ours < theirs;
    }
    return false;
  }

  /** Our k closest known peers to `target`, nearest first, leaving out the one with id `exclude`. */
  closestPeers(target: Uint8Array, exclude: Uint8Array | null): Peer[] {
    const k = this.options.k;
    if (nearestK.length !== k) {
      nearestK = new Uint32Array(k);
      nearestKPlusOne = new Uint32Array(k + 1);
    }
    // Ask for k first. The (k+1)-th nearest usually lies past the target's bucket, in the
    // tier of every deeper bucket (~300 ids to read at 100,000 nodes, where the k cost 20),
    // and it is only needed when the peer to leave out was among the k.
    const found = this.table.closestContactsInto(target, nearestK);
    const peers = this.peersWithout(nearestK, found, exclude, k);
    if (peers.length === found || found < k) return peers;
    return this.peersWithout(nearestKPlusOne, this.table.closestContactsInto(target, nearestKPlusOne), exclude, k);
  }

  /** Up to `limit` of the first `count` contacts as wire records, leaving out any with the id `exclude`. */
  private peersWithout(contacts: Uint32Array, count: number, exclude: Uint8Array | null, limit: number): Peer[] {
    // Sized once: pushing 20 records would grow the array twice (an answer per request).
    const peers = new Array<Peer>(Math.min(count, limit));
    let n = 0;
    for (let i = 0; i < count && n < peers.length; i++) {
      const contact = contacts[i];
      if (exclude && idEqualAt(this.arena.ids, contact * ID_BYTES, exclude, 0)) continue;
      peers[n++] = this.arena.peer(contact);
    }
    peers.length = n;
    return peers;
  }

  private addressOf(contact: number): Address {
    return { host: this.arena.host(contact), port: this.arena.port(contact) };
  }

  private scheduleMaintenance(delayMs = this.options.maintenanceMs): void {
    this.maintenanceTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.maintain();
      this.scheduleMaintenance();
    }, delayMs);
  }

  /**
   * Expiry now; republish (publisher), replication (holders) and bucket refresh through the
   * upkeep queue. A pass starts only when the last one is done: until then it is still
   * working through what was due, and a slow network slows the upkeep instead of piling it up.
   * Each operation checks again that it is due when its turn comes: a STORE from another
   * holder, or a lookup through the bucket, may have made it unnecessary meanwhile.
   */
  private maintain(): void {
    const now = this.clock.now();
    this.storage.sweep(now);
    if (this.upkeep.busy) return;
    for (const entry of this.published.values()) {
      if (entry.at + this.options.republishMs <= now) this.upkeep.add((done) => this.republish(entry, done));
    }
    // In a random order: holders of the same keys list them in the same (arrival) order, and
    // walking it one at a time they fall into step and replicate each key together, before
    // either's STORE reaches the other (58% more replications at 3,000 sim nodes, 30% churn).
    const due = this.storage.dueForReplication(now, this.options.replicateMs);
    shuffle(due, this.options.random);
    for (const entry of due) {
      const key = entry.key; // the task holds the key alone: it may wait a while, and the value is read again then
      if (this.published.has(idKey(key))) continue; // the publisher's own cycle covers it
      this.upkeep.add((done) => this.replicate(key, done));
    }
    for (const b of this.table.bucketsIdleSince(now, this.options.refreshMs)) {
      this.upkeep.add((done) => this.refreshIdleBucket(b, done));
    }
  }

  private republish(entry: Published, done: () => void): void {
    const now = this.clock.now();
    if (!this.running || this.published.get(idKey(entry.key)) !== entry || entry.at + this.options.republishMs > now) return done();
    entry.at = now;
    // A plain value is signed again with the next seq: holders refresh it only for that
    // (a replay of the old STORE cannot extend its life). Items are re-put as they are.
    if (entry.auth && entry.auth.salt === null) entry.auth = this.signPlain(entry.key, entry.value, entry.auth.seq + 1);
    this.storeAtClosest(entry.key, entry.value, entry.auth, null, true, () => done());
  }

  /** A holder passes on what is left of the TTL, so replication never extends a value's life. */
  private replicate(key: Uint8Array, done: () => void): void {
    const now = this.clock.now();
    const entry = this.running ? this.storage.get(key, now) : undefined;
    if (!entry || entry.storedAt + this.options.replicateMs > now) return done();
    this.storage.touch(key, now);
    this.storeAtClosest(key, entry.value, entry.auth, entry.expiresAt, false, () => done());
  }

  private refreshIdleBucket(b: number, done: () => void): void {
    const now = this.clock.now();
    if (!this.running || this.table.lastTouchedAt(b) + this.options.refreshMs > now) return done();
    this.table.touchBucket(b, now);
    this.findNode(
      this.table.randomIdInBucket(b, (n) => this.options.random.bytes(n)),
      () => done(),
    );
  }
}

/** A value we publish: re-stored every republishMs while we run. */
interface Published {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  auth: ItemAuth | null;
  at: number;
}

/** A mutable item to publish (BEP 44). */
export interface MutableItemOptions {
  seq: number;
  /** Up to 64 bytes; several items per key (default: none). */
  salt?: Uint8Array;
  /** Only replace the version whose seq is this one. */
  cas?: number;
  /** The signing key (default: the node's). */
  key?: NodeKey;
}

function checkValue(value: Uint8Array): void {
  assertUint8Array(value, 'value');
  if (value.length > MAX_VALUE_BYTES) throw new RangeError(`value too large (${value.length} bytes; the limit is ${MAX_VALUE_BYTES})`);
}

/** What the RPC handlers see of a node: one small object per node, with methods rather than closures. */
class NodeHandlerContext implements HandlerContext {
  readonly maxValueBytes = MAX_VALUE_BYTES;

  constructor(private readonly node: KademliaNode) {}

  get storage(): Storage {
    return this.node.storage;
  }

  get maxTtlMs(): number {
    return this.node.options.ttlMs;
  }

  get tokens(): WriteTokens {
    return this.node.tokens;
  }

  get crypto(): CryptoSuite {
    return this.node.crypto;
  }

  now(): number {
    return this.node.clock.now();
  }

  closestPeers(target: Uint8Array, exclude: Uint8Array): Peer[] {
    return this.node.closestPeers(target, exclude);
  }
}
