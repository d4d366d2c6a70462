// Interns contacts (node id + network address) once per process. Ids live back to back
// in one growable byte arena and everything else refers to a contact by its 32-bit index,
// so a million routing tables cost 4 bytes per entry instead of an object each.
//
// Contacts are reference counted: holders that keep a contact (routing tables, their
// replacement caches, running lookups) retain() it and release() it when done. A contact
// nobody holds is freed by release() or dropIfUnused() and its slot reused, so datagrams
// from ever-new (possibly spoofed) senders cannot grow the arena without bound.
import { ID_BYTES } from '../id/id.js';
import { idEqualAt, idHeadAt, idNextAt } from '../id/prefix.js';
import { assertId } from '../distance/validate.js';
import type { Peer } from './peer.js';
import { EMPTY, SlotHash } from '../util/slot-hash.js';
import { packedIpv4 } from '../util/ipv4.js';
import { idMatchesIpv4 } from '../id/id-from-ip.js';
import { grown } from '../util/grown.js';

/** A Peer made by an arena for one of its slots (see ContactArena.peer). */
interface ArenaPeer extends Peer {
  readonly arena: ContactArena;
  readonly contact: number;
}

const INITIAL_CAPACITY = 1024;
const NOT_FOUND = -1;

export class ContactArena {
  /** Ids of contacts 0..count-1, 20 bytes each; bytes past count*20 are unused. */
  ids: Uint8Array;
  private ports: Uint32Array;
  private hostOf: Uint32Array;
  private refs: Uint32Array;
  /** 1 while a slot holds a contact. */
  private alive: Uint8Array;
  /**
   * 1 once another live contact shared this contact's id (same node id, another address).
   * Without it, a contact's index alone tells whether a table holds its id. Never cleared
   * while the slot lives: a stale 1 only costs a slower search.
   */
  private twin: Uint8Array;
  /** Per slot, how many times it was freed: a slot remembered with its generation still holds the same contact while they match. */
  private generations: Uint32Array;
  private readonly freeSlots: number[] = [];
  private live = 0;
  /**
   * Id -> contact. Hashed on the id alone, so every contact with one id sits in one probe
   * chain (how twins are found); the chain is as long as the contacts sharing an id that
   * something holds, which is few.
   */
  private readonly index: SlotHash;
  /** For fit(), which every insert calls: made once, not a closure per insert. */
  private readonly liveContactsOnce = () => this.liveContacts();
  private readonly hostNames: string[] = [];
  private readonly hostIndex = new Map<string, number>();
  /**
   * Live contacts per host number. A contact alone at its host shares it with no contact
   * of any routing table, so admission rules per IP need not scan a table for it (in a
   * simulation every node has an address of its own).
   */
  private readonly hostPopulation: number[] = [];
  private lastHost: string | null = null;
  private lastHostIndex = 0;
  private used = 0;
  /** Per slot, its shared peer record once one was asked for (dropped when the slot is freed). */
  private readonly peers: Array<ArenaPeer | undefined> = [];

  constructor(initialCapacity = INITIAL_CAPACITY) {
    const capacity = Math.max(1, initialCapacity);
    this.ids = new Uint8Array(capacity * ID_BYTES);
    this.ports = new Uint32Array(capacity);
    this.hostOf = new Uint32Array(capacity);
    this.refs = new Uint32Array(capacity);
    this.alive = new Uint8Array(capacity);
    this.twin = new Uint8Array(capacity);
    this.generations = new Uint32Array(capacity);
    this.index = new SlotHash(capacity * 2, (contact) => this.hash(this.ids, contact * ID_BYTES));
  }

  /** Contacts currently interned (slots in use). */
  get count(): number {
    return this.live;
  }

