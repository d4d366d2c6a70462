// spoof: attackers write and look up with forged source addresses. For every key an
// attacker holds, it asks a holder for a token (for its own IP), then sends the holder a
// STORE of another value that claims to come from another honest node, and a FIND_NODE
// that does too (whose answer goes to that node). Over UDP, where a process cannot forge
// a source address without raw sockets, the forged datagrams leave from a second socket at
// an address of their own, which the token was not given to: the same check refuses them.
// Counts: forged STOREs sent; refused = those after which the holder does not hold the
// forged value (the answer went to the forged address, so the holder's store is checked).
import type { KademliaNode } from '../../node/kademlia-node.js';
import { signedBytes } from '../../protocol/item-signature.js';
import type { ItemAuth } from '../../protocol/messages.js';
import type { Attack, AttackContext, AttackTally } from './attack.js';
import { FORGED_PREFIX, ownedBy } from './overwrite.js';

export class SpoofAttack implements Attack {
  readonly kind = 'spoof';
  private tried = 0;
  private readonly targets: Array<{ holder: KademliaNode | undefined; key: Uint8Array }> = [];

  async start(context: AttackContext): Promise<void> {
    const { swarm, attackers, random } = context;
    const byAddress = new Map(swarm.nodes.map((n) => [`${n.address.host}:${n.address.port}`, n]));
    let pending = 0;
    for (const a of attackers) {
      const node = swarm.nodes[a];
      for (const entry of node.localKeys()) {
        if (ownedBy(entry.auth, node)) continue;
        pending++;
        node.findNode(entry.key, (found) => {
          const i = found.closest.length === 0 ? -1 : Math.floor(random.float() * found.closest.length);
          if (i >= 0) {
            const holder = found.closest[i];
            const victim = swarm.nodes[1 + Math.floor(random.float() * (swarm.nodes.length - 1))].address;
            const value = new TextEncoder().encode(`${FORGED_PREFIX} spoofed`);
            const auth = this.sign(node, entry.key, value, (entry.auth?.seq ?? 0) + 1);
            const message = (body: Parameters<typeof node.query>[1]) => ({ requestId: random.bytes(8), sender: node.id, body });
            context.forge(
              victim,
              holder,
              message({ type: 'STORE', key: entry.key, value, ttlMs: 60_000, token: found.tokens[i], auth, cas: null }),
            );
            context.forge(victim, holder, message({ type: 'FIND_NODE', target: entry.key }));
            this.tried++;
            this.targets.push({ holder: byAddress.get(`${holder.host}:${holder.port}`), key: entry.key });
          }
          pending--;
        });
      }
    }
    await swarm.runUntil(() => pending === 0);
    await swarm.idle(1000); // let the forged datagrams land
  }

  private sign(node: KademliaNode, key: Uint8Array, value: Uint8Array, seq: number): ItemAuth {
    return { publicKey: node.key.publicKey, seq, salt: null, signature: node.key.sign(signedBytes(key, value, { seq, salt: null })) };
  }

  stop(): AttackTally {
    const decoder = new TextDecoder();
    let accepted = 0;
    for (const { holder, key } of this.targets) {
      const held = holder?.localValue(key);
      if (held && decoder.decode(held.value).startsWith(FORGED_PREFIX)) accepted++;
    }
    return { tried: this.tried, refused: this.tried - accepted };
  }
}
