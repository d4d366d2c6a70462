// A token bucket per source IP (libtorrent and OpenDHT rate-limit DHT traffic per IP):
// a source may send `burst` datagrams at once and `perSecond` on average; the rest are
// dropped unread and counted. Buckets are only kept while they could bind: one bucket for
// the whole node, with the same rate and burst, drains no slower than any source's own,
// so while it holds tokens no source can be over its limit. Only when it runs dry does
// the node track sources one by one (at most `maxTracked`, the oldest forgotten first),
// until the node's bucket is full again. A million simulated nodes under normal load
// keep two numbers each. The price: a source first tracked starts with a full burst, so
// the one that drains the node's bucket gets up to two bursts before it is held back.

export interface RateLimit {
  /** Datagrams per second a source IP may send on average. */
  perSecond: number;
  /** Datagrams a source IP may send at once. */
  burst: number;
}

import { TokenBucket } from '../../util/token-bucket.js';

const MAX_TRACKED = 4096;

export class SourceLimiter {
  private readonly whole: TokenBucket;
  private sources: Map<string, TokenBucket> | null = null;
  /** Datagrams dropped for exceeding their source's rate. */
  dropped = 0;

  constructor(
    readonly limit: RateLimit,
    now: number,
    private readonly maxTracked = MAX_TRACKED,
  ) {
    this.whole = new TokenBucket(limit.perSecond, limit.burst, now);
  }

  /** Whether a datagram from `host` at `now` (ms) is within its source's rate; counts it if it is. */
  admit(host: string, now: number): boolean {
    const whole = this.whole;
    whole.refill(now);
    // may go negative (to -burst): the whole node's bucket only tells whether sources need tracking
    whole.tokens = Math.max(whole.tokens - 1, -this.limit.burst);
    if (this.sources === null) {
      if (whole.tokens >= 0) return true;
      this.sources = new Map();
    } else if (whole.tokens >= this.limit.burst - 1) {
      this.sources = null; // full again: no source can be over its limit
      return true;
    }
    let bucket = this.sources.get(host);
    if (bucket === undefined) {
      if (this.sources.size >= this.maxTracked) this.sources.delete(this.sources.keys().next().value!);
      bucket = new TokenBucket(this.limit.perSecond, this.limit.burst, now);
      this.sources.set(host, bucket);
    }
    if (bucket.take(1, now)) return true;
    this.dropped++;
    return false;
  }

  /** Sources tracked one by one right now (0 unless the node is busy). */
  get tracked(): number {
    return this.sources?.size ?? 0;
  }
}
