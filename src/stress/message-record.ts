// A message as a record between the threads of one simulation: the fields in a fixed
// order, with no MessagePack and no validation (both sides are this process's own code),
// and each contact that is a node of the swarm named by its port alone. The receiving
// thread turns such a port back into its arena's record of that node: the node's id comes
// from a table every thread wrote its nodes' ids into, and a cache from port to arena slot
// spares hashing the id again.
import { ID_BYTES } from '../id/id.js';
import type { ItemAuth, Message, Body, PeerAddress } from '../protocol/messages.js';
import { MessageType, READ_ONLY_FLAG } from '../protocol/messages.js';
import type { ContactArena } from '../routing/contact-arena.js';
import type { Peer } from '../routing/peer.js';
import { simHost, simIpv4 } from '../net/memory-network.js';
import { packedIpv4 } from '../util/ipv4.js';
import { grown } from '../util/grown.js';
import type { RecordReader, RecordWriter } from './record-queue.js';

const REQUEST_ID_BYTES = 8;
/** Beside READ_ONLY_FLAG on the type byte: a byte of BEP 32 families (Message.want) follows. */
const WANT_FLAG = 0x40;
const ABSENT = 0;
const PRESENT = 1;
/** A contact that is node `port` of the swarm, at its own address: the port says it all. */
const SWARM_NODE = 0;
/** Any other contact: id, host and port written out. */
const OTHER = 1;

/** Every swarm node's id, by port, in one SharedArrayBuffer: each thread writes its own nodes'. */
export class NodeIdTable {
  readonly bytes: Uint8Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    /** Nodes in the swarm (ports 1..nodes). */
    readonly nodes: number,
  ) {
    this.bytes = new Uint8Array(buffer);
  }

  static create(nodes: number): NodeIdTable {
    return new NodeIdTable(new SharedArrayBuffer((nodes + 1) * ID_BYTES), nodes);
  }

  set(port: number, id: Uint8Array): void {
    this.bytes.set(id, port * ID_BYTES);
  }

  /** Whether `peer` is swarm node `peer.port` at its own address. */
  names(peer: Peer): boolean {
    const port = peer.port;
    if (port < 1 || port > this.nodes) return false;
    if ((peer.ipv4 ?? packedIpv4(peer.host)) !== simIpv4(port)) return false;
    const id = peer.id;
    const bytes = this.bytes;
    const at = port * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) if (id[i] !== bytes[at + i]) return false;
    return true;
  }

  /** A copy of node `port`'s id. */
  id(port: number): Uint8Array {
    return this.bytes.slice(port * ID_BYTES, (port + 1) * ID_BYTES);
  }
}

/**
 * Writes and reads message records for one thread, resolving swarm nodes through its
 * arena. Both directions remember what they resolved with the arena slot's generation, so
 * a contact seen again costs two array reads, not an id compare or a hash.
 */
export class MessageRecords {
  /** Per port, the arena slot that held that node when last resolved (-1: none yet), and the slot's generation then. */
  private slotOfPort = new Int32Array(0);
  private generationOfPort = new Uint32Array(0);
  /** Per arena slot, the swarm node's port it was found to hold (0: not checked), and the slot's generation then. */
  private portOfSlot = new Uint32Array(0);
  private generationOfSlot = new Uint32Array(0);

  constructor(
    private readonly ids: NodeIdTable,
    private readonly arena: ContactArena,
  ) {}

