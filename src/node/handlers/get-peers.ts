// GET_PEERS -> PEERS (BEP 5): the peers announced to us for the infohash, if any, and our
// k closest contacts to it either way (as libtorrent answers, so a lookup gathering peers
// still converges); a write token the asker's IP must echo in ANNOUNCE_PEER.
import type { Address } from '../../net/transport.js';
import { MAX_PEERS_PER_ANSWER } from '../../protocol/limits.js';
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import type { HandlerContext } from './context.js';

export function handleGetPeers(
  ctx: HandlerContext,
  request: Extract<RequestBody, { type: 'GET_PEERS' }>,
  sender: Uint8Array,
  from: Address,
): ResponseBody {
  const now = ctx.now();
  const peers = ctx.peerStore?.peers(request.infoHash, now, MAX_PEERS_PER_ANSWER) ?? [];
  return { type: 'PEERS', peers, contacts: ctx.closestPeers(request.infoHash, sender), token: ctx.tokens.issue(from.host, now) };
}
