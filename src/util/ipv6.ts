// IPv6 addresses as their 16 bytes, and back (ipaddr.js parses every textual form).
import ipaddr from 'ipaddr.js';

/** The host's 16 bytes when it is an IPv6 address without a zone (`%eth0`), else null. */
export function ipv6Bytes(host: string): Uint8Array | null {
  if (host.includes('%') || !ipaddr.IPv6.isValid(host)) return null;
  return Uint8Array.from(ipaddr.IPv6.parse(host).toByteArray());
}

/** The canonical (RFC 5952) text of 16 address bytes. */
export function ipv6Host(bytes: Uint8Array): string {
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}
