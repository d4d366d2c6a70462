// How long a request waits for its answer. A node keeps one smoothed round-trip time and
// its mean deviation over every answer it gets (RFC 6298's estimator) and waits
// srtt + 4 x rttvar, between a floor and the configured timeout. A dead peer then costs a
// few round trips instead of the whole timeout: that wait is most of what a lookup after
// churn spends. Until the first answer, a request waits the whole timeout.
export class RttEstimator {
  private srtt = 0;
  private rttvar = 0;
  private sampled = false;

  constructor(
    /** Never less: a busy event loop must not turn live peers into timeouts. */
    readonly floorMs: number,
    /** Never more: the configured request timeout. */
    readonly ceilingMs: number,
  ) {
    if (!(floorMs > 0 && floorMs <= ceilingMs)) throw new RangeError(`the floor (${floorMs} ms) must be in (0, ${ceilingMs}] ms`);
  }

  /** An answer came `ms` after its request left. */
  sample(ms: number): void {
    if (!this.sampled) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      this.sampled = true;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
    this.srtt = 0.875 * this.srtt + 0.125 * ms;
  }

  /** An answer came after its request had timed out: we waited too little. Back off. */
  late(): void {
    this.sample(Math.min(this.ceilingMs, 2 * this.timeoutMs));
  }

  get timeoutMs(): number {
    if (!this.sampled) return this.ceilingMs;
    return Math.min(this.ceilingMs, Math.max(this.floorMs, this.srtt + 4 * this.rttvar));
  }
}