  write(out: RecordWriter, message: Message): void {
    out.raw(message.requestId);
    out.raw(message.sender);
    const body = message.body;
    const readOnly = message.readOnly === true ? READ_ONLY_FLAG : 0;
    const want = message.want !== undefined ? WANT_FLAG : 0;
    out.u8(MessageType[body.type] | readOnly | want);
    if (message.want !== undefined) out.u8(message.want);
    switch (body.type) {
      case 'PING':
      case 'PONG':
        return;
      case 'STORE':
        out.blob(body.key);
        out.blob(body.value);
        out.f64(body.ttlMs);
        out.blob(body.token);
        this.writeAuth(out, body.auth);
        out.f64(body.cas ?? NaN);
        return;
      case 'STORED':
        out.u8(body.ok ? 1 : 0);
        out.blob(Buffer.from(body.reason));
        return;
      case 'FIND_NODE':
        out.blob(body.target);
        return;
      case 'FIND_VALUE':
        out.blob(body.key);
        writeOptional(out, body.token);
        return;
      case 'NODES':
        this.writeContacts(out, body.contacts);
        out.blob(body.token);
        return;
      case 'VALUE':
        writeOptional(out, body.value);
        out.f64(body.ttlMs);
        this.writeContacts(out, body.contacts);
        out.blob(body.token);
        this.writeAuth(out, body.auth);
        out.u8(body.withheld ? 1 : 0);
        return;
      case 'GET_PEERS':
        out.blob(body.infoHash);
        return;
      case 'PEERS':
        out.u32(body.peers.length);
        for (const peer of body.peers) {
          out.blob(Buffer.from(peer.host));
          out.u32(peer.port);
        }
        this.writeContacts(out, body.contacts);
        out.blob(body.token);
        return;
      case 'ANNOUNCE_PEER':
        out.blob(body.infoHash);
        out.u32(body.port);
        out.u8(body.impliedPort ? 1 : 0);
        out.blob(body.token);
        return;
      case 'ANNOUNCED':
        out.u8(body.ok ? 1 : 0);
        out.blob(Buffer.from(body.reason));
        return;
    }
  }

  read(input: RecordReader): Message {
    const requestId = input.raw(REQUEST_ID_BYTES);
    const sender = input.raw(ID_BYTES);
    const flags = input.u8();
    const want = flags & WANT_FLAG ? input.u8() : -1;
    const message: Message = { requestId, sender, body: this.readBody(input, flags & ~(READ_ONLY_FLAG | WANT_FLAG)) };
    if (flags & READ_ONLY_FLAG) message.readOnly = true;
    if (want >= 0) message.want = want;
    return message;
  }

  private readBody(input: RecordReader, type: number): Body {
    switch (type) {
      case MessageType.PING:
        return { type: 'PING' };
      case MessageType.PONG:
        return { type: 'PONG' };
      case MessageType.STORE: {
        const key = input.blob();
        const value = input.blob();
        const ttlMs = input.f64();
        const token = input.blob();
        const auth = this.readAuth(input);
        const cas = input.f64();
        return { type: 'STORE', key, value, ttlMs, token, auth, cas: Number.isNaN(cas) ? null : cas };
      }
      case MessageType.STORED: {
        const ok = input.u8() === 1;
        return { type: 'STORED', ok, reason: Buffer.from(input.blob()).toString() };
      }
      case MessageType.FIND_NODE:
        return { type: 'FIND_NODE', target: input.blob() };
      case MessageType.FIND_VALUE: {
        const key = input.blob();
        return { type: 'FIND_VALUE', key, token: readOptional(input) };
      }
      case MessageType.NODES: {
        const contacts = this.readContacts(input);
        return { type: 'NODES', contacts, token: input.blob() };
      }
      case MessageType.VALUE: {
        const value = readOptional(input);
        const ttlMs = input.f64();
        const contacts = this.readContacts(input);
        const token = input.blob();
        const auth = this.readAuth(input);
        return { type: 'VALUE', value, ttlMs, contacts, token, auth, withheld: input.u8() === 1 };
      }
      case MessageType.GET_PEERS:
        return { type: 'GET_PEERS', infoHash: input.blob() };
      case MessageType.PEERS: {
        const peers: PeerAddress[] = [];
        for (let n = input.u32(); n > 0; n--) {
          const host = Buffer.from(input.blob()).toString();
          peers.push({ host, port: input.u32() });
        }
        const contacts = this.readContacts(input);
        return { type: 'PEERS', peers, contacts, token: input.blob() };
      }
      case MessageType.ANNOUNCE_PEER: {
        const infoHash = input.blob();
        const port = input.u32();
        const impliedPort = input.u8() === 1;
        return { type: 'ANNOUNCE_PEER', infoHash, port, impliedPort, token: input.blob() };
      }
      case MessageType.ANNOUNCED: {
        const ok = input.u8() === 1;
        return { type: 'ANNOUNCED', ok, reason: Buffer.from(input.blob()).toString() };
      }
      default:
        throw new Error(`unknown message type ${type} between threads`);
    }
  }

