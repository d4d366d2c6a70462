// flood: every attacker sends node 0 FIND_NODE requests at FLOOD_RATE per second, far
// over the per-IP limit, for STRIKE_MS before the reads and on until they are over.
// Counts: requests sent; refused = those node 0 dropped unread for being over their
// source's rate.
import type { TimerHandle } from '../../clock/clock.js';
import { encodeMessage } from '../../protocol/codec.js';
import type { Message } from '../../protocol/messages.js';
import type { Attack, AttackContext, AttackTally } from './attack.js';

/** Requests per second per attacker. */
export const FLOOD_RATE = 1000;
const TICK_MS = 10;
const STRIKE_MS = 2000;

export class FloodAttack implements Attack {
  readonly kind = 'flood';
  private tried = 0;
  private droppedBefore = 0;
  private readonly timers: Array<{ clear: () => void }> = [];

  async start({ swarm, attackers, random }: AttackContext): Promise<void> {
    const target = swarm.entry;
    this.droppedBefore = target.stats().traffic.rateLimited;
    for (const a of attackers) {
      const node = swarm.nodes[a];
      let timer: TimerHandle | null = null;
      const tick = () => {
        for (let n = 0; n < (FLOOD_RATE * TICK_MS) / 1000; n++) {
          const message: Message = { requestId: random.bytes(8), sender: node.id, body: { type: 'FIND_NODE', target: random.bytes(20) } };
          if (node.transport.sendMessage) node.transport.sendMessage(target.address, message);
          else node.transport.send(target.address, encodeMessage(message));
          this.tried++;
        }
        timer = node.clock.setTimeout(tick, TICK_MS);
      };
      timer = node.clock.setTimeout(tick, random.float() * TICK_MS);
      this.timers.push({ clear: () => timer && node.clock.clearTimeout(timer) });
    }
    await swarm.idle(STRIKE_MS);
  }

  stop({ swarm }: AttackContext): AttackTally {
    for (const t of this.timers) t.clear();
    return { tried: this.tried, refused: swarm.entry.stats().traffic.rateLimited - this.droppedBefore };
  }
}
