// FIND_VALUE -> VALUE: the value with its remaining TTL and its auth if we hold it, else
// our k closest peers to the key (like FIND_NODE); a write token either way. A value
// over MAX_UNPROVEN_VALUE_BYTES goes only to an asker that echoes a token we gave its IP
// (BEP 32's rule): to anyone else we say we hold it, and they ask again with the token.
import type { Address } from '../../net/transport.js';
import { MAX_UNPROVEN_VALUE_BYTES } from '../../protocol/limits.js';
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import type { HandlerContext } from './context.js';

const NO_CONTACTS: never[] = [];

export function handleFindValue(
  ctx: HandlerContext,
  request: Extract<RequestBody, { type: 'FIND_VALUE' }>,
  sender: Uint8Array,
  from: Address,
): ResponseBody {
  const now = ctx.now();
  const token = ctx.tokens.issue(from.host, now);
  const entry = ctx.storage.get(request.key, now);
  if (!entry) {
    return { type: 'VALUE', value: null, ttlMs: 0, contacts: ctx.closestPeers(request.key, sender), token, auth: null, withheld: false };
  }
  if (entry.value.length > MAX_UNPROVEN_VALUE_BYTES && !ctx.tokens.accepts(from.host, request.token, now)) {
    return { type: 'VALUE', value: null, ttlMs: 0, contacts: NO_CONTACTS, token, auth: null, withheld: true };
  }
  const ttlMs = Math.max(1, Math.round(entry.expiresAt - now));
  return { type: 'VALUE', value: entry.value, ttlMs, contacts: NO_CONTACTS, token, auth: entry.auth, withheld: false };
}