  private writeContacts(out: RecordWriter, contacts: readonly Peer[]): void {
    out.u32(contacts.length);
    for (const contact of contacts) {
      out.u32(contact.port);
      if (this.isSwarmNode(contact)) {
        out.u8(SWARM_NODE);
        continue;
      }
      out.u8(OTHER);
      out.raw(contact.id);
      out.blob(Buffer.from(contact.host));
    }
  }

  private readContacts(input: RecordReader): Peer[] {
    const count = input.u32();
    const contacts: Peer[] = new Array(count);
    const arena = this.arena;
    for (let i = 0; i < count; i++) {
      const port = input.u32();
      if (input.u8() === OTHER) {
        const id = input.raw(ID_BYTES);
        const host = Buffer.from(input.blob()).toString();
        contacts[i] = arena.peer(arena.intern(id, host, port));
      } else contacts[i] = arena.peer(this.slotOf(port));
    }
    return contacts;
  }

  /** Whether `contact` is the swarm node at its port: remembered per arena slot for this arena's records. */
  private isSwarmNode(contact: Peer): boolean {
    const arena = this.arena;
    const slot = arena.slotOfRecord(contact);
    if (
      slot >= 0 &&
      slot < this.portOfSlot.length &&
      this.portOfSlot[slot] === contact.port &&
      this.generationOfSlot[slot] === arena.generation(slot)
    )
      return true;
    if (!this.ids.names(contact)) return false;
    if (slot >= 0) {
      if (slot >= this.portOfSlot.length) {
        const size = Math.max(slot + 1, this.portOfSlot.length * 2);
        this.portOfSlot = grown(this.portOfSlot, size);
        this.generationOfSlot = grown(this.generationOfSlot, size);
      }
      this.portOfSlot[slot] = contact.port;
      this.generationOfSlot[slot] = arena.generation(slot);
    }
    return true;
  }

  /** The arena slot of swarm node `port`: the remembered one while its generation holds, else interned. */
  private slotOf(port: number): number {
    if (port >= this.slotOfPort.length) {
      const size = Math.max(port + 1, this.slotOfPort.length * 2);
      this.slotOfPort = grown(this.slotOfPort, size, -1);
      this.generationOfPort = grown(this.generationOfPort, size);
    }
    const cached = this.slotOfPort[port];
    if (cached >= 0 && this.generationOfPort[port] === this.arena.generation(cached)) return cached;
    const slot = this.arena.intern(this.ids.id(port), simHost(port), port);
    this.slotOfPort[port] = slot;
    this.generationOfPort[port] = this.arena.generation(slot);
    return slot;
  }

  private writeAuth(out: RecordWriter, auth: ItemAuth | null): void {
    if (auth === null) return out.u8(ABSENT);
    out.u8(PRESENT);
    out.blob(auth.publicKey);
    out.f64(auth.seq);
    out.blob(auth.signature);
    writeOptional(out, auth.salt);
  }

  private readAuth(input: RecordReader): ItemAuth | null {
    if (input.u8() === ABSENT) return null;
    const publicKey = input.blob();
    const seq = input.f64();
    const signature = input.blob();
    return { publicKey, seq, signature, salt: readOptional(input) };
  }
}

function writeOptional(out: RecordWriter, bytes: Uint8Array | null): void {
  if (bytes === null) return out.u8(ABSENT);
  out.u8(PRESENT);
  out.blob(bytes);
}

function readOptional(input: RecordReader): Uint8Array | null {
  return input.u8() === ABSENT ? null : input.blob();
}
