// One Kademlia node. Sans-IO: it reads and writes datagrams through a Transport and
// tells time through a Clock, so the same code runs over UDP and on the simulator.
import type { Clock, TimerHandle } from '../clock/clock.js';
import type { RandomSource } from '../util/random.js';
import { ID_BITS, ID_BYTES, idsEqual } from '../id/id.js';
import { idEqualAt } from '../id/prefix.js';
import type { Address, Transport } from '../net/transport.js';
import { MAX_VALUE_BYTES } from '../protocol/codec.js';
import { wireCodec } from '../protocol/wire-codec.js';
import { withWantedFamilies } from './wanted-families.js';
import { type ItemAuth, isRequest, type Message, type RequestBody, type ResponseBody } from '../protocol/messages.js';
import { mutableKey } from '../protocol/item-signature.js';
import { AMPLIFICATION_FACTOR } from '../protocol/limits.js';
import { SourceLimiter } from './security/source-limiter.js';
import type { Peer } from '../routing/peer.js';
import type { ContactArena } from '../routing/contact-arena.js';
import { RoutingTable } from '../routing/routing-table.js';
import type { HandlerContext } from './handlers/context.js';
import { handleFindNode } from './handlers/find-node.js';
import { handleFindValue } from './handlers/find-value.js';
import { handlePing } from './handlers/ping.js';
import { handleStore } from './handlers/store.js';
import { handleGetPeers } from './handlers/get-peers.js';
import { handleAnnouncePeer } from './handlers/announce-peer.js';
import { PeerStore } from './peer-store.js';
import { type AnnounceResult, announceTorrent, findTorrentPeers, type PeersResult, type TorrentPeersDeps } from './torrent-peers.js';
import { lookup, type LookupKind, type LookupResult } from './lookup.js';
import { type NodeOptions, resolveNodeOptions, type ResolvedNodeOptions } from './options.js';
import { Rpc, type RpcCounters } from './rpc.js';
import { Storage } from './storage.js';
import { UpkeepQueue } from './upkeep-queue.js';
import { assertId, assertUint8Array } from '../distance/validate.js';
import { Liveness, type LivenessDeps } from './liveness.js';
import { type JoinResult, Membership, type MembershipDeps } from './membership.js';
import { type MutableItemOptions, Publishing, type PublishingDeps, storeBody, type StoreResult } from './publishing.js';
import { idAllowedAt, newNodeId } from './security/id-admission.js';
import { cryptoSuite, type CryptoSuite, Ed25519Key, type NodeKey } from './security/crypto-suite.js';
import type { NodeState } from './node-state.js';
import { itemProblem } from './security/item-rules.js';
import { WriteTokens } from './security/write-tokens.js';
import { type NodeCounters, newNodeCounters, type NodeStats } from './node-stats.js';

export type { NodeCounters, NodeStats } from './node-stats.js';

export interface GetResult {
  value: Uint8Array | null;
  /** Who may write it (null: an immutable item, or no value). */
  auth: ItemAuth | null;
  /** Lookup rounds (0 when answered from local storage). */
  hops: number;
  queried: number;
}

export type { JoinResult } from './membership.js';
export type { MutableItemOptions, StoreResult } from './publishing.js';
export type { AnnounceResult, PeersResult } from './torrent-peers.js';
export type { NodeState, SavedContact, SavedValue } from './node-state.js';

/** Reused by closestPeers (never re-entered: JS is single-threaded): room for k and for k + 1. */
let nearestK = new Uint32Array(20);
let nearestKPlusOne = new Uint32Array(21);

export class KademliaNode {
  readonly id: Uint8Array;
  readonly options: ResolvedNodeOptions;
  private readonly arena: ContactArena;
  private readonly table: RoutingTable;
  private readonly storage: Storage;
  /** The peers announced to us (BEP 5): made on the first announce. */
  private peerStore: PeerStore | null = null;
  private readonly rpc: Rpc;
  private readonly counters: NodeCounters = newNodeCounters();
  /** Per source IP rate limits (null: options.rateLimit is false). */
  private readonly limiter: SourceLimiter | null;
  /** Our own contact in the arena. */
  private readonly self: number;
  /** Signs the plain values we publish: they belong to this key until they expire. */
  readonly key: NodeKey;
  private readonly crypto: CryptoSuite;
  /** Our write tokens (BEP 5), handed to every asker with our lookup answers. */
  private readonly tokens: WriteTokens;
  /** Which contacts we keep (paper, 2.2). */
  private readonly liveness: Liveness;
  /** Joining and bucket refresh (paper, 2.3). */
  private readonly membership: Membership;
  /** What we publish; republish and replication (paper, 2.5). */
  private readonly publishing: Publishing;
  private maintenanceTimer: TimerHandle | null = null;
  /** Republish, replication and refresh, options.upkeepConcurrency at a time. */
  private readonly upkeep: UpkeepQueue;
  private running = false;
  /** What the parts below see of the node. */
  private readonly parts: NodeParts;

