// PUT /v1/keys/:key (body = value) and GET /v1/keys/:key, through the target's entry node.
// Keys are any UTF-8 text (percent-encoded in the path), hashed with SHA-1 like the CLI's.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { keyFromString } from '../../id/id.js';
import type { GetResult, StoreResult } from '../../node/kademlia-node.js';
import { MAX_VALUE_BYTES } from '../../protocol/codec.js';
import type { Telemetry } from '../../telemetry/telemetry.js';
import { json, PendingResponse, readBody, type Reply, text, write } from '../http.js';
import { type GatewayTarget, runNowOrLater } from '../target.js';

/** Longest key accepted, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 512;

/** The key named by the path, or the reply refusing it. */
function parseKey(req: HttpRequest): string | Reply {
  let key: string;
  try {
    key = decodeURIComponent(req.getParameter(0) ?? '');
  } catch {
    return text(400, 'bad key: not valid percent-encoded UTF-8');
  }
  if (key === '') return text(400, 'bad key: empty');
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) return text(400, `key too long (${bytes} bytes; the limit is ${MAX_KEY_BYTES})`);
  return key;
}

export function getKey(target: GatewayTarget, telemetry: Telemetry) {
  const answer = (key: string, result: GetResult, start: number): Reply => {
    telemetry.recordGet(target.now() - start, result.hops, result.value !== null);
    if (result.value === null) return text(404, `not found: ${key}`);
    return {
      status: 200,
      body: result.value,
      contentType: 'application/octet-stream',
      headers: { 'x-kadswarm-hops': String(result.hops) },
    };
  };
  return (res: HttpResponse, req: HttpRequest): void => {
    const key = parseKey(req);
    if (typeof key !== 'string') return write(res, key);
    const start = target.now();
    const outcome = runNowOrLater<GetResult>(target, (done) => target.entry.findValue(keyFromString(key), done));
    if (!(outcome instanceof Promise)) return write(res, answer(key, outcome, start)); // held locally: answer now
    const pending = new PendingResponse(res);
    outcome
      .then((result) => pending.send(answer(key, result, start)))
      .catch((error: Error) => pending.send(text(503, `get failed: ${error.message}`)));
  };
}

export function putKey(target: GatewayTarget) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const key = parseKey(req);
    // the request object is only valid until the first await: read what we need now
    const declared = Number(req.getHeader('content-length') || '0');
    if (typeof key !== 'string') return write(res, key);
    if (declared > MAX_VALUE_BYTES)
      return write(res, text(413, `value too large (${declared} bytes; the limit is ${MAX_VALUE_BYTES})`, { connection: 'close' }));
    const pending = new PendingResponse(res);
    readBody(res, MAX_VALUE_BYTES)
      .then(async (value) => {
        if (value === 'too large')
          return pending.send(text(413, `value too large (the limit is ${MAX_VALUE_BYTES} bytes)`, { connection: 'close' }));
        if (value.length === 0) return pending.send(text(400, 'empty value: the request body is the value'));
        if (!target.entry.isRunning) return pending.send(text(503, 'the entry node is stopped'));
        const result = await target.drive<StoreResult>((done) => target.entry.publish(keyFromString(key), value, done));
        if (result.replicas === 0) return pending.send(text(503, `not stored: ${result.refusals[0] ?? 'no node answered'}`));
        pending.send(json(201, { key, replicas: result.replicas, attempted: result.attempted }));
      })
      .catch((error: Error) => pending.send(text(503, `store failed: ${error.message}`)));
  };
}
