// PUT /v1/keys/:key (body = value) and GET /v1/keys/:key, through the target's entry node.
// Keys are any UTF-8 text (percent-encoded in the path), hashed with SHA-1 like the CLI's.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { keyFromString } from '../../id/id.js';
import type { GetResult, StoreResult } from '../../node/kademlia-node.js';
import { MAX_VALUE_BYTES } from '../../protocol/codec.js';
import type { Telemetry } from '../../telemetry/telemetry.js';
import { json, PendingResponse, readBody, type Reply, text, write } from '../http.js';
import { type GatewayTarget, runNowOrLater } from '../target.js';

/** The reply for a store no node took: 507 when the node is at its limit of published values, else 503. */
export function notStored(result: StoreResult): Reply {
  const reason = result.refusals[0] ?? 'no node answered';
  return text(result.attempted === 0 && result.refusals.length > 0 ? 507 : 503, `not stored: ${reason}`);
}

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

/** DELETE: the entry node stops republishing the key (holders keep it until it expires, as in any DHT). */
export function deleteKey(target: GatewayTarget) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const key = parseKey(req);
    if (typeof key !== 'string') return write(res, key);
    if (!target.entry.unpublish(keyFromString(key))) return write(res, text(404, `not published here: ${key}`));
    write(res, json(200, { key, unpublished: true }));
  };
}

export function putKey(target: GatewayTarget) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const key = parseKey(req);
    if (typeof key !== 'string') return write(res, key);
    receiveValue(res, req, target, async (value) => {
      if (value.length === 0) return text(400, 'empty value: the request body is the value');
      const result = await target.drive<StoreResult>((done) => target.entry.publish(keyFromString(key), value, done));
      if (result.replicas === 0) return notStored(result);
      return json(201, { key, replicas: result.replicas, attempted: result.attempted });
    });
  };
}

/**
 * A PUT's body: refused at once (413) when content-length says it is over MAX_VALUE_BYTES,
 * else read within that limit and handed to `store`, whose reply is sent (503 if it throws
 * or the entry node is stopped).
 */
export function receiveValue(
  res: HttpResponse,
  req: HttpRequest,
  target: GatewayTarget,
  store: (value: Uint8Array) => Promise<Reply>,
): void {
  // the request object is only valid until the first await: read what we need now
  const declared = Number(req.getHeader('content-length') || '0');
  if (declared > MAX_VALUE_BYTES) {
    return write(res, text(413, `value too large (${declared} bytes; the limit is ${MAX_VALUE_BYTES})`, { connection: 'close' }));
  }
  const pending = new PendingResponse(res);
  readBody(res, MAX_VALUE_BYTES)
    .then(async (value) => {
      if (value === 'too large')
        return pending.send(text(413, `value too large (the limit is ${MAX_VALUE_BYTES} bytes)`, { connection: 'close' }));
      if (!target.entry.isRunning) return pending.send(text(503, 'the entry node is stopped'));
      pending.send(await store(value));
    })
    .catch((error: Error) => pending.send(text(503, `store failed: ${error.message}`)));
}