  constructor(
    readonly transport: Transport,
    readonly clock: Clock,
    options: NodeOptions = {},
  ) {
    this.options = resolveNodeOptions(options);
    this.id = options.id ? options.id.slice() : newNodeId(transport.local.host, this.options.idFromIp, this.options.random);
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
    const codec = wireCodec(this.options.protocol);
    this.rpc = new Rpc(
      transport,
      clock,
      this.options.random,
      this.id,
      this.options.requestTimeoutMs,
      undefined,
      budget || null,
      codec,
      this.options.readOnly,
    );
    this.upkeep = new UpkeepQueue(this.options.upkeepConcurrency, () => this.counters.internalErrors++);
    this.crypto = cryptoSuite(this.options.crypto);
    this.key = options.key ?? this.crypto.newKey(this.options.random);
    this.tokens = new WriteTokens(this.crypto, this.options.random, clock.now());
    this.parts = new NodeParts(this);
    this.liveness = new Liveness(this.parts);
    this.membership = new Membership(this.parts);
    this.publishing = new Publishing(this.parts);
  }

  get address(): Address {
    return this.transport.local;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Exceptions caught and counted instead of crashing the node (receive path, upkeep, response callbacks): 0 unless there is a bug. */
  /** The RPC layer's counters as they stand (stats() copies them): for sums over many nodes. */
  get rpcCounters(): Readonly<RpcCounters> {
    return this.rpc.counters;
  }

  get exceptionsCaught(): number {
    return this.counters.internalErrors + this.rpc.counters.callbackErrors;
  }

  /** A snapshot of what the node holds and has done (copies: later traffic does not change it). */
  /** Contacts in the routing table. */
  get contactCount(): number {
    return this.table.size;
  }

  /** Contacts per bucket, bucket b holding those that share b leading bits with our id. */
  bucketFill(): number[] {
    const table = this.table;
    // from bucket 0 until every contact is counted: ~17 buckets at 100,000 nodes, not 160
    // (the gateway takes every node's stats each second)
    const buckets: number[] = [];
    let counted = 0;
    for (let b = 0; counted < table.size; b++) {
      const size = table.bucketSize(b);
      buckets.push(size);
      counted += size;
    }
    return buckets;
  }

  stats(): NodeStats {
    return {
      running: this.running,
      contacts: this.table.size,
      buckets: this.bucketFill(),
      stored: { entries: this.storage.size, bytes: this.storage.bytes },
      published: this.publishing.count,
      requestsInFlight: this.rpc.inFlight,
      requestTimeoutMs: this.rpc.currentTimeoutMs,
      upkeep: { inFlight: this.upkeep.inFlight, queued: this.upkeep.queued },
      exceptionsCaught: this.exceptionsCaught,
      traffic: { ...this.counters },
      rpc: { ...this.rpc.counters },
    };
  }

  /** The contacts in our routing table, farthest bucket first (e.g. to save and restore them). */
  contacts(): Peer[] {
    return this.table.all().map((contact) => this.arena.peer(contact));
  }

  /** What we hold for `key` right now, ours or another node's (no lookup, no trust check). */
  localValue(key: Uint8Array): { value: Uint8Array; auth: ItemAuth | null } | undefined {
    assertId(key, 'key');
    const held = this.storage.get(key, this.clock.now());
    return held && { value: held.value, auth: held.auth };
  }

  /** The keys we hold values for, with who may write each (null: immutable or unsigned). */
  localKeys(): Array<{ key: Uint8Array; auth: ItemAuth | null }> {
    return this.storage.dueForReplication(this.clock.now(), 0).map((entry) => ({ key: entry.key, auth: entry.auth }));
  }

  /**
   * Sends one request as it is and hands back the answer (null on timeout): a low-level
   * door for tools and tests. The node's own operations never need it.
   */
  query(to: Address, body: RequestBody, done: (response: ResponseBody | null) => void): void {
    this.rpc.request(to, body, done);
  }

  /** What this node keeps across restarts (see resume): its identity, its contacts, what it publishes. */
  savedState(): NodeState {
    return {
      id: this.id.slice(),
      keySeed: this.key instanceof Ed25519Key ? this.key.seed : null,
      contacts: this.contacts().map(({ id, host, port }) => ({ id: id.slice(), host, port })),
      published: this.publishing.all().map(({ key, value, auth }) => ({ key, value, auth })),
    };
  }

  /**
   * Picks up a saved state (the node was made with its id and key): each saved contact is
   * pinged, and only those that answer enter the routing table, as anyone we hear from
   * does; then what it published is published again (a plain value with the next seq).
   * done(answered) gets the contacts that answered, in the order saved.
   */
  resume(state: Pick<NodeState, 'contacts' | 'published'>, done: (answered: Address[]) => void = () => {}): void {
    this.publishing.resume(state.published);
    const reachable = state.contacts.filter((c) => this.transport.accepts(c) && !idsEqual(c.id, this.id));
    const answered: Array<{ at: number; address: Address }> = [];
    let waiting = reachable.length;
    const finish = () => {
      if (this.running) this.maintain(); // the resumed values are due: they go out now, through the contacts that answered
      done(answered.sort((a, b) => a.at - b.at).map((a) => a.address));
    };
    if (waiting === 0) return finish();
    reachable.forEach((contact, at) =>
      this.ping({ host: contact.host, port: contact.port }, (alive) => {
        if (alive) answered.push({ at, address: { host: contact.host, port: contact.port } });
        if (--waiting === 0) finish();
      }),
    );
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
    const decoded = this.rpc.codec.decode(datagram, from, this.rpc);
    if (decoded.ok) this.dispatch(decoded.message, from, datagram.length);
    else if (decoded.unmatched) this.rpc.counters.unmatchedResponses++;
    else {
      this.counters.malformed++;
      if (decoded.reply) this.rpc.respondError(from, decoded.reply.requestId, decoded.reply.code, decoded.reply.message);
    }
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
      // a KRPC error answer names no id: it settles its request, and teaches us nothing;
      // a read-only node cannot be queried, so it has no place in the table (BEP 43)
      if (message.readOnly === true) this.counters.fromReadOnly++;
      else if (message.sender.length === ID_BYTES) this.liveness.heardFrom(message.sender, from);
      if (!isRequest(message.body)) this.rpc.accept(message, from);
      else if (this.options.readOnly) this.counters.queriesIgnored++;
      else this.handleRequest(message, from, size);
    } catch {
      this.counters.internalErrors++;
    }
  }

