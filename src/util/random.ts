// Sources of randomness for the node core: request ids, refresh targets, node ids.
// Real nodes use the OS CSPRNG; simulations use a seeded generator so runs repeat.
import { randomFillSync } from 'node:crypto';

export interface RandomSource {
  /** n fresh random bytes (a new array the caller may keep). */
  bytes(n: number): Uint8Array;
  /** A float in [0, 1). */
  float(): number;
}

/** Crypto-strength randomness, drawn from the OS in 4 KiB blocks (one syscall per block). */
export class CryptoRandom implements RandomSource {
  private pool = new Uint8Array(4096);
  private at = this.pool.length;

  bytes(n: number): Uint8Array {
    if (n > this.pool.length) return randomFillSync(new Uint8Array(n));
    if (this.at + n > this.pool.length) {
      randomFillSync(this.pool);
      this.at = 0;
    }
    const out = this.pool.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }

  float(): number {
    const b = this.bytes(4);
    return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 4294967296;
  }
}

/** mulberry32's step: the state after `state`. */
export const mulberry32Step = (state: number) => (state + 0x6d2b79f5) >>> 0;

/** mulberry32's output for a state. */
export function mulberry32Output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A RandomSource over 32-bit draws: floats and bytes made from next32(). */
export abstract class Random32 implements RandomSource {
  abstract next32(): number;

  float(): number {
    return this.next32() / 4294967296;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (24 - 8 * j)) & 0xff;
    }
    return out;
  }
}

/** Deterministic pseudo-randomness (mulberry32): the same seed gives the same sequence. */
export class SeededRandom extends Random32 {
  private state: number;

  constructor(seed: number) {
    super();
    this.state = seed >>> 0;
  }

  next32(): number {
    this.state = mulberry32Step(this.state);
    return mulberry32Output(this.state);
  }
}

/** Shuffles `items` in place (Fisher-Yates), drawing from `random`. */
export function shuffle<T>(items: T[], random: RandomSource): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random.float() * (i + 1));
    const item = items[i];
    items[i] = items[j];
    items[j] = item;
  }
}
