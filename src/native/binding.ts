// The one module that loads the C++ addon (native/*.cc), and the types of everything it
// exports. Nothing else requires the .node file: the distance engine and the UDP socket
// set both come through here.
//
// KADEMLIA_NATIVE_ADDON=/path/to/file.node loads another build (a debug or sanitizer
// build, say) instead of build/Release/kadswarm.node.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Functions the addon exports; each checks its arguments (native/napi_args.h). */
export interface NativeAddon {
  /** Does nothing: the cost of one call into native code, the benchmark's baseline. */
  noop(): void;
  /** a XOR b, as a new 20-byte array. */
  xorDistance(a: Uint8Array, b: Uint8Array): Uint8Array;
  /** Leading zero bits of a XOR b: 0..160. */
  commonPrefixLength(a: Uint8Array, b: Uint8Array): number;
  /** out[i] = commonPrefixLength(id, packedIds[i]); returns out. */
  commonPrefixLengths(id: Uint8Array, packedIds: Uint8Array, out: Uint8Array): Uint8Array;
  /** Indices of the min(k, n) ids nearest to target, nearest first, ties by lower index. */
  closest(target: Uint8Array, packedIds: Uint8Array, k: number): Uint32Array;
  /** closest() writing min(k, n) indices into `out` (whose length must be exactly that). */
  closestInto(target: Uint8Array, packedIds: Uint8Array, out: Uint32Array): Uint32Array;
  /** Closest contacts of one routing table (src/distance/table-layout.ts) into `out`; returns how many. */
  tableClosest(arenaIds: Uint8Array, table: Uint32Array, target: Uint8Array, out: Uint32Array): number;
  /** Registers the contact arena read by tableClosestIo. */
  useArena(arenaIds: Uint8Array): void;
  /** Registers the io buffer of tableClosestIo (words 0-4 target, 5 count, 8.. results). */
  bindIo(io: Uint32Array): void;
  /** tableClosest with the target, count and results passed through the io buffer. */
  tableClosestIo(table: Uint32Array): number;
  /** Linux builds only: many UDP sockets behind one epoll descriptor (native/udp_socket_set.cc). */
  UdpSocketSet?: NativeSocketSetClass;
}

/** One set of UDP sockets read in batches; addresses are small integers (address ids). */
export interface NativeSocketSet {
  /** Binds a socket; returns its index in the set and the port it got. Throws an Error with `.code`. */
  open(host: string, port: number): [index: number, port: number];
  /** The address id of a numeric IP address (interned), or -1 when `host` is not one. */
  addressId(host: string): number;
  /** The text of an address id ("127.0.0.1", "::1"); RangeError for an unknown id. */
  addressName(id: number): string;
  /** sendto() from socket `index`; 0, or the errno of a failed send. */
  send(index: number, addressId: number, port: number, bytes: Uint8Array): number;
  closeSocket(index: number): void;
  /** SO_RCVBUF of socket `index` (0 when closed). */
  receiveBufferBytes(index: number): number;
  /** Addresses interned now (at most the set's capacity). */
  addressCount(): number;
  close(): void;
}

/**
 * new UdpSocketSet(onBatch, receive, meta, state, addressCapacity).
 * `meta` holds four int32 per received datagram (socket index, length or -1 when
 * truncated, address id, port); `state[0]` is the address table's generation, which
 * changes each time the full table is cleared (every address id before it is void).
 */
export type NativeSocketSetClass = new (
  onBatch: (count: number) => void,
  receive: Uint8Array,
  meta: Int32Array,
  state: Int32Array,
  addressCapacity: number,
) => NativeSocketSet;

export type NativeLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

/** Where the addon is loaded from: KADEMLIA_NATIVE_ADDON, else the build's output. */
export function addonPath(setting = process.env.KADEMLIA_NATIVE_ADDON): string {
  if (setting !== undefined && setting !== '') return setting;
  // dist/src/native/ -> package root
  return fileURLToPath(new URL('../../../build/Release/kadswarm.node', import.meta.url));
}

let cached: NativeLoad | undefined;

/** Loads the addon once per thread; a failure is a reason in one line, never an exception. */
export function loadNativeAddon(): NativeLoad {
  if (cached) return cached;
  const path = addonPath();
  try {
    cached = { ok: true, addon: require(path) as NativeAddon, path };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    cached = { ok: false, reason: message, path };
  }
  return cached;
}
