// kadswarm: a Kademlia DHT engine. The root export is the engine alone: the HTTP gateway
// (uWebSockets.js, prom-client) is the subpath export kadswarm/gateway. Reference: docs/api.md.
export { ID_BYTES, ID_BITS, keyFromString, randomId, idToHex, idFromHex, idsEqual } from './id/id.js';
export { backend, xorDistance, commonPrefixLength, commonPrefixLengths, closest } from './distance/index.js';
export type { BackendName } from './distance/engine.js';
export { ContactArena, contacts } from './routing/contact-arena.js';
export { RoutingTable, DEFAULT_K, DEFAULT_REPLACEMENT_CACHE_SIZE } from './routing/routing-table.js';
export type { ObserveResult, RoutingTableOptions } from './routing/routing-table.js';
export type { Peer } from './routing/peer.js';
export { KademliaNode } from './node/kademlia-node.js';
export type {
  GetResult,
  StoreResult,
  JoinResult,
  NodeCounters,
  NodeStats,
  MutableItemOptions,
  AnnounceResult,
  PeersResult,
} from './node/kademlia-node.js';
export type { NodeOptions } from './node/options.js';
export { Ed25519Key } from './node/security/crypto-suite.js';
export type { NodeKey } from './node/security/crypto-suite.js';
export type { ItemAuth, PeerAddress } from './protocol/messages.js';
export type { ProtocolName } from './protocol/wire-codec.js';
export { immutableKey, mutableKey } from './protocol/item-signature.js';
export { idForIpv4, idForIpv6, idMatchesIpv4, idMatchesIpv6 } from './id/id-from-ip.js';
export { RealClock } from './clock/clock.js';
export type { Clock } from './clock/clock.js';
export { VirtualClock } from './clock/virtual-clock.js';
export { UdpTransport } from './net/udp-transport.js';
export { MemoryNetwork, MemoryTransport } from './net/memory-network.js';
export type { Address, Transport } from './net/transport.js';
export { MAX_VALUE_BYTES } from './protocol/codec.js';
export { MAX_DATAGRAM_BYTES } from './protocol/limits.js';
