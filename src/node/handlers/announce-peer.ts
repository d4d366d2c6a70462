// ANNOUNCE_PEER -> ANNOUNCED (BEP 5): the asker has the torrent. Taken only with the token
// our GET_PEERS answer gave its IP; the peer recorded is that IP with the port it names
// (or, with implied_port, the port the datagram came from).
import type { Address } from '../../net/transport.js';
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import type { HandlerContext } from './context.js';

export function handleAnnouncePeer(
  ctx: HandlerContext,
  request: Extract<RequestBody, { type: 'ANNOUNCE_PEER' }>,
  from: Address,
): ResponseBody {
  const now = ctx.now();
  if (!ctx.tokens.accepts(from.host, request.token, now))
    return { type: 'ANNOUNCED', ok: false, reason: 'invalid write token: use the one a get_peers answer gave this IP' };
  const port = request.impliedPort ? from.port : request.port;
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) return { type: 'ANNOUNCED', ok: false, reason: `bad port ${port}` };
  const outcome = ctx.announcedPeers().announce(request.infoHash, { host: from.host, port }, now);
  return outcome.ok ? { type: 'ANNOUNCED', ok: true, reason: '' } : { type: 'ANNOUNCED', ok: false, reason: outcome.reason };
}
