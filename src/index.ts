// kadswarm: a Kademlia DHT engine. Root exports (contract in DESIGN.md).
export { ID_BYTES, ID_BITS, keyFromString, randomId, idToHex, idFromHex, idsEqual } from './id/id.js';
export { backend, xorDistance, commonPrefixLength, commonPrefixLengths, closest } from './distance/index.js';
export type { BackendName } from './distance/engine.js';
export { ContactArena, contacts } from './routing/contact-arena.js';
export { RoutingTable, DEFAULT_K, DEFAULT_REPLACEMENT_CACHE_SIZE } from './routing/routing-table.js';
export type { ObserveResult, RoutingTableOptions } from './routing/routing-table.js';
