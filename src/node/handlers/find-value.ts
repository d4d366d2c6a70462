// FIND_VALUE -> VALUE: the value with its remaining TTL if we hold it, else our k
// closest peers to the key (like FIND_NODE).
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import type { HandlerContext } from './context.js';

export function handleFindValue(
  ctx: HandlerContext,
  request: Extract<RequestBody, { type: 'FIND_VALUE' }>,
  sender: Uint8Array,
): ResponseBody {
  const now = ctx.now();
  const entry = ctx.storage.get(request.key, now);
  if (entry) return { type: 'VALUE', value: entry.value, ttlMs: Math.max(1, Math.round(entry.expiresAt - now)), contacts: [] };
  return { type: 'VALUE', value: null, ttlMs: 0, contacts: ctx.closestPeers(request.key, sender) };
}
