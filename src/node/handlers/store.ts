// STORE -> STORED: keep the value for min(ttl asked, our max), within our limits.
import type { Address } from '../../net/transport.js';
import type { RequestBody, ResponseBody } from '../../protocol/messages.js';
import { type HandlerContext, ownerOf } from './context.js';

export function handleStore(ctx: HandlerContext, request: Extract<RequestBody, { type: 'STORE' }>, from: Address): ResponseBody {
  if (request.value.length > ctx.maxValueBytes) {
    return { type: 'STORED', ok: false, reason: `value too large (${request.value.length} bytes; the limit is ${ctx.maxValueBytes})` };
  }
  if (request.ttlMs === 0) return { type: 'STORED', ok: false, reason: 'ttl must be positive' };
  const now = ctx.now();
  const outcome = ctx.storage.put(request.key, request.value, now + Math.min(request.ttlMs, ctx.maxTtlMs), ownerOf(from), now);
  return outcome.ok ? { type: 'STORED', ok: true, reason: '' } : { type: 'STORED', ok: false, reason: outcome.reason };
}