  /**
   * The index of (id, host, port), adding it on first sight. `port` is a UDP port, or any
   * 32-bit endpoint number on a simulated network.
   */
  intern(id: Uint8Array, host: string, port: number): number {
    assertId(id, 'id');
    if (!Number.isInteger(port) || port < 0 || port > 0xffffffff) throw new RangeError(`port must be a 32-bit integer (got ${port})`);
    // found by id, the host compared as a string: a contact we know (nearly every sender
    // of a message) costs no probe of the host map
    const known = this.find(id, host, port);
    if (known >= 0) return known;
    const twinOf = -2 - known; // -1 (NOT_FOUND) when no live contact shares the id
    const hostIndex = this.internHost(host);
    let index = this.freeSlots.pop();
    if (index === undefined) {
      index = this.used;
      if (index === this.ports.length) this.grow();
      this.used = index + 1;
    }
    this.ids.set(id, index * ID_BYTES);
    this.ports[index] = port;
    this.hostOf[index] = hostIndex;
    this.hostPopulation[hostIndex]++;
    this.refs[index] = 0;
    this.alive[index] = 1;
    this.twin[index] = twinOf >= 0 ? 1 : 0;
    if (twinOf >= 0) this.twin[twinOf] = 1;
    this.index.place(index);
    this.live++;
    this.index.fit(this.live, this.liveContactsOnce);
    return index;
  }

  /** Holds a contact: it stays interned until every retain() is matched by a release(). */
  retain(contact: number): void {
    this.check(contact);
    this.refs[contact]++;
  }

  /** Drops one hold; the contact is freed when nobody holds it any more. */
  release(contact: number): void {
    this.check(contact);
    if (this.refs[contact] === 0) throw new Error(`contact ${contact} released more often than retained`);
    if (--this.refs[contact] === 0) this.free(contact);
  }

  /** Frees a contact that nobody retained (e.g. the sender of a datagram we did not keep). */
  dropIfUnused(contact: number): void {
    this.check(contact);
    if (this.refs[contact] === 0) this.free(contact);
  }

  references(contact: number): number {
    this.check(contact);
    return this.refs[contact];
  }

  private free(contact: number): void {
    this.hostPopulation[this.hostOf[contact]]--;
    this.peers[contact] = undefined;
    this.index.unplace(contact);
    this.alive[contact] = 0;
    this.generations[contact]++;
    this.freeSlots.push(contact);
    this.live--;
  }

  /** Whether another live contact shares (or once shared) this contact's id. */
  hasTwin(contact: number): boolean {
    return this.twin[contact] === 1;
  }

  private hash(idBytes: Uint8Array, at: number): number {
    let h =
      ((idBytes[at] << 24) | (idBytes[at + 1] << 16) | (idBytes[at + 2] << 8) | idBytes[at + 3]) ^
      Math.imul((idBytes[at + 16] << 24) | (idBytes[at + 17] << 16) | (idBytes[at + 18] << 8) | idBytes[at + 19], 0x9e3779b1);
    h ^= h >>> 16;
    return Math.imul(h, 0x7feb352d) >>> 0;
  }

  /** The contact (id, host, port); else NOT_FOUND, or -2 - c for a live contact c with the same id. */
  private find(id: Uint8Array, host: string, port: number): number {
    const { table, mask } = this.index;
    let twinOf = NOT_FOUND;
    for (let p = this.index.start(this.hash(id, 0)); ; p = (p + 1) & mask) {
      const c = table[p];
      if (c === EMPTY) return twinOf;
      if (idEqualAt(this.ids, c * ID_BYTES, id, 0)) {
        if (this.ports[c] === port && this.hostNames[this.hostOf[c]] === host) return c;
        twinOf = -2 - c;
      }
    }
  }

  private *liveContacts(): Iterable<number> {
    for (let c = 0; c < this.used; c++) if (this.alive[c]) yield c;
  }

  /**
   * The contact as a Peer (id, host, port), made once per slot and shared by every
   * message that names it: FIND_NODE answers cost no per-contact allocation. Never mutate it.
   */
  peer(contact: number): Peer {
    let record = this.peers[contact];
    if (record === undefined) {
      this.check(contact);
      const at = contact * ID_BYTES;
      const id = this.ids.slice(at, at + ID_BYTES);
      const ipv4 = packedIpv4(this.host(contact));
      record = {
        id,
        host: this.host(contact),
        port: this.ports[contact],
        head: idHeadAt(this.ids, at),
        next: idNextAt(this.ids, at),
        ipv4,
        // checked once per record: lookups ask for every contact of every answer
        idFitsIp: ipv4 < 0 || idMatchesIpv4(id, ipv4),
        arena: this,
        contact,
      };
      this.peers[contact] = record;
    }
    return record;
  }

