// kadswarm: a Kademlia DHT engine. Root exports (contract in DESIGN.md).
export { ID_BYTES, ID_BITS, keyFromString, randomId, idToHex, idFromHex, idsEqual } from './id/id.js';
export { backend, xorDistance, commonPrefixLength, commonPrefixLengths, closest } from './distance/index.js';
export type { BackendName } from './distance/engine.js';