  // ---- lookups and the operations built on them

  /** Iterative node lookup: the k closest live nodes to `target`. */
  findNode(target: Uint8Array, done: (result: LookupResult) => void): void {
    this.runLookup('node', target, undefined, done);
  }

  /** Refreshes bucket b: a lookup of a random id in its range, ending once the bucket is full or a node in the range answered. */
  refreshBucket(b: number, done: () => void): void {
    this.membership.refreshBucket(b, done);
  }

  /** A value: from local storage if we hold it, else by an iterative value lookup. */
  findValue(key: Uint8Array, done: (result: GetResult) => void): void {
    assertId(key, 'key');
    this.valueLookup(key, undefined, done);
  }

  /** findValue, for a mutable item when `salt` is given (answers that leave the salt out carry this one). */
  private valueLookup(key: Uint8Array, salt: Uint8Array | undefined, done: (result: GetResult) => void): void {
    const now = this.clock.now();
    // A plain value another node signed, held here, may be a squatter's that reached us
    // first (item-rules.ts): like any reader, ask the holders.
    const held = this.storage.get(key, now);
    const trusted =
      held && (held.auth === null || held.auth.salt !== null || Buffer.compare(held.auth.publicKey, this.key.publicKey) === 0);
    const local = (trusted ? held : undefined) ?? this.publishing.get(key);
    if (local) {
      done({ value: local.value, auth: local.auth, hops: 0, queried: 0 });
      return;
    }
    this.runLookup('value', key, salt, (result) => {
      // Cache the value at the closest node on the path that lacked it (paper, 2.3).
      if (result.value && result.cacheAt && result.cacheToken) {
        const store = storeBody(key, result.value, result.valueAuth, result.valueTtlMs, result.cacheToken, null);
        this.rpc.request(result.cacheAt, store, () => {});
      }
      // The holders had nothing: the copy held here is the only one there is (a writer with
      // a small k may have stored it on this node alone), so it is the answer.
      if (result.value === null && held) return done({ value: held.value, auth: held.auth, hops: result.hops, queried: result.queried });
      done({ value: result.value, auth: result.valueAuth, hops: result.hops, queried: result.queried });
    });
  }

