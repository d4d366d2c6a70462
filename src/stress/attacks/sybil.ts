// sybil: each attacker becomes 8 nodes on one IP, with ids that obey BEP 42 for that IP
// (so the id check lets them through), answering every lookup with each other and "not
// found", swallowing STOREs. What stops them: an IP holds at most maxContactsPerIp places
// in a routing table and in a lookup.
import { idForIpv4 } from '../../id/id-from-ip.js';
import { packedIpv4 } from '../../util/ipv4.js';
import type { Attack, AttackContext, AttackTally } from './attack.js';
import { LyingSwarm } from './lying-swarm.js';

export const IDS_PER_IP = 8;

export class SybilAttack implements Attack {
  readonly kind = 'sybil';
  private readonly liars = new LyingSwarm();

  async start(context: AttackContext): Promise<void> {
    const members = context.attackers.flatMap((_, a) => {
      const host = context.spareHost(a);
      return Array.from({ length: IDS_PER_IP }, () => ({ host, id: idForIpv4(packedIpv4(host), context.random.bytes(20)) }));
    });
    await this.liars.open(context, members, (i) => Math.floor(i / IDS_PER_IP));
  }

  stop(context: AttackContext): AttackTally {
    return this.liars.tally(context);
  }
}