  /**
   * intern() for a contact from a message. A record made by peer() on this arena whose slot
   * still holds it (same object) is answered without hashing: in one-process simulations
   * nearly every contact a node learns is one.
   */
  internPeer(peer: Peer): number {
    const slot = this.slotOfRecord(peer);
    return slot >= 0 ? slot : this.intern(peer.id, peer.host, peer.port);
  }

  /** The slot whose current record (peer()) `peer` is, or -1 when it is no such record. */
  slotOfRecord(peer: Peer): number {
    const record = peer as Partial<ArenaPeer>;
    return record.arena === this && this.peers[record.contact!] === peer ? record.contact! : -1;
  }

  /** How many times the slot was freed: while unchanged, the slot holds the contact it held when read. */
  generation(contact: number): number {
    return this.generations[contact];
  }

  /** A view (not a copy) of the contact's id. */
  id(contact: number): Uint8Array {
    this.check(contact);
    return this.ids.subarray(contact * ID_BYTES, (contact + 1) * ID_BYTES);
  }

  host(contact: number): string {
    this.check(contact);
    return this.hostNames[this.hostOf[contact]];
  }

  port(contact: number): number {
    this.check(contact);
    return this.ports[contact];
  }

  /** Whether another live contact has this contact's host. */
  hostShared(contact: number): boolean {
    return this.hostPopulation[this.hostOf[contact]] > 1;
  }

  /** Whether two contacts share a host (compared by the arena's host number, without strings). */
  sameHost(a: number, b: number): boolean {
    return this.hostOf[a] === this.hostOf[b];
  }

  /** Whether two contacts share host and port. */
  sameAddress(a: number, b: number): boolean {
    return this.hostOf[a] === this.hostOf[b] && this.ports[a] === this.ports[b];
  }

  address(contact: number): string {
    const host = this.host(contact);
    return host.includes(':') ? `[${host}]:${this.port(contact)}` : `${host}:${this.port(contact)}`;
  }

  /** Bytes held by the arena's typed arrays (not counting the intern map). */
  get byteLength(): number {
    return (
      this.ids.byteLength +
      this.ports.byteLength +
      this.hostOf.byteLength +
      this.refs.byteLength +
      this.alive.byteLength +
      this.twin.byteLength +
      this.index.byteLength
    );
  }

  /** Throws unless `contact` is an index this arena handed out. */
  check(contact: number): void {
    if (!(contact >= 0 && contact < this.used && Number.isInteger(contact)) || this.alive[contact] === 0) {
      throw new RangeError(`unknown contact ${contact}`);
    }
  }

  private internHost(host: string): number {
    // Nearly every datagram in a run comes from one host ('sim', or 127.0.0.1), and every
    // message received interns its sender: one string compare instead of a Map probe.
    if (host === this.lastHost) return this.lastHostIndex;
    let index = this.hostIndex.get(host);
    if (index === undefined) {
      index = this.hostNames.length;
      this.hostNames.push(host);
      this.hostPopulation.push(0);
      this.hostIndex.set(host, index);
    }
    this.lastHost = host;
    this.lastHostIndex = index;
    return index;
  }

  private grow(): void {
    const capacity = this.ports.length * 2;
    this.ids = grown(this.ids, capacity * ID_BYTES);
    this.ports = grown(this.ports, capacity);
    this.hostOf = grown(this.hostOf, capacity);
    this.refs = grown(this.refs, capacity);
    this.alive = grown(this.alive, capacity);
    this.twin = grown(this.twin, capacity);
    this.generations = grown(this.generations, capacity);
  }
}

/** The process-wide arena: every node in this process interns its contacts here. */
export const contacts = new ContactArena();
