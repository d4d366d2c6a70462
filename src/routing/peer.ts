// A peer: a node's id and the address it answers at. Lookups, routing answers and the
// wire format all speak of peers; the arena stores them as 32-bit contact indices.
export interface Peer {
  id: Uint8Array;
  host: string;
  port: number;
  /**
   * The id's bits 0-29 and 30-59 (idHeadAt, idNextAt), when the record carries them: the
   * arena's shared records do. A lookup then orders peers without reading id bytes, which
   * in a large simulation are a cache miss or two per peer.
   */
  readonly head?: number;
  readonly next?: number;
  /** The host as a packed IPv4 address (-1: not one), when the record carries it: the arena's do. */
  readonly ipv4?: number;
  /** Whether the id is one BEP 42 allows at this IPv4 address (true for other hosts), when the record carries it: the arena's do. */
  readonly idFitsIp?: boolean;
}
