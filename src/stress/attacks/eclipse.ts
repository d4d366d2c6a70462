// eclipse: attackers take ids next to stored keys (groups of up to 10 per key, sharing
// all but the last 3 bytes with it) and answer every lookup with each other and "not
// found", swallowing STOREs. What stops them: their ids do not match their addresses
// (BEP 42), and one IP holds few places in a routing table or a lookup.
import { keyFromString } from '../../id/id.js';
import type { Attack, AttackContext, AttackTally } from './attack.js';
import { LyingSwarm } from './lying-swarm.js';
import { keyOf } from '../phases.js';

const PER_KEY = 10;

export class EclipseAttack implements Attack {
  readonly kind = 'eclipse';
  private readonly liars = new LyingSwarm();

  async start(context: AttackContext): Promise<void> {
    const { attackers, random, swarm } = context;
    const targets = Array.from({ length: Math.ceil(attackers.length / PER_KEY) }, () =>
      keyFromString(keyOf(Math.floor(random.float() * swarm.size))),
    );
    const members = attackers.map((_, i) => {
      const id = targets[Math.floor(i / PER_KEY)].slice();
      id.set(random.bytes(3), 17);
      return { host: undefined, id };
    });
    await this.liars.open(context, members, (i) => Math.floor(i / PER_KEY));
  }

  stop(context: AttackContext): AttackTally {
    return this.liars.tally(context);
  }
}
