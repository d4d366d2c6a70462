// Which ids a node takes and gives itself (BEP 42): an id must be derived from its owner's
// IPv4 address, so nobody can place ids next to a key of their choosing. options.idFromIp
// says where the rule applies: everywhere ('all'), off local addresses ('public'), or nowhere.
import { ID_BYTES } from '../../id/id.js';
import { idForIpv4, idMatchesIpv4, isLocalIpv4 } from '../../id/id-from-ip.js';
import { packedIpv4 } from '../../util/ipv4.js';
import type { RandomSource } from '../../util/random.js';
import type { IdPolicy } from '../options.js';

/** A node's own id: from its IPv4 address unless the policy exempts it, else random. */
export function newNodeId(host: string, policy: IdPolicy, random: RandomSource): Uint8Array {
  const bytes = random.bytes(ID_BYTES);
  const ip = packedIpv4(host);
  if (ip < 0 || policy === 'off' || (policy === 'public' && isLocalIpv4(ip))) return bytes;
  return idForIpv4(ip, bytes);
}

/**
 * Whether a peer may use `id` at `host`. `ipv4` and `fits` are what a peer record already
 * knows (its packed address; whether the id fits it), to save computing them again.
 * IPv6 addresses and names are not checked: BEP 42's IPv6 rule is not implemented.
 */
export function idAllowedAt(policy: IdPolicy, id: Uint8Array, host: string, ipv4?: number, fits?: boolean): boolean {
  if (policy === 'off') return true;
  const ip = ipv4 ?? packedIpv4(host);
  return ip < 0 || (policy === 'public' && isLocalIpv4(ip)) || (fits ?? idMatchesIpv4(id, ip));
}