  /** A BEP 44 mutable item: found by its owner's public key and salt, and only if that key signed it. */
  findMutable(publicKey: Uint8Array, salt: Uint8Array, done: (result: GetResult) => void): void {
    assertUint8Array(publicKey, 'publicKey');
    assertUint8Array(salt, 'salt');
    this.valueLookup(mutableKey(publicKey, salt), salt, (result) => {
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
    this.publishing.publish(key, value, done);
  }

  /** Stores an immutable item (BEP 44): its key is the SHA-1 of the value, which nobody can change. Returns the key. */
  publishImmutable(value: Uint8Array, done: (result: StoreResult) => void): Uint8Array {
    return this.publishing.publishImmutable(value, done);
  }

  /**
   * Stores a mutable item (BEP 44) signed by `key` (default: our node key) under
   * SHA-1(public key + salt), with sequence number `seq`; with `cas`, only over the
   * version whose seq is `cas`. Returns the item's key.
   */
  publishMutable(value: Uint8Array, item: MutableItemOptions, done: (result: StoreResult) => void): Uint8Array {
    return this.publishing.publishMutable(value, item, done);
  }

  /** Stops republishing a value we published (holders keep it until it expires). False if we were not publishing it. */
  unpublish(key: Uint8Array): boolean {
    return this.publishing.unpublish(key);
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
    this.membership.join(bootstrap, done);
  }

  /** BEP 5: the peers announced for a torrent, gathered on the way to the k closest nodes to its infohash. */
  findPeers(infoHash: Uint8Array, done: (result: PeersResult) => void): void {
    assertId(infoHash, 'infoHash');
    findTorrentPeers(this.parts, infoHash, done);
  }

  /**
   * BEP 5: tells the k closest nodes to the infohash that we have the torrent, taking
   * connections at `port` (0: at the port our datagrams come from). Throws RangeError for
   * a port outside 0-65535.
   */
  announcePeer(infoHash: Uint8Array, port: number, done: (result: AnnounceResult) => void): void {
    assertId(infoHash, 'infoHash');
    announceTorrent(this.parts, infoHash, port, done);
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

  getPeers(infoHash: Uint8Array): Promise<PeersResult> {
    return new Promise((resolve) => this.findPeers(infoHash, resolve));
  }

  announce(infoHash: Uint8Array, port: number): Promise<AnnounceResult> {
    return new Promise((resolve) => this.announcePeer(infoHash, port, resolve));
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
        response = handleStore(this.parts, body, from);
        break;
      case 'FIND_NODE':
        response = handleFindNode(this.parts, body, message.sender, from);
        break;
      case 'FIND_VALUE':
        response = handleFindValue(this.parts, body, message.sender, from);
        break;
      case 'GET_PEERS':
        response = handleGetPeers(this.parts, body, message.sender, from);
        break;
      case 'ANNOUNCE_PEER':
        response = handleAnnouncePeer(this.parts, body, from);
        break;
    }
    if (message.want !== undefined) response = withWantedFamilies(response, message.want);
    // An asker that echoed our token receives at its address; anyone else may be a forged
    // source, and gets at most AMPLIFICATION_FACTOR times what it sent.
    const proven = body.type === 'FIND_VALUE' && this.tokens.accepts(from.host, body.token, this.clock.now());
    this.rpc.respond(from, message.requestId, response, proven ? 0 : AMPLIFICATION_FACTOR * size);
  }

  /** Whether a peer's id may be used at its address (BEP 42, as options.idFromIp says); counts those that may not. */
  private idAllowed(id: Uint8Array, host: string, ipv4?: number, fits?: boolean): boolean {
    if (idAllowedAt(this.options.idFromIp, id, host, ipv4, fits)) return true;
    this.counters.idMismatches++;
    return false;
  }

  private runLookup(
    kind: LookupKind,
    target: Uint8Array,
    salt: Uint8Array | undefined,
    done: (result: LookupResult) => void,
    enough?: (answeredBy: Peer) => boolean,
    alpha = this.options.alpha,
    forWrites = false,
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
        accepts: (peer) => this.parts.admits(peer),
        maxPerIp: this.options.maxContactsPerIp,
        plainQuorum: 2,
        // the lookup has checked accepts() for it
        discovered: (peer) => this.liveness.learn(peer),
        query: (peer, request, handler, tag) => this.rpc.requestFor(peer, request, handler, tag),
        failed: (peer) => this.liveness.failed(peer),
        enough,
        acceptValue: kind === 'value' ? (value, auth) => itemProblem(target, value, auth, this.crypto) === '' : undefined,
        // Mainline's find_node answers carry no write token: a write's lookup asks with get (BEP 44)
        tokensFromValueQueries: forWrites && this.options.protocol === 'mainline',
        salt,
      },
      done,
    );
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
    this.peerStore?.sweep(now);
    if (this.upkeep.busy) return;
    this.publishing.queueDue(now);
    for (const b of this.membership.idleBuckets(now)) {
      this.upkeep.add((done) => this.membership.refreshIdleBucket(b, done));
    }
  }
}

