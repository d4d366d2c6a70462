// Minimal typings for npm bittorrent-dht (webtorrent's Mainline DHT): the outside reference
// in bench:swarm and the other side of the interop tests.
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  export interface MutablePut {
    v: Buffer;
    k: Buffer;
    seq: number;
    salt?: Buffer;
    cas?: number;
    sign: (bytes: Buffer) => Buffer;
  }
  export interface Item {
    v: Buffer;
    k?: Buffer;
    seq?: number;
    sig?: Buffer;
    salt?: Buffer;
  }
  export default class DHT extends EventEmitter {
    constructor(options?: {
      bootstrap?: string[] | false;
      host?: string | false;
      nodeId?: Buffer;
      timeout?: number;
      verify?: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
    });
    readonly nodeId: Buffer;
    listen(port: number, host: string, callback: () => void): void;
    address(): { address: string; port: number };
    put(options: { v: Buffer } | MutablePut, callback: (error: Error | null, hash: Buffer, nodes: number) => void): void;
    get(hash: Buffer, callback: (error: Error | null, result: Item | null) => void): void;
    get(hash: Buffer, options: { salt?: Buffer }, callback: (error: Error | null, result: Item | null) => void): void;
    announce(infoHash: Buffer, port: number, callback: (error: Error | null) => void): void;
    lookup(infoHash: Buffer, callback?: (error: Error | null, nodes: number) => void): void;
    toJSON(): { nodes: Array<{ host: string; port: number }>; values: unknown };
    destroy(callback?: () => void): void;
  }
}
