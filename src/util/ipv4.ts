// IPv4 addresses as 32-bit numbers (network order), and back, with bounded caches.
// Per-IP rules (quotas, rate limits, BEP 42), the wire's packed contacts and the
// transports' address checks all need an address as a number, and a swarm names the same
// few thousand hosts over and over.

/**
 * Bounded caches between host strings and packed IPv4 addresses. Hosts repeat (a whole
 * swarm on 127.0.0.1), and handing back one string object also lets the arena's host
 * index find it without hashing a new string. Emptied when full: peers can name any host.
 */
const CACHE_LIMIT = 65_536; // a 10,000-node swarm on 127/8 names 10,000 hosts
const ipv4ByHost = new Map<string, number>();
const hostByIpv4 = new Map<number, string>();

/** The host as a 32-bit IPv4 address when it is one in canonical dotted-quad form, else -1. */
export function packedIpv4(host: string): number {
  if (host === lastPackedHost) return lastPacked; // a swarm's contacts nearly all share one host
  const packed = packedIpv4Cached(host);
  lastPackedHost = host;
  lastPacked = packed;
  return packed;
}

let lastPackedHost = '';
let lastPacked = -1;

function packedIpv4Cached(host: string): number {
  const known = ipv4ByHost.get(host);
  if (known !== undefined) return known;
  const packed = parseIpv4(host);
  if (ipv4ByHost.size >= CACHE_LIMIT) ipv4ByHost.clear();
  ipv4ByHost.set(host, packed);
  return packed;
}

/** Four decimal parts 0-255 without leading zeros, so that formatting it gives `host` back exactly. */
function parseIpv4(host: string): number {
  if (host.length < 7 || host.length > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 46; // a final '.' closes the last part
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3) return -1;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

/** The dotted quad of a packed IPv4 address: one string object per address while the cache holds it. */
export function ipv4Host(packed: number): string {
  let host = hostByIpv4.get(packed);
  if (host === undefined) {
    host = `${packed >>> 24}.${(packed >>> 16) & 0xff}.${(packed >>> 8) & 0xff}.${packed & 0xff}`;
    if (hostByIpv4.size >= CACHE_LIMIT) hostByIpv4.clear();
    hostByIpv4.set(packed, host);
  }
  return host;
}