/**
 * What the node's parts (its RPC handlers, liveness, membership, publishing) see of it: one
 * small object per node, with methods rather than closures (a closure per need cost ~800
 * bytes a node). It is the node's own wiring, in its file, so it reaches the node's private
 * parts by bracket access.
 */
class NodeParts implements HandlerContext, LivenessDeps, MembershipDeps, PublishingDeps, TorrentPeersDeps {
  readonly maxValueBytes = MAX_VALUE_BYTES;

  constructor(private readonly node: KademliaNode) {}

  get id(): Uint8Array {
    return this.node.id;
  }
  get table(): RoutingTable {
    return this.node['table'];
  }
  get arena(): ContactArena {
    return this.node['arena'];
  }
  get clock(): Clock {
    return this.node.clock;
  }
  get random(): RandomSource {
    return this.node.options.random;
  }
  get settings(): ResolvedNodeOptions {
    return this.node.options;
  }
  get storage(): Storage {
    return this.node['storage'];
  }
  get key(): NodeKey {
    return this.node.key;
  }
  get upkeep(): UpkeepQueue {
    return this.node['upkeep'];
  }
  get maxTtlMs(): number {
    return this.node.options.ttlMs;
  }
  get tokens(): WriteTokens {
    return this.node['tokens'];
  }
  get crypto(): CryptoSuite {
    return this.node['crypto'];
  }
  get peerStore(): PeerStore | null {
    return this.node['peerStore'];
  }

  announcedPeers(): PeerStore {
    return (this.node['peerStore'] ??= new PeerStore());
  }

  now(): number {
    return this.node.clock.now();
  }

  isRunning(): boolean {
    return this.node.isRunning;
  }

  closestPeers(target: Uint8Array, exclude: Uint8Array): Peer[] {
    return this.node.closestPeers(target, exclude);
  }

  admits(peer: Peer): boolean {
    return this.node.transport.accepts(peer) && this.node['idAllowed'](peer.id, peer.host, peer.ipv4, peer.idFitsIp);
  }

  ping(to: Address, done: (alive: boolean) => void): void {
    this.node.ping(to, done);
  }

  findNode(target: Uint8Array, done: (result: LookupResult) => void, enough?: (answeredBy: Peer) => boolean, alpha?: number): void {
    this.node['runLookup']('node', target, undefined, done, enough, alpha);
  }

  findWriteTargets(target: Uint8Array, done: (result: LookupResult) => void): void {
    this.node['runLookup']('node', target, undefined, done, undefined, undefined, true);
  }

  findPeers(infoHash: Uint8Array, done: (result: LookupResult) => void): void {
    this.node['runLookup']('peers', infoHash, undefined, done);
  }

  request(peer: Peer, body: RequestBody, done: (response: ResponseBody | null) => void): void {
    this.node['rpc'].request(peer, body, done);
  }

  failed(peer: Peer): void {
    this.node['liveness'].failed(peer);
  }
}
