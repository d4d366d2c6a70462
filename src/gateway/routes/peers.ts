// BEP 5's torrent peers through the entry node. GET /v1/peers/:infohash lists the peers
// announced for the torrent (404 when there are none); PUT /v1/peers/:infohash?port=N
// announces that this host has it at port N (0: the port the node sends from).
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { idFromHex } from '../../id/id.js';
import type { AnnounceResult, PeersResult } from '../../node/kademlia-node.js';
import { formatAddress } from '../../net/udp-transport.js';
import { json, PendingResponse, queryOf, type Reply, text, write } from '../http.js';
import type { GatewayTarget } from '../target.js';

const INFOHASH = /^[0-9a-f]{40}$/;

/** Runs an operation for the request and answers with what `reply` makes of its result. */
function answerWith<T>(
  res: HttpResponse,
  target: GatewayTarget,
  start: (done: (result: T) => void) => void,
  reply: (result: T) => Reply,
): void {
  const pending = new PendingResponse(res);
  target
    .drive<T>(start)
    .then((result) => pending.send(reply(result)))
    .catch((error: Error) => pending.send(text(503, `failed: ${error.message}`)));
}

export function getPeers(target: GatewayTarget) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const infoHash = req.getParameter(0) ?? '';
    if (!INFOHASH.test(infoHash)) return write(res, text(400, 'bad infohash: 40 lowercase hex digits'));
    answerWith<PeersResult>(
      res,
      target,
      (done) => target.entry.findPeers(idFromHex(infoHash), done),
      ({ peers, hops }) =>
        peers.length === 0 ? text(404, 'not found') : json(200, { infohash: infoHash, peers: peers.map(formatAddress), hops }),
    );
  };
}

export function announcePeer(target: GatewayTarget) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const infoHash = req.getParameter(0) ?? '';
    if (!INFOHASH.test(infoHash)) return write(res, text(400, 'bad infohash: 40 lowercase hex digits'));
    const params = new URLSearchParams(queryOf(req));
    const portText = params.get('port') ?? '';
    for (const name of params.keys()) if (name !== 'port') return write(res, text(400, `unknown parameter "${name}" (port)`));
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
      return write(res, text(400, 'port=N is required: 1-65535, or 0 for the port the node sends from'));
    answerWith<AnnounceResult>(
      res,
      target,
      (done) => target.entry.announcePeer(idFromHex(infoHash), Number(portText), done),
      (result) =>
        result.announced === 0
          ? text(503, `not announced: ${result.refusals[0] ?? 'no node answered'}`)
          : json(201, { infohash: infoHash, announced: result.announced, attempted: result.attempted }),
    );
  };
}
