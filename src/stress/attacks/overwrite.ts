// overwrite: every key an attacker holds, it signs again with its own key, a higher seq
// and another value, with a 1 s TTL, and sends to the key's k closest nodes (with the
// write tokens its lookup collected, as an honest publisher would). Counts: STOREs sent;
// refused = answered with a refusal (the key belongs to its publisher).
import { signedBytes } from '../../protocol/item-signature.js';
import type { ItemAuth } from '../../protocol/messages.js';
import type { KademliaNode } from '../../node/kademlia-node.js';
import type { Attack, AttackContext, AttackTally } from './attack.js';

export const FORGED_PREFIX = 'EVIL';

/** Whether `node` signed the item (it published it). */
export function ownedBy(auth: ItemAuth | null, node: KademliaNode): boolean {
  return auth !== null && Buffer.compare(auth.publicKey, node.key.publicKey) === 0;
}
const SHORT_TTL_MS = 1000;

export class OverwriteAttack implements Attack {
  readonly kind = 'overwrite';
  private readonly tally: AttackTally = { tried: 0, refused: 0 };

  async start({ swarm, attackers }: AttackContext): Promise<void> {
    let pending = 0;
    for (const a of attackers) {
      const node = swarm.nodes[a];
      for (const entry of node.localKeys()) {
        if (ownedBy(entry.auth, node)) continue; // its own key: changing it is the publisher's right, not an attack
        pending++;
        this.overwrite(node, entry.key, entry.auth, () => pending--);
      }
    }
    await swarm.runUntil(() => pending === 0);
  }

  private overwrite(node: KademliaNode, key: Uint8Array, held: ItemAuth | null, done: () => void): void {
    const value = new TextEncoder().encode(`${FORGED_PREFIX} from ${node.address.host}`);
    const seq = (held?.seq ?? 0) + 1;
    const auth: ItemAuth = {
      publicKey: node.key.publicKey,
      seq,
      salt: null,
      signature: node.key.sign(signedBytes(key, value, { seq, salt: null })),
    };
    node.findNode(key, (found) => {
      let waiting = found.closest.length;
      if (waiting === 0) return done();
      found.closest.forEach((peer, i) => {
        this.tally.tried++;
        const store = { type: 'STORE' as const, key, value, ttlMs: SHORT_TTL_MS, token: found.tokens[i], auth, cas: null };
        node.query(peer, store, (answer) => {
          if (answer?.type === 'STORED' && !answer.ok) this.tally.refused++;
          if (--waiting === 0) done();
        });
      });
    });
  }

  stop(): AttackTally {
    return this.tally;
  }
}
