// Interns contacts (node id + network address) once per process. Ids live back to back
// in one growable byte arena and everything else refers to a contact by its 32-bit index,
// so a million routing tables cost 4 bytes per entry instead of an object each.
import { ID_BYTES, idToHex } from '../id/id.js';
import { assertId } from '../distance/validate.js';

const INITIAL_CAPACITY = 1024;

export class ContactArena {
  /** Ids of contacts 0..count-1, 20 bytes each; bytes past count*20 are unused. */
  ids: Uint8Array;
  private ports: Uint32Array;
  private hostOf: Uint32Array;
  private readonly hostNames: string[] = [];
  private readonly hostIndex = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  private used = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    const capacity = Math.max(1, initialCapacity);
    this.ids = new Uint8Array(capacity * ID_BYTES);
    this.ports = new Uint32Array(capacity);
    this.hostOf = new Uint32Array(capacity);
  }

  get count(): number {
    return this.used;
  }

  /**
   * The index of (id, host, port), adding it on first sight. `port` is a UDP port, or any
   * 32-bit endpoint number on a simulated network.
   */
  intern(id: Uint8Array, host: string, port: number): number {
    assertId(id, 'id');
    if (!Number.isInteger(port) || port < 0 || port > 0xffffffff) throw new RangeError(`port must be a 32-bit integer (got ${port})`);
    const key = `${idToHex(id)}@${host}:${port}`;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const index = this.used;
    if (index === this.ports.length) this.grow();
    this.ids.set(id, index * ID_BYTES);
    this.ports[index] = port;
    this.hostOf[index] = this.internHost(host);
    this.used = index + 1;
    this.byKey.set(key, index);
    return index;
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

  address(contact: number): string {
    const host = this.host(contact);
    return host.includes(':') ? `[${host}]:${this.port(contact)}` : `${host}:${this.port(contact)}`;
  }

  /** Bytes held by the arena's typed arrays (not counting the intern map). */
  get byteLength(): number {
    return this.ids.byteLength + this.ports.byteLength + this.hostOf.byteLength;
  }

  /** Throws unless `contact` is an index this arena handed out. */
  check(contact: number): void {
    if (!(contact >= 0 && contact < this.used && Number.isInteger(contact))) {
      throw new RangeError(`unknown contact ${contact}`);
    }
  }

  private internHost(host: string): number {
    let index = this.hostIndex.get(host);
    if (index === undefined) {
      index = this.hostNames.length;
      this.hostNames.push(host);
      this.hostIndex.set(host, index);
    }
    return index;
  }

  private grow(): void {
    const capacity = this.ports.length * 2;
    const ids = new Uint8Array(capacity * ID_BYTES);
    ids.set(this.ids);
    this.ids = ids;
    const ports = new Uint32Array(capacity);
    ports.set(this.ports);
    this.ports = ports;
    const hostOf = new Uint32Array(capacity);
    hostOf.set(this.hostOf);
    this.hostOf = hostOf;
  }
}

/** The process-wide arena: every node in this process interns its contacts here. */
export const contacts = new ContactArena();
