// PING -> PONG. The routing table update happens for every message, before any handler.
import type { ResponseBody } from '../../protocol/messages.js';

export function handlePing(): ResponseBody {
  return { type: 'PONG' };
}
