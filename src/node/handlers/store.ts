// STORE -> STORED: keep the value for min(ttl asked, our max), if the asker brought the
// write token we gave its IP, the item is valid (its key and signature), it may replace
// what we hold (item-rules.ts), and it fits our limits. Quotas are charged to the IP.
import type { Address } from '../../net/transport.js';
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import { itemProblem } from '../security/item-rules.js';
import type { HandlerContext } from './context.js';

const refused = (reason: string): ResponseBody => ({ type: 'STORED', ok: false, reason });

export function handleStore(ctx: HandlerContext, request: Extract<RequestBody, { type: 'STORE' }>, from: Address): ResponseBody {
  const now = ctx.now();
  if (!ctx.tokens.accepts(from.host, request.token, now)) return refused('invalid write token: use the one a lookup answer gave this IP');
  if (request.value.length > ctx.maxValueBytes)
    return refused(`value too large (${request.value.length} bytes; the limit is ${ctx.maxValueBytes})`);
  if (request.ttlMs === 0) return refused('ttl must be positive');
  const problem = itemProblem(request.key, request.value, request.auth, ctx.crypto);
  if (problem) return refused(problem);
  const expiresAt = now + Math.min(request.ttlMs, ctx.maxTtlMs);
  const outcome = ctx.storage.put(request.key, request.value, expiresAt, from.host, now, request.auth, request.cas);
  return outcome.ok ? { type: 'STORED', ok: true, reason: '' } : refused(outcome.reason);
}
