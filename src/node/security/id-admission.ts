// Which ids a node takes and gives itself (BEP 42): an id must be derived from its owner's
// IP address, so nobody can place ids next to a key of their choosing. options.idFromIp
// says where the rule applies: everywhere ('all'), off local addresses ('public'), or nowhere.
import { ID_BYTES } from '../../id/id.js';
import { idForIpv4, idForIpv6, idMatchesIpv4, idMatchesIpv6, isLocalIpv4, isLocalIpv6 } from '../../id/id-from-ip.js';
import { packedIpv4 } from '../../util/ipv4.js';
import { ipv6Bytes } from '../../util/ipv6.js';
import type { RandomSource } from '../../util/random.js';
import type { IdPolicy } from '../options.js';

/** A node's own id: from its IP address unless the policy exempts it, else random. */
export function newNodeId(host: string, policy: IdPolicy, random: RandomSource): Uint8Array {
  const bytes = random.bytes(ID_BYTES);
  if (policy === 'off') return bytes;
  const ip = packedIpv4(host);
  if (ip >= 0) return policy === 'public' && isLocalIpv4(ip) ? bytes : idForIpv4(ip, bytes);
  const ipv6 = ipv6Bytes(host);
  if (ipv6 === null || (policy === 'public' && isLocalIpv6(ipv6))) return bytes;
  return idForIpv6(ipv6, bytes);
}

/**
 * Whether a peer may use `id` at `host`. `ipv4` and `fits` are what a peer record already
 * knows of an IPv4 peer (its packed address; whether the id fits it), to save computing
 * them again. Names (not addresses) are not checked.
 */
export function idAllowedAt(policy: IdPolicy, id: Uint8Array, host: string, ipv4?: number, fits?: boolean): boolean {
  if (policy === 'off') return true;
  const ip = ipv4 ?? packedIpv4(host);
  if (ip >= 0) return (policy === 'public' && isLocalIpv4(ip)) || (fits ?? idMatchesIpv4(id, ip));
  const ipv6 = ipv6Bytes(host);
  return ipv6 === null || (policy === 'public' && isLocalIpv6(ipv6)) || idMatchesIpv6(id, ipv6);
}
