// BEP 32: a query asking for contacts may name the address families it wants ("n4",
// "n6"). A node's routing table holds its socket's family only, so an answer keeps the
// contacts of the families wanted and drops the rest: asked for IPv6 alone, an IPv4 node
// has none to give. Without `want` every contact goes, which is the asker's family.
import { compactFamily } from '../protocol/compact-info.js';
import { type ResponseBody, WANT_V4, WANT_V6 } from '../protocol/messages.js';
import type { Peer } from '../routing/peer.js';

function wanted(contacts: Peer[], want: number): Peer[] {
  return contacts.filter((contact) => {
    const family = compactFamily(contact);
    return (family === 4 && (want & WANT_V4) !== 0) || (family === 6 && (want & WANT_V6) !== 0);
  });
}

/** The answer with only the contacts of the families in `want` (WANT_V4 | WANT_V6). */
export function withWantedFamilies(response: ResponseBody, want: number): ResponseBody {
  switch (response.type) {
    case 'NODES':
    case 'VALUE':
    case 'PEERS':
      return { ...response, contacts: wanted(response.contacts, want) };
    default:
      return response;
  }
}
