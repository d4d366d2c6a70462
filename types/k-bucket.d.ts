// Minimal typings for the npm k-bucket package (the outside reference in the bench).
declare module 'k-bucket' {
  import { EventEmitter } from 'node:events';
  interface Contact {
    id: Uint8Array;
    [key: string]: unknown;
  }
  export default class KBucket extends EventEmitter {
    constructor(options?: { localNodeId?: Uint8Array; numberOfNodesPerKBucket?: number; numberOfNodesToPing?: number });
    static distance(a: Uint8Array, b: Uint8Array): number;
    add(contact: Contact): this;
    closest(id: Uint8Array, n?: number): Contact[];
    count(): number;
  }
}
