// A swarm (a stress run's nodes, or a host process's) as what the gateway serves.
import type { GatewayTarget } from '../gateway/target.js';
import type { Swarm } from './swarm.js';

export function swarmTarget(kind: 'stress' | 'host', swarm: Swarm): GatewayTarget {
  return {
    kind,
    nodes: swarm.nodes,
    entry: swarm.entry,
    drive: (start) => swarm.drive(start),
    now: () => swarm.now(),
    dropped: () => swarm.traffic().dropped,
  };
}
