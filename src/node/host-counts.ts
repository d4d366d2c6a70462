// How many candidates each IP has given one lookup (the lookup's maxPerIp rule). IPv4
// addresses count in an open-addressed table of typed arrays, kept with a lookup's pooled
// candidate table and cleared for its next lookup: a Map per lookup grew its backing store
// again and again, a tenth of all the bytes a simulation allocated. Other hosts (IPv6,
// names) use a Map.
import { packedIpv4 } from '../util/ipv4.js';

const INITIAL_SLOTS = 64;

export class HostCounts {
  private addresses = new Uint32Array(INITIAL_SLOTS);
  /** Candidates per slot; 0 marks an empty slot. */
  private counts = new Uint16Array(INITIAL_SLOTS);
  private used = 0;
  private others: Map<string, number> | null = null;

  /** Counts one more candidate at `host` unless it already has `max` (then false). */
  admit(host: string, ipv4: number | undefined, max: number): boolean {
    const ip = ipv4 ?? packedIpv4(host);
    if (ip < 0) {
      const seen = (this.others ??= new Map()).get(host) ?? 0;
      if (seen >= max) return false;
      this.others.set(host, seen + 1);
      return true;
    }
    const slot = this.slotOf(ip);
    const seen = this.counts[slot];
    if (seen >= max) return false;
    if (seen === 0) {
      this.addresses[slot] = ip;
      if (++this.used * 2 > this.counts.length) {
        this.counts[slot] = 1;
        this.grow();
        return true;
      }
    }
    this.counts[slot] = seen + 1;
    return true;
  }

  /** Forgets every count (for reuse). */
  clear(): void {
    if (this.used > 0) this.counts.fill(0);
    this.used = 0;
    this.others = null;
  }

  /** The slot holding `ip`, or the empty one where it would go. */
  private slotOf(ip: number): number {
    const mask = this.counts.length - 1;
    const mixed = Math.imul(ip ^ (ip >>> 16), 0x45d9f3b);
    let slot = (mixed ^ (mixed >>> 16)) & mask;
    while (this.counts[slot] !== 0 && this.addresses[slot] !== ip) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const addresses = this.addresses;
    const counts = this.counts;
    this.addresses = new Uint32Array(addresses.length * 2);
    this.counts = new Uint16Array(counts.length * 2);
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] === 0) continue;
      const slot = this.slotOf(addresses[i]);
      this.addresses[slot] = addresses[i];
      this.counts[slot] = counts[i];
    }
  }
}
