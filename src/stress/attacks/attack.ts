// Attack scenarios for `kademlia stress --attackers F --attack KIND`: a fraction of the
// nodes turn hostile once every honest node has stored its key, and stay hostile while
// node 0 reads everything back. The report's `found` and `wrong` count what the honest
// reader got; `attack_tried` and `attack_refused` what the attackers tried and how much
// of it the honest nodes turned away (each kind says what it counts).
import type { Address } from '../../net/transport.js';
import type { Transport } from '../../net/transport.js';
import type { Message } from '../../protocol/messages.js';
import type { SeededRandom } from '../../util/random.js';
import type { Swarm } from '../swarm.js';

export const ATTACK_KINDS = ['overwrite', 'spoof', 'eclipse', 'flood', 'sybil'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

export interface AttackTally {
  tried: number;
  refused: number;
}

/** What an attack may use besides the swarm. */
export interface AttackContext {
  swarm: Swarm;
  /** Indices of the attacking nodes (never 0, the reader). */
  attackers: number[];
  random: SeededRandom;
  /** A new endpoint for an attacker, at `host` (default: an address of its own). */
  openEndpoint(host?: string): Promise<Transport>;
  /** An address no swarm node has: for endpoints that share one IP (sybils). */
  spareHost(n: number): string;
  /** Sends `message` to `to` as if it came from `from` (a forged source address). */
  forge(from: Address, to: Address, message: Message): void;
}

export interface Attack {
  readonly kind: AttackKind;
  /** Starts the attack once every key is stored; resolves when its first strike has played out. */
  start(context: AttackContext): Promise<void>;
  /** The reads are over: stop, and count. */
  stop(context: AttackContext): AttackTally;
}

/** Which nodes attack: a fraction of them, spread by the seeded generator, never node 0. */
export function chooseAttackers(
  nodes: number,
  fraction: number,
  random: SeededRandom,
  eligible: (i: number) => boolean = () => true,
): number[] {
  const candidates = Array.from({ length: nodes - 1 }, (_, i) => i + 1).filter(eligible);
  const count = Math.min(candidates.length, Math.round(nodes * fraction));
  for (let n = 0; n < count; n++) {
    const at = n + Math.floor(random.float() * (candidates.length - n));
    [candidates[n], candidates[at]] = [candidates[at], candidates[n]];
  }
  return candidates.slice(0, count).sort((a, b) => a - b);
}
