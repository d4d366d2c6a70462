// FIND_NODE -> NODES: the k closest peers we know to the target, and a write token for
// the asker's IP (BEP 5: a STORE to us must bring it back).
import type { Address } from '../../net/transport.js';
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import type { HandlerContext } from './context.js';

export function handleFindNode(
  ctx: HandlerContext,
  request: Extract<RequestBody, { type: 'FIND_NODE' }>,
  sender: Uint8Array,
  from: Address,
): ResponseBody {
  return { type: 'NODES', contacts: ctx.closestPeers(request.target, sender), token: ctx.tokens.issue(from.host, ctx.now()) };
}
