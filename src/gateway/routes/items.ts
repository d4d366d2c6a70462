// BEP 44 items through the entry node. PUT /v1/items (body = value) stores an immutable
// item, found again by its target (SHA-1 of the value); with ?seq=N (and optionally
// salt=TEXT, cas=M) a mutable item signed by the entry node's key, whose target is
// SHA-1(public key + salt). GET /v1/items/:target (40 hex digits) returns either.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { idFromHex, idToHex } from '../../id/id.js';
import type { GetResult, StoreResult } from '../../node/kademlia-node.js';
import { MAX_SALT_BYTES } from '../../protocol/limits.js';
import type { Telemetry } from '../../telemetry/telemetry.js';
import { json, PendingResponse, queryOf, type Reply, text, write } from '../http.js';
import { type GatewayTarget, runNowOrLater } from '../target.js';
import { notStored, receiveValue } from './keys.js';

const TARGET = /^[0-9a-f]{40}$/;

interface MutableQuery {
  seq: number;
  salt: Uint8Array;
  cas?: number;
}

/** The mutable item the query asks for, null for an immutable one, or the reply refusing it. */
function parseQuery(query: string): MutableQuery | null | Reply {
  const params = new URLSearchParams(query);
  for (const name of params.keys())
    if (!['seq', 'salt', 'cas'].includes(name)) return text(400, `unknown parameter "${name}" (seq, salt, cas)`);
  const seqText = params.get('seq');
  if (seqText === null) return params.has('salt') || params.has('cas') ? text(400, 'salt and cas need seq (a mutable item)') : null;
  const seq = Number(seqText);
  if (!/^\d+$/.test(seqText) || !Number.isSafeInteger(seq)) return text(400, `bad seq "${seqText}": a non-negative integer`);
  const salt = Buffer.from(params.get('salt') ?? '', 'utf8');
  if (salt.length > MAX_SALT_BYTES) return text(400, `salt too long (${salt.length} bytes; the limit is ${MAX_SALT_BYTES})`);
  const casText = params.get('cas');
  if (casText !== null && !/^\d+$/.test(casText)) return text(400, `bad cas "${casText}": a non-negative integer`);
  return { seq, salt, cas: casText === null ? undefined : Number(casText) };
}

export function putItem(target: GatewayTarget) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const query = parseQuery(queryOf(req));
    if (query !== null && 'status' in query) return write(res, query);
    receiveValue(res, req, target, async (value) => {
      const entry = target.entry;
      let key: Uint8Array = new Uint8Array(0);
      const result = await target.drive<StoreResult>((done) => {
        key = query === null ? entry.publishImmutable(value, done) : entry.publishMutable(value, query, done);
      });
      if (result.replicas === 0) return notStored(result);
      const mutable = query === null ? {} : { public_key: Buffer.from(entry.key.publicKey).toString('hex'), seq: query.seq };
      return json(201, { target: idToHex(key), ...mutable, replicas: result.replicas, attempted: result.attempted });
    });
  };
}

export function getItem(target: GatewayTarget, telemetry: Telemetry) {
  const answer = (result: GetResult, start: number): Reply => {
    telemetry.recordGet(target.now() - start, result.hops, result.value !== null);
    if (result.value === null) return text(404, 'not found');
    const auth = result.auth;
    const headers: Record<string, string> = { 'x-kadswarm-hops': String(result.hops) };
    if (auth) {
      headers['x-kadswarm-public-key'] = Buffer.from(auth.publicKey).toString('hex');
      headers['x-kadswarm-seq'] = String(auth.seq);
    }
    return { status: 200, body: result.value, contentType: 'application/octet-stream', headers };
  };
  return (res: HttpResponse, req: HttpRequest): void => {
    const hex = req.getParameter(0) ?? '';
    if (!TARGET.test(hex)) return write(res, text(400, 'bad target: 40 lowercase hex digits'));
    const start = target.now();
    const outcome = runNowOrLater<GetResult>(target, (done) => target.entry.findValue(idFromHex(hex), done));
    if (!(outcome instanceof Promise)) return write(res, answer(outcome, start));
    const pending = new PendingResponse(res);
    outcome
      .then((result) => pending.send(answer(result, start)))
      .catch((error: Error) => pending.send(text(503, `get failed: ${error.message}`)));
  };
}
