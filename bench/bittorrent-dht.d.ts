// Minimal typings for npm bittorrent-dht (the outside reference in bench:swarm).
declare module 'bittorrent-dht' {
  import { EventEmitter } from 'node:events';
  export default class DHT extends EventEmitter {
    constructor(options?: { bootstrap?: string[] | false; host?: string | false });
    listen(port: number, host: string, callback: () => void): void;
    address(): { address: string; port: number };
    put(options: { v: Buffer }, callback: (error: Error | null, hash: Buffer, nodes: number) => void): void;
    get(hash: Buffer, callback: (error: Error | null, result: { v: Buffer } | null) => void): void;
    destroy(callback?: () => void): void;
  }
}
