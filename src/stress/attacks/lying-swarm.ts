// What eclipse and sybil share: the attacking nodes leave, and lying endpoints take their
// place, each introducing itself to the honest nodes nearest its id. Counts: fake contacts
// offered (endpoints x nodes pinged); refused = those no honest routing table holds at
// the end (BEP 42 turns away ids that do not match their IP; the per-IP caps the rest).
import { closest } from '../../distance/index.js';
import { ID_BYTES } from '../../id/id.js';
import type { KademliaNode } from '../../node/kademlia-node.js';
import type { AttackContext, AttackTally } from './attack.js';
import { LyingEndpoint } from './lying-endpoint.js';

/** Honest nodes each endpoint introduces itself to. */
const INTRODUCTIONS = 20;

export class LyingSwarm {
  readonly endpoints: LyingEndpoint[] = [];
  private offered = 0;

  /** Opens an endpoint per (host, id); `group(i)` names the endpoints endpoint i lists as its fellows. */
  async open(
    context: AttackContext,
    members: Array<{ host: string | undefined; id: Uint8Array }>,
    group: (i: number) => number,
  ): Promise<void> {
    for (const a of context.attackers) context.swarm.stop(a);
    for (const member of members) this.endpoints.push(new LyingEndpoint(await context.openEndpoint(member.host), member.id));
    const groups = new Map<number, LyingEndpoint[]>();
    this.endpoints.forEach((e, i) => {
      const g = group(i);
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(e);
    });
    for (const [, fellows] of groups) for (const e of fellows) e.fellows = fellows.map((f) => f.peer).slice(0, 20);
    const honest = this.honest(context);
    const packed = new Uint8Array(honest.length * ID_BYTES);
    honest.forEach((n, i) => packed.set(n.id, i * ID_BYTES));
    for (const endpoint of this.endpoints) {
      for (const i of closest(endpoint.id, packed, INTRODUCTIONS)) {
        endpoint.ping(honest[i].address, context.random.bytes(8));
        this.offered++;
      }
    }
    await context.swarm.idle(2000); // let the introductions land and be checked (pings to evict, etc.)
  }

  tally(context: AttackContext): AttackTally {
    const addresses = new Set(this.endpoints.map((e) => `${e.transport.local.host}:${e.transport.local.port}`));
    let admitted = 0;
    for (const node of this.honest(context)) {
      for (const c of node.contacts()) if (addresses.has(`${c.host}:${c.port}`)) admitted++;
    }
    for (const e of this.endpoints) e.close();
    return { tried: this.offered, refused: Math.max(0, this.offered - admitted) };
  }

  private honest(context: AttackContext): KademliaNode[] {
    return context.swarm.nodes.filter((n) => n.isRunning);
  }
}
