// Write tokens (BEP 5): every lookup answer carries a token bound to the asker's IP, and a
// STORE must bring it back. A forged source address never sees the token sent to it, so
// it cannot write; and an answer to a request echoing a valid token goes to an address
// that has proven it receives there. The secret rotates; a token made with the previous
// one is still accepted, so a token lives between one and two rotation periods.
import type { RandomSource } from '../../util/random.js';
import type { CryptoSuite } from './crypto-suite.js';

/** BEP 5: a new secret every five minutes, tokens up to ten minutes old accepted. */
export const TOKEN_ROTATION_MS = 5 * 60_000;

export class WriteTokens {
  /** Secrets as hex: hashed with the host as one string, with no buffers to build. */
  private current: string;
  private previous: string;
  private rotatesAt: number;

  constructor(
    private readonly suite: CryptoSuite,
    private readonly random: RandomSource,
    now: number,
    private readonly rotationMs = TOKEN_ROTATION_MS,
  ) {
    this.current = this.newSecret();
    this.previous = this.current;
    this.rotatesAt = now + rotationMs;
  }

  /** The token for an asker at `host`. */
  issue(host: string, now: number): Uint8Array {
    this.rotate(now);
    return this.suite.token(this.current, host);
  }

  /** Whether `token` is one we issued to `host` within the last two rotations. */
  accepts(host: string, token: Uint8Array | null, now: number): boolean {
    if (token === null) return false;
    this.rotate(now);
    return sameBytes(this.suite.token(this.current, host), token) || sameBytes(this.suite.token(this.previous, host), token);
  }

  private newSecret(): string {
    return Buffer.from(this.random.bytes(16)).toString('hex');
  }

  private rotate(now: number): void {
    if (now < this.rotatesAt) return;
    // A node idle for more than two periods keeps no old secret: its old tokens all expire.
    this.previous = now >= this.rotatesAt + this.rotationMs ? this.newSecret() : this.current;
    this.current = this.newSecret();
    this.rotatesAt = now + this.rotationMs;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
