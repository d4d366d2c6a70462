// The attack a stress run asked for.
import type { Attack, AttackKind } from './attack.js';
import { EclipseAttack } from './eclipse.js';
import { FloodAttack } from './flood.js';
import { OverwriteAttack } from './overwrite.js';
import { SpoofAttack } from './spoof.js';
import { SybilAttack } from './sybil.js';

export { ATTACK_KINDS, type AttackKind, type AttackContext, type AttackTally, chooseAttackers } from './attack.js';

export function createAttack(kind: AttackKind): Attack {
  switch (kind) {
    case 'overwrite':
      return new OverwriteAttack();
    case 'spoof':
      return new SpoofAttack();
    case 'eclipse':
      return new EclipseAttack();
    case 'flood':
      return new FloodAttack();
    case 'sybil':
      return new SybilAttack();
  }
}
