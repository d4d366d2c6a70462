// FIND_NODE -> NODES: the k closest peers we know to the target.
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import type { HandlerContext } from './context.js';

export function handleFindNode(
  ctx: HandlerContext,
  request: Extract<RequestBody, { type: 'FIND_NODE' }>,
  sender: Uint8Array,
): ResponseBody {
  return { type: 'NODES', contacts: ctx.closestPeers(request.target, sender) };
}
